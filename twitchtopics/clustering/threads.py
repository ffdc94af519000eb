"""One BLAS/OpenMP thread for the clustering's numerical steps, in every run alike.

`threadpoolctl.threadpool_limits` limits the thread pools of the libraries loaded when it is
entered; a library loaded inside the block keeps its own default. scipy's OpenBLAS and
scikit-learn's OpenMP load on first use (the n-gram SVD's first call), so the first fit of a
process ran its SVD on every core and every later fit on one: the first `ChatTopics.fit` in a
process gave other groups than the next ones (on 1699408450 the labels differed between the
first and second fit of one process, and a `cluster` run differed from a season worker's
later streams, which load everything with OMP_NUM_THREADS=1). Loading them before the limit
makes every fit the same. The n-gram SVD no longer uses scikit-learn (`sparse_svd`), and the
clustering's other scikit-learn code (fallbacks for small or broken Ward graphs) runs no
OpenMP, so only the BLAS pools are loaded first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from typing import TypeVar

R = TypeVar("R")


def load_thread_pools() -> None:
    """Import the libraries whose native thread pools the clustering uses (numpy's and
    scipy's BLAS and LAPACK), so that a limit set now reaches all of them."""
    import numpy  # noqa: F401
    import scipy.linalg  # noqa: F401
    import scipy.sparse.linalg  # noqa: F401


MAX_COMPILED_THREADS = 4
"""At most this many threads run the clustering's compiled loops side by side (the layout's
batches and schedule, the n-gram SVD's products): the layout's parts each read every edge
of a batch, so beyond a few parts that reading costs more than the split saves."""


def compiled_threads() -> int:
    """Threads for the compiled loops: the cores the kNN search may use
    (`neighbors.knn_threads`: one in a season's single-thread streams), at most
    `MAX_COMPILED_THREADS`."""
    from twitchtopics.clustering.neighbors import knn_threads

    return max(1, min(MAX_COMPILED_THREADS, knn_threads()))


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Every loaded BLAS and OpenMP pool limited to one thread for the duration (after
    `load_thread_pools`), then restored."""
    from threadpoolctl import threadpool_limits

    load_thread_pools()
    with threadpool_limits(limits=1):
        yield


def in_parts(pool: Executor | None, parts: int, n: int, run: Callable[[int, int], R]) -> list[R]:
    """`run(lo, hi)` over `parts` contiguous ranges of ``range(n)`` of equal length, side by
    side (`in_ranges`)."""
    bounds = [n * i // parts for i in range(parts + 1)]
    return in_ranges(pool, list(zip(bounds[:-1], bounds[1:], strict=True)), run)


def in_ranges(
    pool: Executor | None, ranges: list[tuple[int, int]], run: Callable[[int, int], R]
) -> list[R]:
    """`run(lo, hi)` over `ranges`, side by side: the first range in this thread, the others
    on `pool` (compiled code that holds no GIL: the layout's batches, the kNN's re-rank, the
    n-gram SVD's products); the results in range order. Callers split work whose result does
    not depend on where the ranges fall."""
    if pool is None:
        return [run(lo, hi) for lo, hi in ranges]
    pending = [pool.submit(run, lo, hi) for lo, hi in ranges[1:]]
    first = run(*ranges[0])
    return [first, *(future.result() for future in pending)]
