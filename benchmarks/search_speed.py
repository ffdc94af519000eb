"""How long `search` takes on a 100k-message bundle, and what the search vectors add to a bundle.

Builds the 100k-message log exactly as `benchmarks/speed.py` does (the real streams laid end
to end, under `.bench/`), clusters it once (`--model static` by default: fast to build, and
search costs the same per vector whatever the model), then, in the same run:

- the bundle's size without and with the search files (`text_vectors.npy`, `text_index.npy`,
  `centroids.npy`);
- `search` in this process for a few queries: loading the bundle, then per query (the first
  query also loads the model; later ones are embedded by the loaded model or come from the
  embedding cache);
- one `python -m twitchtopics search` in a fresh process (interpreter start-up and imports
  included), as a user runs it;
- the reference: the `cluster` run that made the bundle, i.e. what answering a query by
  re-clustering would cost; the ratio is printed.

    python benchmarks/search_speed.py [--size 100000] [--model static]

Skips cleanly (exit 0) when ../shared is absent. Never run as a timed test.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

QUERIES = (
    "which microphone should I buy",
    "hot sauce brands",
    "is alcohol poison",
    "raid incoming welcome raiders",
    "la constitution et le référendum",
)
SEARCH_FILES = ("text_vectors.npy", "text_index.npy", "centroids.npy")


def folder_sizes(folder: Path) -> tuple[int, int]:
    """(bytes without the search files, bytes of the search files)."""
    base = extra = 0
    for file in folder.iterdir():
        if file.is_file():
            if file.name in SEARCH_FILES:
                extra += file.stat().st_size
            else:
                base += file.stat().st_size
    return base, extra


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--model", default="static")
    args = parser.parse_args()

    from speed import CHATLOGS, build_log

    if not CHATLOGS.is_dir():
        print(f"skipped: {CHATLOGS} not available", file=sys.stderr)
        return 0
    from twitchtopics.bundle import load_bundle
    from twitchtopics.moments.search import search
    from twitchtopics.runs import ClusterOptions, cluster_log

    log = build_log(args.size)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "season.twitchtopics"
        t0 = time.perf_counter()
        cluster_log(log, ClusterOptions(model=args.model), out=out)
        t_cluster = time.perf_counter() - t0
        base, extra = folder_sizes(out)

        t0 = time.perf_counter()
        bundle = load_bundle(out)
        t_load = time.perf_counter() - t0
        per_query = []
        for query in QUERIES:
            t0 = time.perf_counter()
            result = search(bundle, query, top=20)
            per_query.append(time.perf_counter() - t0)
            best = result["messages"][0]["text"][:50] if result["messages"] else "-"
            print(f"  {query!r}: {per_query[-1]:.3f} s, best: {best!r}", file=sys.stderr)

        t0 = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "twitchtopics", "search", str(out), QUERIES[0], "--json"],
            cwd=REPO,
            capture_output=True,
        )
        t_cli = time.perf_counter() - t0
        if done.returncode != 0:
            print(done.stderr.decode(errors="replace")[-500:], file=sys.stderr)
            return 1

    n = len(bundle.messages)
    texts = int((bundle.meta.get("vectors") or {}).get("texts") or 0)
    warm = statistics.median(per_query[1:])
    print(f"bundle: {n:,} messages, {texts:,} distinct texts, model {bundle.meta.get('model')}")
    print(
        f"size: {base / 1e6:.1f} MB without search files, {(base + extra) / 1e6:.1f} MB with "
        f"(+{extra / 1e6:.1f} MB, {extra / base:.1f}x)"
    )
    print(f"cluster (reference): {t_cluster:.1f} s")
    print(f"load bundle: {t_load:.2f} s")
    print(f"first query (loads the model): {per_query[0]:.2f} s")
    print(f"next queries (median of {len(per_query) - 1}): {warm:.3f} s")
    print(f"fresh process `twitchtopics search --json`: {t_cli:.2f} s")
    print(f"ratio cluster / (load + first query): {t_cluster / (t_load + per_query[0]):.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
