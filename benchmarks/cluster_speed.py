"""Seconds and memory of each clustering stage, at 10k, 100k and 1M messages (issue 17).

The logs are `benchmarks/speed.py`'s (the real streams laid end to end, cached under
`.bench/`). Each size runs in a fresh process: read, normalise and embed the distinct texts
(through the embedding cache, timed apart: the embedder is not a clustering stage), then the
grouping exactly as `cluster` computes it (`pipeline.compute_grouping`, no grouping cache),
stage by stage: text features (embedding + the log's n-grams), reduce, cluster (Ward,
merges, reactions), themes, silhouette. Prints one row per size with the peak RSS of the
whole process.

    python benchmarks/cluster_speed.py                          # 10k and 100k, static model
    python benchmarks/cluster_speed.py --sizes 1000000 --model static

Timings on a shared machine are noisy: compare stages within one run. Skips cleanly (exit 0)
when ../shared is absent.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STAGES = ("text features", "reduce", "cluster", "themes", "silhouette")


def one(size: int, model: str | None) -> dict:
    """Time every clustering stage on the `size`-message log, in this process."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from speed import build_log

    from twitchtopics.options import CLUSTERED_KINDS
    from twitchtopics.pipeline import (
        ClusterOptions,
        compute_grouping,
        embed_distinct,
        normalized_texts,
    )
    from twitchtopics.progress import Stages
    from twitchtopics.readers import read_log

    log_path = build_log(size)
    began = time.perf_counter()
    log = read_log(log_path)
    messages = log.messages
    selected = messages["kind"].isin(CLUSTERED_KINDS).to_numpy()
    clean = normalized_texts(messages["text"][selected], frozenset(log.info.emotes))
    options = ClusterOptions(model=model, use_cache=False)
    stages = Stages(quiet=True)
    distinct = embed_distinct(clean, options, stages)
    prepared = time.perf_counter() - began
    offsets = messages["offset_s"].to_numpy(dtype=float)[selected]
    stages = Stages(quiet=True)
    began = time.perf_counter()
    grouping = compute_grouping(distinct, offsets, options, stages)
    total = time.perf_counter() - began
    return {
        "size": size,
        "distinct": len(distinct.texts),
        "groups": int(grouping.labels.max() + 1),
        "read+embed": prepared,
        **{name: stages.timings.get(name, 0.0) for name in STAGES},
        "clustering": total,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--model", default="static", help="embedder (default: static)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(one(args.one, args.model)))
        return 0
    if not (REPO.parent / "shared" / "data" / "chatlogs").is_dir():
        print("skipped: ../shared/data/chatlogs not available")
        return 0
    columns = ("distinct", "groups", "read+embed", *STAGES, "clustering", "peak_mib")
    print(f"{'messages':>9} " + " ".join(f"{c:>13}" for c in columns))
    for size in args.sizes:
        proc = subprocess.run(
            [sys.executable, __file__, "--one", str(size), "--model", args.model],
            capture_output=True,
            text=True,
            env={**os.environ, "HF_HUB_OFFLINE": "1"},
        )
        if proc.returncode != 0:
            print(f"{size:>9} failed: {proc.stderr.strip().splitlines()[-1:]}")
            continue
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        cells = [
            f"{row[c]:>13d}" if isinstance(row[c], int) else f"{row[c]:>13.2f}" for c in columns
        ]
        print(f"{size:>9} " + " ".join(cells), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
