"""Describe the groups of existing bundles again and check that topics.json comes out the same.

The describe step (keywords, labels, representatives, categories, tallies, themes) reads only
the bundle's messages table, its emotes and its `--keywords` count, so a bundle made by older
code is a reference for the current describe code: this script reruns that step on each
bundle's `messages.parquet` (as `ChatTopics.fit` runs it, through
`twitchtopics.pipeline.describe_all`) and compares the result with the bundle's `topics.json`,
printing the CPU time the step took on each bundle.

    python benchmarks/same_description.py BUNDLE_OR_FOLDER...

Make the references with the code before a change (e.g. `twitchtopics cluster LOGS --out
/tmp/ref --no-cache`), change the describe code, run this on /tmp/ref. Exit status 0 when every
bundle's topics and themes are the same, 1 otherwise (each difference is printed).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd


def bundles_in(folders: list[str]) -> list[Path]:
    """Every bundle named, or found one level inside a named folder."""
    found = []
    for name in folders:
        folder = Path(name)
        if (folder / "meta.json").is_file():
            found.append(folder)
        elif folder.is_dir():
            found += [p for p in sorted(folder.iterdir()) if (p / "meta.json").is_file()]
    return found


def first_difference(left: Any, right: Any, where: str = "") -> str | None:
    """Where two JSON values first differ, in words (None when equal)."""
    if type(left) is not type(right) and not (
        isinstance(left, int | float) and isinstance(right, int | float)
    ):
        return f"{where}: {left!r} vs {right!r}"
    if isinstance(left, dict):
        for key in sorted(left.keys() | right.keys(), key=str):
            if key not in left or key not in right:
                return f"{where}.{key}: only on one side"
            found = first_difference(left[key], right[key], f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(left, list):
        if len(left) != len(right):
            return f"{where}: {len(left)} vs {len(right)} items"
        for i, (a, b) in enumerate(zip(left, right, strict=True)):
            found = first_difference(a, b, f"{where}[{i}]")
            if found:
                return found
        return None
    return None if left == right else f"{where}: {left!r} vs {right!r}"


def describe_all(messages: pd.DataFrame, emotes: frozenset[str], top_n: int) -> tuple:
    """The describe step of the checkout on the path (`PYTHONPATH=OLD_CHECKOUT` times an older
    one: before `pipeline.describe_all` existed, `ChatTopics.fit` made the same three calls)."""
    from twitchtopics import pipeline

    if hasattr(pipeline, "describe_all"):
        topics, themes = pipeline.describe_all(messages, emotes, top_n)
        try:  # `fit` then records each label's source (the phrase labeler's here)
            from twitchtopics.describe.labeler import PhraseLabeler, apply_labeler
        except ImportError:  # code from before --labeler
            return topics, themes
        apply_labeler(topics, PhraseLabeler())
        return topics, themes
    from twitchtopics.describe.group import describe_groups, label_themes
    from twitchtopics.describe.themes import describe_themes

    topics = describe_groups(messages, emotes, top_n)
    themes = describe_themes(messages, topics, emotes, top_n)
    return topics, label_themes(messages, themes, emotes)


def check(bundle: Path) -> tuple[str | None, float]:
    """(the first difference or None, CPU seconds the describe step took) for one bundle."""
    meta = json.loads((bundle / "meta.json").read_text(encoding="utf-8"))
    expected = json.loads((bundle / "topics.json").read_text(encoding="utf-8"))
    messages = pd.read_parquet(bundle / "messages.parquet")
    emotes = frozenset(meta["stream"]["emotes"])
    top_n = int(meta["params"].get("keywords", 10))
    began = time.process_time()  # CPU time: the machine is shared, wall time is noisy
    topics, themes = describe_all(messages, emotes, top_n)
    seconds = time.process_time() - began
    got = json.loads(json.dumps({"topics": topics, "themes": themes}))
    return first_difference(expected, got), seconds


def main(argv: list[str]) -> int:
    bundles = bundles_in(argv)
    if not bundles:
        print("usage: python benchmarks/same_description.py BUNDLE_OR_FOLDER...", file=sys.stderr)
        return 2
    status, total = 0, 0.0
    for bundle in bundles:
        found, seconds = check(bundle)
        total += seconds
        print(
            f"{bundle.name}: {'same' if found is None else 'DIFFERS ' + found}  ({seconds:.2f} s CPU)"
        )
        status |= found is not None
    print(f"describe step, all bundles: {total:.2f} s CPU")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
