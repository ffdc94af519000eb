"""Progress on stderr, never stdout, and the timing of every stage.

`Stages` times each named stage (the timings go into the bundle's meta.json) and, unless
quiet, tells the user on stderr what is running; long stages can open a tqdm bar through
`bar()`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class Stages:
    """Record wall time per stage and report progress on stderr."""

    def __init__(self, *, quiet: bool = False, label: str = "") -> None:
        self.quiet = quiet
        self.label = label
        self.timings: dict[str, float] = {}

    def _say(self, text: str) -> None:
        if not self.quiet:
            prefix = f"[{self.label}] " if self.label else ""
            print(f"{prefix}{text}", file=sys.stderr, flush=True)

    @contextmanager
    def stage(self, name: str, detail: str = "") -> Iterator[None]:
        """Time a stage; its duration is added to `timings[name]`."""
        self._say(f"{name}{': ' + detail if detail else ''}...")
        began = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - began
            self.timings[name] = round(self.timings.get(name, 0.0) + elapsed, 3)

    def bar(self, total: int, desc: str) -> Any:
        """A tqdm progress bar on stderr (disabled when quiet)."""
        from tqdm.auto import tqdm

        return tqdm(
            total=total,
            desc=desc,
            file=sys.stderr,
            disable=self.quiet,
            leave=False,
            mininterval=0.5,
        )

    @property
    def total(self) -> float:
        return round(sum(self.timings.values()), 3)
