"""Import UMAP so that its numba JIT compilation is paid once per machine, not per run.

UMAP compiles its numba functions in every new process (10-20 s on a laptop before the
first point is reduced) because it does not ask numba to cache them. Importing it while
`numba.njit` defaults to `cache=True` stores the compiled code on disk (next to the
package, or numba's user-wide cache folder when that is read-only), so later processes load
it in about a second. The patch is undone as soon as UMAP is imported.
"""

from __future__ import annotations

import warnings
from types import ModuleType


def import_umap() -> ModuleType:
    """`import umap`, with numba's on-disk cache on for the functions it defines."""
    import sys

    if "umap" in sys.modules:
        return sys.modules["umap"]
    import numba

    original = numba.njit

    def cached_njit(*args, **kwargs):
        kwargs.setdefault("cache", True)
        return original(*args, **kwargs)

    numba.njit = cached_njit
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=numba.NumbaWarning)
            import umap
    finally:
        numba.njit = original
    warnings.filterwarnings("ignore", category=numba.NumbaWarning)
    return umap
