"""Progress on stderr, never stdout, and the timing of every stage.

`Stages` times each named stage (the timings go into the bundle's meta.json) and, unless
quiet, tells the user on stderr what is running. A stage that lasts more than
`BAR_DELAY_S` also gets a tqdm bar: its elapsed time, ticking, and its count of work done
when the stage reports one (`progress.total(n)`, `progress.update(k)`). Quick stages show
no bar, so short runs stay readable.
"""

from __future__ import annotations

import gc
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

BAR_DELAY_S = 2.0
"""A stage's bar appears once it has run this long."""

TICK_S = 0.5
"""How often a shown bar refreshes its elapsed time."""


class StageProgress:
    """What a running stage may report: how much work there is, and how much is done.

    A no-op when bars are off, so callers never check."""

    def __init__(self, bar: Any | None = None) -> None:
        self._bar = bar

    def total(self, n: int) -> None:
        if self._bar is not None:
            self._bar.total = int(n)
            self._bar.bar_format = None  # tqdm's own: percentage, bar, counts, rates

    def update(self, k: int = 1) -> None:
        if self._bar is not None:
            if self._bar.total is None:
                self._bar.bar_format = _COUNT_FORMAT
            self._bar.update(int(k))


_ELAPSED_FORMAT = "{desc}: {elapsed}"
_COUNT_FORMAT = "{desc}: {n_fmt} done [{elapsed}, {rate_fmt}]"


class Stages:
    """Record wall time per stage and report progress on stderr.

    `quiet` silences everything; `bars=False` keeps the one-line stage messages but no bars
    (parallel workers sharing one terminal). `freeze_survivors` is for a process that runs
    one log and exits (the `cluster` command): after each stage, what is still alive is moved
    out of the cyclic garbage collector's reach (`gc.freeze`). A run keeps millions of
    objects to its end (the messages' strings, the describe step's per-text caches), and each
    full collection walked all of them and freed next to nothing: on the 100k benchmark log
    the collections took 2.4 s, and the run went 29.1 -> 26.8 s (1M: 72.7 -> 68.3 s) with the
    same peak memory. Objects still die when their last reference goes; only reference cycles
    made before a stage's end and dropped later are kept, which a process about to exit can
    afford and a long-lived one (a notebook, a season's worker) should not.
    """

    def __init__(
        self,
        *,
        quiet: bool = False,
        label: str = "",
        bars: bool = True,
        freeze_survivors: bool = False,
    ) -> None:
        self.quiet = quiet
        self.label = label
        self.bars = bars
        self.freeze_survivors = freeze_survivors
        self.timings: dict[str, float] = {}

    @property
    def show_bars(self) -> bool:
        """Whether progress bars are drawn (also by steps with bars of their own)."""
        return self.bars and not self.quiet

    def _say(self, text: str) -> None:
        if not self.quiet:
            prefix = f"[{self.label}] " if self.label else ""
            print(f"{prefix}{text}", file=sys.stderr, flush=True)

    @contextmanager
    def stage(self, name: str, detail: str = "", *, bar: bool = True) -> Iterator[StageProgress]:
        """Time a stage; its duration is added to `timings[name]`. Yields a `StageProgress`.

        `bar=False` for a stage that draws its own bar (embedding).
        """
        self._say(f"{name}{': ' + detail if detail else ''}...")
        began = time.perf_counter()
        shown = self._delayed_bar(name) if bar and self.show_bars else None
        try:
            yield StageProgress(shown[0] if shown else None)
        finally:
            if shown is not None:
                bar_obj, stop, ticker = shown
                stop.set()
                ticker.join()
                bar_obj.close()
            elapsed = time.perf_counter() - began
            self.timings[name] = round(self.timings.get(name, 0.0) + elapsed, 3)
            from twitchtopics.memory import release_freed_memory

            release_freed_memory()  # the next stage does not stack on this one's freed pages
            if self.freeze_survivors:
                gc.freeze()

    def _delayed_bar(self, name: str) -> tuple[Any, threading.Event, threading.Thread]:
        """A bar that stays hidden for `BAR_DELAY_S`, then refreshes every `TICK_S` from a
        daemon thread (so a stage without counts still shows that it is alive)."""
        from tqdm.auto import tqdm

        desc = f"[{self.label}] {name}" if self.label else name
        bar = tqdm(
            total=None,
            desc=desc,
            file=sys.stderr,
            leave=False,
            delay=BAR_DELAY_S,
            mininterval=TICK_S,
            bar_format=_ELAPSED_FORMAT,
            dynamic_ncols=True,
        )
        stop = threading.Event()

        def tick() -> None:
            while not stop.wait(TICK_S):
                if time.time() - bar.start_t >= BAR_DELAY_S:
                    bar.refresh()

        ticker = threading.Thread(target=tick, name=f"progress-{name}", daemon=True)
        ticker.start()
        return bar, stop, ticker

    @property
    def total(self) -> float:
        return round(sum(self.timings.values()), 3)
