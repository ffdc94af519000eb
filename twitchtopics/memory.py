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
import sys
from collections.abc import Callable


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
