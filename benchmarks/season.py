"""A season of streams: speed and memory of `twitchtopics season`, locally and on a local Dask
cluster, the linking step alone, and the linking's quality.

Streams are made from the real logs in ../shared/data/chatlogs/ (as benchmarks/speed.py
does): the real streams' chat, each copy shifted to its own day, with 5 % of its messages
dropped and times jittered by up to 2 s (seeded), so that no two copies are the same log and
no cache serves one copy's grouping to another. Every run starts with an empty cache (the
static model ships with the package).

    python benchmarks/season.py --streams 10                 # local + Dask, 10 streams
    python benchmarks/season.py --streams 10 100 --no-dask   # growth, local only
    python benchmarks/season.py --quality                    # linking quality only
    python benchmarks/season.py --streams 100 --dask-only     # Dask only, against the kept local run
    python benchmarks/season.py --quality --thresholds 0.55 0.65  # the same bundles, two rules

Prints wall time and peak RSS per process (the largest process of the run), the linking
step's own time and memory, whether local and Dask gave identical season.json, and for
`--quality`: split a real log at its middle into two "streams" and check that the topics
that span the cut (in a clustering of the whole log) are linked across the halves (recall),
and count the season themes that join two unrelated streams (other channel, other language).

Skips cleanly (exit 0) when ../shared is absent. Never run as a timed test.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHATLOGS = REPO.parent / "shared" / "data" / "chatlogs"
WORK = REPO / ".bench" / "season"
sys.path.insert(0, str(REPO))

MEASURE = r"""
import resource, subprocess, sys, time
t = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
wall = time.perf_counter() - t
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stdout.buffer.write(code.stdout)
cpu = usage.ru_utime + usage.ru_stime
print(f"__MEASURE__ {wall} {usage.ru_maxrss} {code.returncode} {cpu}", file=sys.stderr)
sys.stderr.buffer.write(code.stderr[-3000:])
"""

LINK = r"""
import json, resource, sys, time
from pathlib import Path
from twitchtopics.season.build import build_season
from twitchtopics.season.streams import summarise_bundle
folder = Path(sys.argv[1])
season = json.loads((folder / "season.json").read_text())
t = time.perf_counter()
records = [summarise_bundle(folder / s["bundle"]) for s in season["streams"]]
for r, s in zip(records, season["streams"]):
    r["log"] = s["log"]
t_load = time.perf_counter() - t
copies = int(sys.argv[2]) if len(sys.argv) > 2 else 1
if copies > 1:  # the same streams again as further streams, centroids jittered (seeded)
    import copy, numpy as np
    rng = np.random.default_rng(0)
    base = records
    records = []
    for c in range(copies):
        for r in base:
            r2 = dict(r, bundle=f"{c}-{r['bundle']}")
            noise = rng.normal(scale=0.02, size=r["centroids"].shape)
            r2["centroids"] = (r["centroids"].astype(np.float32) + noise).astype(np.float16)
            records.append(r2)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
linked = build_season(records)
t_link = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
same = copies > 1 or json.dumps(linked["themes"]) == json.dumps(season["themes"])
print(json.dumps({"streams": len(records), "load": t_load, "link": t_link, "units": sum(len(r["units"]) for r in records),
                  "rss_before_mib": before / 1024, "peak_mib": peak / 1024, "same": same}))
"""


def real_streams() -> list[tuple[str, list[tuple[float, str, str]]]]:
    """(name, chat messages as (offset_s, user, text)) of every distinct real stream."""
    from twitchtopics.readers import read_log

    streams = []
    for path in sorted(CHATLOGS.iterdir()):
        if path.name.startswith("LICENSE") or path.is_dir():
            continue
        if "csv_admiralbulldog" in path.name or "json_samueletienne" in path.name:
            continue  # the same chat as another file: keep one copy of each stream
        chat = read_log(path).messages
        chat = chat[chat["kind"].isin(["chat", "action"])]
        rows = list(zip(chat["offset_s"].astype(float), chat["user"], chat["text"], strict=True))
        streams.append((path.name.split(".")[0], rows))
    return streams


def write_csv(path: Path, rows, start) -> Path:
    """A `time,user,message` CSV with UTC times `start + offset`."""
    import pandas as pd

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["time", "user", "message"])
        for offset, user, text in rows:
            stamp = start + pd.Timedelta(seconds=offset)
            writer.writerow([stamp.strftime("%Y-%m-%d %H:%M:%S.%f"), user, text])
    return path


def build_streams(n: int) -> list[Path]:
    """`n` stream logs, copy k of real stream k % 9 on day k, each a little different."""
    import pandas as pd

    folder = WORK / f"streams_{n}"
    logs = [
        folder / f"s{k:03d}" / "chat.csv" for k in range(n)
    ]  # same file names: distinct bundles
    if all(p.exists() for p in logs):
        return logs
    streams = real_streams()
    base = pd.Timestamp("2024-01-01 18:00:00", tz="UTC")
    for k, path in enumerate(logs):
        rng = random.Random(k)
        _, rows = streams[k % len(streams)]
        kept = [(max(0.0, o + rng.uniform(0, 2)), u, t) for o, u, t in rows if rng.random() >= 0.05]
        kept.sort(key=lambda r: r[0])
        write_csv(path, kept, base + pd.Timedelta(days=k))
    return logs


def fresh_cache(root: Path) -> Path:
    """An empty cache folder (the static model ships with the package)."""
    return root / "cache"


def measured(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int, str, str, float]:
    """Run `cmd` in a fresh process: wall s, peak RSS MiB of its largest process, exit code,
    stdout, stderr, CPU seconds of the whole process tree."""
    proc = subprocess.run(
        [sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True, env=env
    )
    line = next((x for x in proc.stderr.splitlines() if x.startswith("__MEASURE__")), None)
    if line is None:
        raise SystemExit(f"measurement failed: {proc.stderr[-2000:]}")
    _, wall, rss, code, cpu = line.split()
    return float(wall), int(rss) / 1024, int(code), proc.stdout, proc.stderr, float(cpu)


def season_cmd(logs: list[Path], out: Path, model: str, extra: list[str]) -> list[str]:
    return [
        sys.executable,
        "-m",
        "twitchtopics",
        "season",
        *map(str, logs),
        "--out",
        str(out),
        "--model",
        model,
        "--quiet",
        "--top",
        "0",
        *extra,
    ]


def run_local(logs, model: str, root: Path) -> dict:
    env = {**os.environ, "TWITCHTOPICS_CACHE_DIR": str(fresh_cache(root)), "HF_HUB_OFFLINE": "1"}
    out = root / "local"
    wall, rss, code, stdout, stderr, cpu = measured(season_cmd(logs, out, model, []), env)
    if code != 0:
        print(stderr[-2000:], file=sys.stderr)
    return {"wall": wall, "rss": rss, "code": code, "out": out, "line": stdout.strip(), "cpu": cpu}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_dask(logs, model: str, root: Path) -> dict:
    """A scheduler and two one-thread workers started here, then `season --scheduler`."""
    import psutil

    cache = root / "dask-cache"
    cache.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "TWITCHTOPICS_CACHE_DIR": str(cache), "HF_HUB_OFFLINE": "1"}
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    procs = [
        subprocess.Popen(
            [*dask, "--port", str(port), "--no-dashboard"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=REPO,
        )
    ]
    time.sleep(3)
    worker = [
        sys.executable,
        "-m",
        "distributed.cli.dask_worker",
        address,
        "--nthreads",
        "1",
        "--nworkers",
        "1",
        "--memory-limit",
        "4GB",
        "--no-dashboard",
    ]
    for k in range(2):  # each worker its own cache folder, as README "On a Dask cluster" says
        own = root / f"dask-worker-{k}-cache"
        own.mkdir(parents=True, exist_ok=True)
        procs.append(
            subprocess.Popen(
                worker,
                env={**env, "TWITCHTOPICS_CACHE_DIR": str(own)},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd=REPO,
            )
        )
    time.sleep(5)
    peak = {"value": 0.0}
    import threading

    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(0.5):
            for p in procs[1:]:
                try:
                    tree = [psutil.Process(p.pid), *psutil.Process(p.pid).children(recursive=True)]
                    for proc in tree:
                        peak["value"] = max(peak["value"], proc.memory_info().rss / 2**20)
                except psutil.Error:
                    pass

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    out = root / "dask"
    try:
        wall, rss, code, stdout, stderr, _cpu = measured(
            season_cmd(logs, out, model, ["--scheduler", address]), env
        )
    finally:
        stop.set()
        poller.join()
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
    if code != 0:
        print(stderr[-2000:], file=sys.stderr)
    return {
        "wall": wall,
        "rss": max(rss, peak["value"]),
        "client_rss": rss,
        "code": code,
        "out": out,
        "line": stdout.strip(),
    }


def run_linking(out: Path, copies: int = 1) -> dict:
    """The linking step alone in a fresh process, on the run's summaries (repeated `copies`
    times as further streams, to time linking at 10x the streams without clustering them)."""
    proc = subprocess.run(
        [sys.executable, "-c", LINK, str(out), str(copies)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def print_dask(remote: dict, local_out: Path) -> None:
    """The Dask run's line, with whether its season.json is the local run's, byte for byte."""
    same = (remote["out"] / "season.json").read_bytes() == (local_out / "season.json").read_bytes()
    print(
        f"Dask (scheduler + 2 workers x 1 thread): {remote['wall']:7.1f} s  peak "
        f"{remote['rss']:6.0f} MiB per process (client {remote['client_rss']:.0f})  "
        f"exit {remote['code']}  season.json identical to local: {same}",
        flush=True,
    )


def speed(sizes: list[int], model: str, dask: bool, dask_only: bool = False) -> None:
    walls = {}
    for n in sizes:
        logs = build_streams(n)
        messages = sum(sum(1 for _ in open(p, encoding="utf-8")) - 1 for p in logs)
        print(f"\n== {n} streams, {messages:,} chat messages, --model {model}", flush=True)
        root = WORK / f"run_{n}"  # kept until the next run, to compare local and Dask
        if dask_only:
            if not (root / "local" / "season.json").is_file():
                raise SystemExit(f"--dask-only: no local run of {n} streams in {root} to compare")
            shutil.rmtree(root / "dask", ignore_errors=True)
            shutil.rmtree(root / "dask-cache", ignore_errors=True)
            for old in root.glob("dask-worker-*-cache"):
                shutil.rmtree(old, ignore_errors=True)
            print_dask(run_dask(logs, model, root), root / "local")
            continue
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        local = run_local(logs, model, root)
        walls[n] = local["wall"]
        print(
            f"local processes: {local['wall']:7.1f} s  peak {local['rss']:6.0f} MiB per "
            f"process  CPU {local['cpu']:.0f} s (/{os.cpu_count()} cores = "
            f"{local['cpu'] / os.cpu_count():.0f} s)  exit {local['code']}  "
            f"({local['line'].splitlines()[-1] if local['line'] else ''})",
            flush=True,
        )
        link = run_linking(local["out"])
        print(
            f"linking alone:   {link['link']:7.2f} s  ({link['units']:,} units; reading the "
            f"bundles' summaries {link['load']:.1f} s; process peak {link['peak_mib']:.0f} MiB, "
            f"{link['peak_mib'] - link['rss_before_mib']:.0f} MiB above the summaries)",
            flush=True,
        )
        if n <= 10:  # 10x of a large season is past what linking is meant for
            big = run_linking(local["out"], 10)
            print(
                f"linking at 10x:  {big['link']:7.2f} s  ({big['streams']} streams, "
                f"{big['units']:,} units; process peak {big['peak_mib']:.0f} MiB, "
                f"{big['peak_mib'] - big['rss_before_mib']:.0f} MiB above the summaries)",
                flush=True,
            )
        if dask:
            print_dask(run_dask(logs, model, root), local["out"])
    if len(walls) > 1:
        small, large = min(walls), max(walls)
        print(
            f"\ngrowth: {small} -> {large} streams: {walls[large] / walls[small]:.1f}x the time "
            f"for {large / small:.0f}x the streams"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, nargs="+", default=[10])
    parser.add_argument("--model", default="static")
    parser.add_argument("--no-dask", action="store_true")
    parser.add_argument(
        "--dask-only",
        action="store_true",
        help="only the Dask run, compared with the local run this script kept from before",
    )
    parser.add_argument("--quality", action="store_true", help="only the linking quality")
    parser.add_argument(
        "--thresholds",
        type=float,
        nargs="+",
        help="with --quality: link the same bundles at each of these meaning thresholds",
    )
    args = parser.parse_args(argv)
    if not CHATLOGS.is_dir():
        print("skipped: ../shared/data/chatlogs not available")
        return 0
    WORK.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores")
    from benchmarks.season_quality import quality

    if args.quality:
        quality(args.model, WORK, args.thresholds)
        return 0
    speed(args.streams, args.model, not args.no_dask, args.dask_only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
