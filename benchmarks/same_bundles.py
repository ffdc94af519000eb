"""Compare two bundles (or two folders of bundles) and say whether they hold the same results.

Used to check that a change meant to keep behaviour (a code move, a refactor) gives the same
bundles: `messages.parquet` equal row for row, `topics.json` equal, `meta.json` equal except
for what changes on every run (`created`, `timings`) and the code's own location.

    python benchmarks/same_bundles.py BEFORE AFTER

BEFORE and AFTER are either two bundle folders or two folders holding bundles of the same
names. Exit status 0 when every pair is the same, 1 otherwise; each difference is printed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

VOLATILE_META = ("created", "timings")


def bundles_in(folder: Path) -> dict[str, Path]:
    """The bundles in `folder` by name, or `folder` itself when it is one."""
    if (folder / "meta.json").is_file():
        return {folder.name: folder}
    return {p.name: p for p in sorted(folder.iterdir()) if (p / "meta.json").is_file()}


def meta_without_volatile(path: Path) -> dict:
    meta = json.loads((path / "meta.json").read_text())
    for key in VOLATILE_META:
        meta.pop(key, None)
    return meta


def differences(before: Path, after: Path) -> list[str]:
    """What differs between two bundles, in words; empty when they are the same."""
    found = []
    left = pd.read_parquet(before / "messages.parquet")
    right = pd.read_parquet(after / "messages.parquet")
    if list(left.columns) != list(right.columns):
        found.append(f"messages columns differ: {list(left.columns)} vs {list(right.columns)}")
    elif not left.equals(right):
        changed = [c for c in left.columns if not left[c].equals(right[c])]
        found.append(f"messages differ in columns {changed}")
    for name in ("topics.json",):
        if json.loads((before / name).read_text()) != json.loads((after / name).read_text()):
            found.append(f"{name} differs")
    if meta_without_volatile(before) != meta_without_volatile(after):
        found.append("meta.json differs (beyond created/timings)")
    arrays = {p.name for p in before.glob("*.npy")} | {p.name for p in after.glob("*.npy")}
    for name in sorted(arrays):
        a, b = before / name, after / name
        if not (a.is_file() and b.is_file()) or a.read_bytes() != b.read_bytes():
            found.append(f"{name} differs")
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        print("usage: python benchmarks/same_bundles.py BEFORE AFTER", file=sys.stderr)
        return 2
    before, after = bundles_in(Path(argv[0])), bundles_in(Path(argv[1]))
    status = 0
    for name in sorted(before.keys() | after.keys()):
        if name not in before or name not in after:
            print(f"{name}: only in {'after' if name in after else 'before'}")
            status = 1
            continue
        found = differences(before[name], after[name])
        print(f"{name}: {'same' if not found else '; '.join(found)}")
        status |= bool(found)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
