"""Copypasta waves (`twitchtopics.chat.copypasta`) against the hand labels, and on every real log.

Message level, on the four gold windows of ../shared/data/gold: a labelled message is
predicted copypasta when it belongs to a wave (waves are found on the whole log's chat and
action messages, with their chatters and times); gold copypasta = labels ``copypasta_*``.
Prints precision, recall, the gold labels of wave messages that are not copypasta, and, for
each of the ten real logs, the number of waves and messages in them. ``--show N`` prints the
N largest waves of each log (shortened text; chat is only printed, never stored).
``--sweep`` varies one threshold at a time around the defaults.

    python benchmarks/copypasta.py [--show 5] [--sweep]

Skips cleanly (exit 0) when ../shared is absent.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from categories import CHATLOGS, GOLD, gold_windows, message_lines, read_gold  # noqa: E402

from twitchtopics.chat import copypasta  # noqa: E402
from twitchtopics.readers import read_log  # noqa: E402


def chat_of(path: Path):
    messages = read_log(path).messages
    return messages[messages["kind"].isin(["chat", "action"])]


def run(settings: dict, logs: dict, gold: dict, show: int) -> tuple[float, float]:
    """Score one setting; print per-log counts when `show` >= 0."""
    hit = predicted = expected = 0
    confusion: Counter[str] = Counter()
    for name, chat in logs.items():
        texts = chat["text"].astype(str).tolist()
        users = chat["user"].astype(str).tolist()
        waves = copypasta.copypasta_waves(
            texts, chat["offset_s"].to_numpy(float), users, **settings
        )
        if show >= 0:
            sizes = Counter(int(w) for w in waves if w >= 0)
            print(f"{name}: {len(sizes)} waves, {sum(sizes.values())} messages")
            for wave, size in sizes.most_common(show):
                rows = np.flatnonzero(waves == wave)
                first = texts[rows[0]]
                chatters = len({users[r] for r in rows})
                print(f"   {size:4d} msgs {chatters:3d} chatters | {first[:80]!r}")
        if name in gold:
            positions, labels = gold[name]
            wave_of = dict(zip(chat.index, waves, strict=True))
            for pos, label in zip(positions, labels, strict=True):
                is_gold = label.startswith("copypasta_")
                is_pred = wave_of.get(pos, -1) >= 0
                hit += is_gold and is_pred
                predicted += is_pred
                expected += is_gold
                if is_pred and not is_gold:
                    confusion[label] += 1
    p = hit / predicted if predicted else float("nan")
    r = hit / expected if expected else float("nan")
    if show >= 0:
        print(
            f"\ngold windows: precision {p:.2f} ({hit}/{predicted}), recall {r:.2f} ({hit}/{expected})"
        )
        if confusion:
            print(
                "wave messages labelled otherwise: "
                + ", ".join(f"{k} {v}" for k, v in confusion.most_common())
            )
    return p, r


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", type=int, default=0, help="print the N largest waves per log")
    parser.add_argument("--sweep", action="store_true", help="vary each threshold")
    args = parser.parse_args(argv)
    if not CHATLOGS.is_dir():
        print("skipped: ../shared/data/chatlogs not available")
        return 0
    paths = sorted(
        p for p in CHATLOGS.iterdir() if p.is_file() and not p.name.startswith("LICENSE")
    )
    logs = {p.name: chat_of(p) for p in paths}
    gold = {}
    if GOLD.is_dir():
        for log_path, gold_path in gold_windows():
            messages = read_log(log_path).messages
            lines = message_lines(log_path, messages)
            labelled = [
                (lines[line], lab)
                for line, lab in read_gold(gold_path).items()
                if lab != "none" and line in lines
            ]
            gold[log_path.name] = ([pos for pos, _ in labelled], [lab for _, lab in labelled])
    run({}, logs, gold, args.show)
    if args.sweep:
        grid = {
            "min_tokens": (3, 4, 5, 6, 8),
            "min_overlap": (0.6, 0.7, 0.8, 0.9, 1.0),
            "span_s": (30.0, 60.0, 120.0, 300.0, 600.0),
            "min_chatters": (2, 3, 4),
        }
        print("\nsweep (one threshold at a time; others at their defaults)")
        for name, values in grid.items():
            for value in values:
                p, r = run({name: value}, logs, gold, -1)
                total = 0
                for chat in logs.values():
                    w = copypasta.copypasta_waves(
                        chat["text"].astype(str).tolist(),
                        chat["offset_s"].to_numpy(float),
                        chat["user"].astype(str).tolist(),
                        **{name: value},
                    )
                    total += int((w >= 0).sum())
                print(
                    f"  {name}={value}: gold P {p:.2f} R {r:.2f}; {total} wave messages in the ten logs"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
