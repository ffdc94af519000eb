"""Draw groups of a real log at random and print them as the README's Markdown table.

So a reader can judge labels, keywords and typical messages on groups nobody picked:

    python benchmarks/draw_groups.py fr_twitchdownloader_relative_1699408450.txt --n 20 --seed 2024

The log is clustered whole with the default options (through the caches); groups are drawn
with `random.Random(seed).sample` over the group ids, printed in id order. Chat text is
Markdown-escaped (``|``, ``*``, ``_``, backticks, ``<``) and shortened. Prints to stdout only:
chat from ../shared is never written into the repository by this script.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
CHATLOGS = REPO.parent / "shared" / "data" / "chatlogs"
WIDTH = 65
SHOWN = 3


def markdown(text: str, width: int = WIDTH) -> str:
    """One table cell: shortened, no newline, Markdown and HTML characters escaped."""
    from twitchtopics.chat.normalize import shorten

    text = shorten(" ".join(str(text).split()), width)
    for ch in "\\`*_|<>[]":
        text = text.replace(ch, "\\" + ch)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", help="a file name in ../shared/data/chatlogs, or a path")
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)
    path = Path(args.log) if Path(args.log).is_file() else CHATLOGS / args.log
    if not path.is_file():
        print(f"skipped: {args.log} not found")
        return 0
    from twitchtopics.runs import ClusterOptions, cluster_log

    result = cluster_log(path, ClusterOptions(), save=False)
    topics = {int(t["id"]): t for t in result.topics}
    drawn = sorted(random.Random(args.seed).sample(sorted(topics), min(args.n, len(topics))))
    print("| # | label | category · size | keywords | representatives |")
    print("|---|---|---|---|---|")
    for tid in drawn:
        topic = topics[tid]
        words = [k[0] if isinstance(k, list | tuple) else k for k in topic.get("keywords") or []]
        keywords = " / ".join(markdown(w, 30) for w in words[:5])
        shown = [
            r if isinstance(r, str) else r.get("text", "")
            for r in topic.get("representatives") or []
        ]
        reps = "<br>".join(markdown(r) for r in shown[:SHOWN])
        label = markdown(topic.get("label") or "", 50)
        print(
            f"| {tid} | **{label}** | {topic.get('category')} · {topic.get('size')} "
            f"| {keywords} | {reps} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
