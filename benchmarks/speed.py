"""Speed and memory: twitchtopics `cluster` (a fresh process, as a user runs it) vs vanilla BERTopic.

Builds logs of about 10k, 100k and 1M messages from the real logs in ../shared/data/chatlogs/:
every real log is read with twitchtopics' readers, its chat messages are laid one stream
after the other (each stream shifted to start 10 minutes after the previous one ended), and
the sequence is repeated, each repetition shifted again, until the size is reached; the
result is a CSV `time,user,message` with UTC times under `.bench/`.

First, as a newcomer would: the README's demo command (`twitchtopics cluster
examples/demo_stream.txt --top 5`) on a fresh machine (an empty cache folder and an empty
numba cache, `NUMBA_CACHE_DIR`), its stages' sum and wall time; start-up times of
`twitchtopics --help` and `twitchtopics report BUNDLE` (median of 5 runs each).

Then for each size, in the same run:
- vanilla BERTopic with its usual MiniLM (`fit_transform` on the texts), in a fresh process;
- `twitchtopics cluster LOG --quiet` in a fresh process with an empty cache folder (start-up
  and model load included; numba's on-disk JIT cache as this machine has it, the fresh-machine
  run above is the one without), then again on the same log (warm cache);
and prints wall time per stage, total, peak RSS and the ratios (BERTopic / twitchtopics cold,
warm / cold).

    python benchmarks/speed.py                       # 10k and 100k, default model
    python benchmarks/speed.py --sizes 1000000 --no-anchor
    python benchmarks/speed.py --sizes 10000 --model minilm --anchor-max 20000

Skips cleanly (exit 0) when ../shared is absent. Never run as a timed test.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHATLOGS = REPO.parent / "shared" / "data" / "chatlogs"
WORK = REPO / ".bench"
GAP_S = 600.0
LAST_CPU = [0.0]  # CPU seconds of the last `measured` command

ANCHOR = r"""
import json, sys, time
t0 = time.perf_counter()
import csv
from bertopic import BERTopic
from sentence_transformers import SentenceTransformer
from twitchtopics.embed.embedders import packaged_model_path
t_import = time.perf_counter()
with open(sys.argv[1], encoding="utf-8", newline="") as f:
    texts = [row["message"] for row in csv.DictReader(f)]
t_read = time.perf_counter()
model = SentenceTransformer(str(packaged_model_path()), device="cpu")
embeddings = model.encode(texts, batch_size=64, show_progress_bar=False)
t_embed = time.perf_counter()
topics, _ = BERTopic(embedding_model=model).fit_transform(texts, embeddings)
t_fit = time.perf_counter()
print(json.dumps({"import": t_import - t0, "read": t_read - t_import, "embed": t_embed - t_read,
                  "umap+hdbscan+ctfidf": t_fit - t_embed, "groups": len(set(topics)) - (1 if -1 in topics else 0)}))
"""

MEASURE = r"""
import resource, subprocess, sys, time
t = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
wall = time.perf_counter() - t
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stdout.buffer.write(code.stdout)
cpu = usage.ru_utime + usage.ru_stime
print(f"__MEASURE__ {wall} {usage.ru_maxrss} {code.returncode} {cpu}", file=sys.stderr)
sys.stderr.buffer.write(code.stderr[-2000:])
"""


def real_streams() -> list[list[tuple[float, str, str]]]:
    """Chat messages of every real log as (offset_s, user, text), one list per stream."""
    from twitchtopics.readers import read_log

    streams = []
    for path in sorted(CHATLOGS.iterdir()):
        if path.name.startswith("LICENSE") or path.is_dir():
            continue
        if "csv_admiralbulldog" in path.name or "json_samueletienne" in path.name:
            continue  # the same chat as another file: keep one copy of each stream
        log = read_log(path)
        chat = log.messages[log.messages["kind"].isin(["chat", "action"])]
        streams.append(
            list(zip(chat["offset_s"].astype(float), chat["user"], chat["text"], strict=True))
        )
    return streams


def build_log(size: int) -> Path:
    """A CSV of `size` chat messages made of the real streams laid end to end (cached)."""
    WORK.mkdir(exist_ok=True)
    target = WORK / f"season_{size}.csv"
    if target.exists():
        return target
    import pandas as pd

    streams = real_streams()
    base = pd.Timestamp("2024-01-01 18:00:00", tz="UTC")
    shift, written = 0.0, 0
    tmp = target.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["time", "user", "message"])
        while written < size:
            for stream in streams:
                for offset, user, text in stream:
                    if written >= size:
                        break
                    stamp = base + pd.Timedelta(seconds=shift + offset)
                    writer.writerow([stamp.strftime("%Y-%m-%d %H:%M:%S.%f"), user, text])
                    written += 1
                shift += (stream[-1][0] if stream else 0.0) + GAP_S
    os.replace(tmp, target)
    return target


def measured(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    """Run `cmd` in a fresh process; (wall s, peak RSS MiB, exit code, stdout). Its CPU
    seconds (user + system, all threads) go to `LAST_CPU`: on a shared machine they vary
    less than the wall time."""
    proc = subprocess.run(
        [sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True, env=env
    )
    line = next((x for x in proc.stderr.splitlines() if x.startswith("__MEASURE__")), None)
    if line is None:
        raise SystemExit(f"measurement failed: {proc.stderr[-2000:]}")
    _, wall, rss, code, cpu = line.split()
    LAST_CPU[0] = float(cpu)
    if int(code) != 0:
        print(proc.stderr[-2000:], file=sys.stderr)
    return float(wall), int(rss) / 1024, int(code), proc.stdout


def twitchtopics_command() -> list[str]:
    """The CLI as a user runs it: the console script next to this Python, with this checkout
    first on the path (the venv's editable install may point at another checkout)."""
    return [sys.executable, "-c", "from twitchtopics.cli import main; main()"]


def tool_env(cache_dir: Path, **extra: str) -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    return {
        **os.environ,
        "PYTHONPATH": path,
        "TWITCHTOPICS_CACHE_DIR": str(cache_dir),
        "HF_HUB_OFFLINE": "1",
        **extra,
    }


def run_twitchtopics(
    log: Path, model: str | None, cache_dir: Path, out: Path, *, quiet: bool = True, **env: str
) -> dict:
    cmd = [*twitchtopics_command(), "cluster", str(log), "--out", str(out)]
    cmd += ["--quiet", "--json", "--top", "0"] if quiet else ["--top", "5"]
    if model:
        cmd += ["--model", model]
    wall, rss, code, _ = measured(cmd, tool_env(cache_dir, **env))
    cpu = LAST_CPU[0]
    meta = (
        json.loads((out / "meta.json").read_text()) if code == 0 else {"timings": {}, "counts": {}}
    )
    return {
        "wall": wall,
        "cpu": cpu,
        "rss": rss,
        "code": code,
        "timings": meta["timings"],
        "groups": meta["counts"].get("groups"),
    }


def run_anchor(log: Path) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    wall, rss, code, out = measured([sys.executable, "-c", ANCHOR, str(log)], env)
    stages = json.loads(out.strip().splitlines()[-1]) if code == 0 else {}
    return {"wall": wall, "rss": rss, "code": code, "timings": stages}


def startup_seconds(args: list[str], cache_dir: Path, repeats: int = 5) -> float:
    """Median wall time of `twitchtopics ARGS` in a fresh process (output discarded)."""
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        subprocess.run(
            [*twitchtopics_command(), *args],
            env=tool_env(cache_dir),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
        )
        times.append(time.perf_counter() - began)
    return sorted(times)[len(times) // 2]


def fresh_machine(model: str | None) -> None:
    """The README's demo from an empty cache and an empty numba cache; start-up times."""
    demo = REPO / "examples" / "demo_stream.txt"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        out = root / "demo.twitchtopics"
        first = run_twitchtopics(
            demo, model, root / "cache", out, quiet=False, NUMBA_CACHE_DIR=str(root / "numba")
        )
        stages = sum(v for v in first["timings"].values() if isinstance(v, float))
        print(
            f"fresh machine, README demo: stages {stages:.1f} s, wall {first['wall']:.1f} s, "
            f"peak {first['rss']:.0f} MiB  [{fmt_stages(first['timings'])}]",
            flush=True,
        )
        help_s = startup_seconds(["--help"], root / "cache")
        report_s = startup_seconds(["report", str(out)], root / "cache")
        print(f"start-up: `--help` {help_s:.2f} s, `report BUNDLE` {report_s:.2f} s", flush=True)


def fmt_stages(timings: dict) -> str:
    return ", ".join(f"{k} {v:.1f}" for k, v in timings.items() if isinstance(v, float))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--model", default=None, help="twitchtopics --model (default: its default)")
    parser.add_argument(
        "--no-fresh", action="store_true", help="skip the fresh-machine demo and start-up times"
    )
    parser.add_argument("--no-anchor", action="store_true", help="skip vanilla BERTopic")
    parser.add_argument(
        "--anchor-max",
        type=int,
        default=150_000,
        help="largest size BERTopic is run on (beyond ~20 min here it is skipped)",
    )
    args = parser.parse_args(argv)
    if not CHATLOGS.is_dir():
        print("skipped: ../shared/data/chatlogs not available")
        return 0
    if not args.no_anchor:
        from twitchtopics.errors import MissingExtraError
        from twitchtopics.extras import require

        try:
            require("bertopic", "the vanilla BERTopic reference")
        except MissingExtraError as exc:
            raise SystemExit(f"{exc} (or run with --no-anchor)") from None
    print(f"machine: {os.cpu_count()} cores; model: {args.model or 'the default'}")
    if not args.no_fresh:
        fresh_machine(args.model)
    for size in args.sizes:
        log = build_log(size)
        print(f"\n== {size:,} messages ({log.name})", flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            cache, out = Path(tmp) / "cache", Path(tmp) / "out.twitchtopics"
            first = run_twitchtopics(log, args.model, cache, out)
            print(
                f"twitchtopics (cold cache): {first['wall']:7.1f} s  cpu {first['cpu']:6.1f} s  "
                f"peak {first['rss']:7.0f} MiB  "
                f"groups {first['groups']}  [{fmt_stages(first['timings'])}]",
                flush=True,
            )
            second = run_twitchtopics(log, args.model, cache, out)
            print(
                f"twitchtopics (warm cache): {second['wall']:7.1f} s  cpu {second['cpu']:6.1f} s  "
                f"peak {second['rss']:7.0f} MiB  = {second['wall'] / first['wall']:.0%} of the "
                f"first run (cpu {second['cpu'] / first['cpu']:.0%})  "
                f"[{fmt_stages(second['timings'])}]",
                flush=True,
            )
        if args.no_anchor or size > args.anchor_max:
            print(
                "vanilla BERTopic: skipped (would take more than ~20 minutes here)"
                if not args.no_anchor
                else "vanilla BERTopic: skipped (--no-anchor)"
            )
            continue
        began = time.perf_counter()
        anchor = run_anchor(log)
        print(
            f"vanilla BERTopic:          {anchor['wall']:7.1f} s  peak {anchor['rss']:7.0f} MiB  "
            f"[{fmt_stages(anchor['timings'])}]  ({time.perf_counter() - began:.0f} s)"
        )
        print(
            f"ratio BERTopic / twitchtopics: {anchor['wall'] / first['wall']:.1f}x (cold), "
            f"{anchor['wall'] / second['wall']:.1f}x (warm); "
            f"twitchtopics warm / cold {second['wall'] / first['wall']:.0%}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
