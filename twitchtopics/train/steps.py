"""The work folder of `twitchtopics train`: one folder per step, a `DONE` marker when it
finished (so `--resume` skips it), its stats as JSON, and progress lines on stderr.
"""

from __future__ import annotations

import json
import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from twitchtopics.safe_output import atomic_write_bytes


def say(progress: bool, text: str) -> None:
    """Progress on stderr."""
    if progress:
        print(f"[train] {text}", file=sys.stderr, flush=True)


def read_json(path: Path) -> dict:
    """A JSON file written by `write_json`."""
    return json.loads(path.read_text(encoding="utf-8"))


def write_json(path: Path, data: Any) -> None:
    """`data` as indented JSON, written atomically (a killed run leaves the old file or the new)."""
    atomic_write_bytes(path, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))


def is_done(step_dir: Path) -> bool:
    """Whether a step finished (its `DONE` marker is written last)."""
    return (step_dir / "DONE").is_file()


def mark_done(step_dir: Path, stats: dict) -> None:
    """Record a finished step: its stats, then the `DONE` marker."""
    write_json(step_dir / "stats.json", stats)
    (step_dir / "DONE").write_text(datetime.now(timezone.utc).isoformat() + "\n", encoding="utf-8")


def fresh_step_dir(step_dir: Path, *, keep: tuple[str, ...] = ()) -> None:
    """Empty an unfinished step's folder, keeping `keep` (Trainer checkpoints to resume from)."""
    step_dir.mkdir(parents=True, exist_ok=True)
    for child in step_dir.iterdir():
        if child.name in keep:
            continue
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()
