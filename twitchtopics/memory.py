"""Give the memory a finished stage freed back to the system.

glibc's malloc keeps freed blocks inside the process for reuse, so after a stage that built
large temporary arrays (the n-gram matrix, UMAP's graph, Ward's heap, the themes' distance
matrix) the process keeps their pages, and the next stage's own arrays come on top of them.
Asking glibc to trim after each stage (`Stages.stage`) lowered the sampled peaks of the
1M-message benchmark log (benchmarks/speed.py's, default model, 3 December): clustering
2,924 -> 2,824 MiB, themes 3,010 -> 2,882 MiB, after the keywords 2,867 -> 2,646 MiB. A trim
took 17 ms on a heap with little to give back and 184 ms after 1.2 GiB had been freed (it is
not counted in the stage's time). Elsewhere than glibc (macOS, Windows, musl) this does
nothing.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:  # glibc's soname: ctypes.util.find_library would run ldconfig (~30 ms) to find it
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def release_freed_memory() -> bool:
    """Return the heap's free pages to the system; False where the C library cannot."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for a block; as it was afterwards.

    Reading a log and describing its groups build millions of containers that live to the
    end of the step (a list per CSV record, each distinct text's flags, tokens and phrases);
    every full collection walks all of them and frees nothing. Paused: 1M CSV rows read in
    6.9 instead of 12.3 s, and the describe step of the 1M-message benchmark log took 51.6
    instead of 57.6 s. Neither step makes many reference cycles; those it makes are collected
    once the collector runs again.

    What the block made and kept goes to the oldest generation unwalked (`_promote_survivors`):
    on being switched back on, the collector walked all of it in young collections that freed
    nothing (0.28 s at the end of the describe step of a 100k-message run).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            _promote_survivors()
            gc.enable()


def _promote_survivors() -> None:
    """Move every object the collector tracks to its oldest generation without walking them,
    so that the next young collections do not walk a paused block's survivors (describing the
    100k-message benchmark log: 6.22 -> 5.87 s CPU, same output; 1.2M containers live).

    `gc.freeze` then `gc.unfreeze` does it: what was frozen comes back to the oldest generation,
    where a full collection still sees it, so a cycle dropped later is still collected. Where
    survivors are frozen already (`Stages.freeze_survivors`, a process that runs one log and
    exits) the block's survivors are frozen too, as they would be at the end of the stage.
    """
    frozen = gc.get_freeze_count()
    gc.freeze()
    if not frozen:
        gc.unfreeze()
