"""Precision@10 of `twitchtopics highlights` against the old 3x-median peak rule.

For three real logs in ../shared/data/chatlogs (two slower chats and a busy one), events that
happen on stream were listed by hand (`benchmarks/events/<log>.csv`: offset since the start +
a few words), from chat alone (the two slower logs read whole, in order; the busy one around
its clip calls, laughter waves, bets and results) before any highlight was computed. A ranked
moment is a hit when an event lies within 60 s of its span; precision@10 = hits among the
first 10 / 10 (a rule that returns fewer than 10 moments scores its misses as 0). "events" =
distinct events the 10 moments found.

Baselines, each on the same bundle:
- `3x-median`: minutes with at least 3x the stream's median per-minute chat rate (and >= 5
  messages), busiest first — the rule `report` used before moments;
- `chatters only`: the moments' scoring with the reaction and new-group signals off;
- `+ new group`: the moments' scoring with the new-group lift weighing 0.25.

Run: `python benchmarks/highlights.py [--model static]` (clusters each log once, cached).
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from twitchtopics.bundle import load_bundle  # noqa: E402
from twitchtopics.bundle_view import chat_kinds, stream_clock  # noqa: E402
from twitchtopics.moments import scoring  # noqa: E402
from twitchtopics.moments.highlights import find_moments  # noqa: E402
from twitchtopics.report.window import minute_counts, minute_origin  # noqa: E402
from twitchtopics.runs import ClusterOptions, cluster_log  # noqa: E402

CHATLOGS = REPO.parent / "shared" / "data" / "chatlogs"
EVENTS = REPO / "benchmarks" / "events"
LOGS = (
    "en_twitch_api_v5_1087079172.json",
    "en_twitch_archiver_gql_2040989125.json.gz",
    "en_raw_irc_admiralbulldog.log",
)
TOLERANCE_S = 60.0
K = 10


def parse_offset(text: str) -> float:
    seconds = 0.0
    for part in text.strip().split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def load_events(log_name: str) -> list[tuple[float, str]]:
    stem = log_name.split(".")[0]
    with open(EVENTS / f"{stem}.csv", encoding="utf-8") as handle:
        return [(parse_offset(row["offset"]), row["event"]) for row in csv.DictReader(handle)]


def median_peaks(bundle) -> list[tuple[float, float]]:
    """The old rule: minutes at >= 3x the stream's median rate (>= 5 messages), busiest first."""
    clock, duration = stream_clock(bundle)
    msgs = bundle.messages
    chat = msgs[msgs["kind"].isin(chat_kinds(bundle))]["offset_s"].astype(float).to_numpy()
    origin = minute_origin(clock)
    per_minute = minute_counts(chat, origin, duration)
    median = float(np.median(per_minute))
    base = median if median > 0 else float(per_minute.mean())
    threshold = max(3.0 * base, 5.0)
    peaks = np.flatnonzero(per_minute >= threshold)
    peaks = peaks[np.argsort(-per_minute[peaks], kind="stable")]
    return [(k * 60 - origin, (k + 1) * 60 - origin) for k in peaks]


def score(spans: list[tuple[float, float]], events: list[tuple[float, str]]) -> tuple[float, int]:
    """(precision@K, distinct events found by the first K spans)."""
    top = spans[:K]
    found: set[int] = set()
    hits = 0
    for lo, hi in top:
        near = [i for i, (t, _) in enumerate(events) if lo - TOLERANCE_S <= t <= hi + TOLERANCE_S]
        hits += bool(near)
        found.update(near)
    return hits / K, len(found)


def moment_spans(bundle, **weights: float) -> list[tuple[float, float]]:
    saved = {name: getattr(scoring, name) for name in weights}
    try:
        for name, value in weights.items():
            setattr(scoring, name, value)
        moments = find_moments(bundle, top=K)
    finally:
        for name, value in saved.items():
            setattr(scoring, name, value)
    return [(m["start_offset_s"], m["end_offset_s"]) for m in moments]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="embedding model (default: packaged)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in LOGS:
            path = CHATLOGS / name
            if not path.exists():
                print(f"skipped {name}: not in {CHATLOGS}", file=sys.stderr)
                continue
            out = Path(tmp) / f"{name}.twitchtopics"
            cluster_log(path, ClusterOptions(model=args.model), out=out)
            bundle = load_bundle(out)
            events = load_events(name)
            median = float(
                np.median(
                    minute_counts(
                        bundle.messages["offset_s"].to_numpy(), 0.0, stream_clock(bundle)[1]
                    )
                )
            )
            t0 = time.perf_counter()
            ranked = moment_spans(bundle)
            took = time.perf_counter() - t0
            for rule, spans in (
                ("highlights", ranked),
                ("chatters only", moment_spans(bundle, REACTION_WEIGHT=0.0, NEW_GROUP_WEIGHT=0.0)),
                ("+ new group", moment_spans(bundle, NEW_GROUP_WEIGHT=0.25)),
                ("3x-median", median_peaks(bundle)),
            ):
                p, found = score(spans, events)
                rows.append((name, len(events), f"{median:.0f}", rule, len(spans[:K]), p, found))
            print(f"{name}: highlights scored in {took:.2f} s", file=sys.stderr)
    print(
        "| log | events | median/min | rule | moments | precision@10 | events found |\n"
        "|---|---|---|---|---|---|---|"
    )
    for name, n_events, median, rule, n, p, found in rows:
        print(f"| {name} | {n_events} | {median} | {rule} | {n} | {p:.1f} | {found} |")


if __name__ == "__main__":
    main()
