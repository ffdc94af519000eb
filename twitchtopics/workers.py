"""Worker processes for runs over many logs (`cluster LOGS --jobs N`, `season`): one spawned
process per log at a time, one thread each, with the caller's registrations."""

from __future__ import annotations

import os
import sys
from typing import Any


def single_thread_worker(registrations: dict[str, Any] | None = None) -> None:
    """Worker start-up for parallel runs: one thread each, so that N logs use N cores, and the
    parent's run-time registrations (`twitchtopics.registry.snapshot()`), so that a component
    registered by the caller (a test's fake embedder) is what the worker uses too. Such a
    worker clusters many logs, so Ward's compiled loop pays for itself
    (`ward.prefer_compiled_loop`)."""
    from twitchtopics.clustering.ward import prefer_compiled_loop

    prefer_compiled_loop()
    if registrations:
        from twitchtopics import registry

        registry.restore(registrations)
    os.environ["OMP_NUM_THREADS"] = "1"  # read by torch, numba and BLAS when they load
    os.environ["NUMBA_NUM_THREADS"] = "1"
    torch = sys.modules.get("torch")  # not imported here: a static model's run never needs it
    if torch is not None:
        torch.set_num_threads(1)


def worker_pool(jobs: int) -> Any:
    """A `ProcessPoolExecutor` of `jobs` spawned processes (no fork of a loaded model), each
    started by `single_thread_worker` with the caller's registrations: the one way `cluster`
    and `season` run logs in parallel."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from twitchtopics import registry

    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=single_thread_worker,
        initargs=(registry.snapshot(),),
    )


GLIBC_MMAP_THRESHOLD = 32 * 2**20
"""glibc's own ceiling for its dynamic mmap threshold on 64-bit (DEFAULT_MMAP_THRESHOLD_MAX):
what a long-running process's threshold grows to when it is left alone."""


def reuse_freed_memory() -> bool:
    """Undo a low `MALLOC_TRIM_THRESHOLD_` in this process (Dask's nanny gives its workers
    65536, to report less unmanaged memory): with it glibc stops adapting its mmap threshold,
    so every array over 128 KB is mapped, faulted in and unmapped again, and the layout's
    epochs of mid-sized temporaries ran 2.6x slower (6.7 s against 2.6 s on 9,000 points; the
    10-stream season's reductions took 92 s on Dask against 55 s in local processes). Sets
    glibc's thresholds back to where it would have grown them; True when it did (glibc, and the
    variable set), False elsewhere (nothing to undo)."""
    if not os.environ.get("MALLOC_TRIM_THRESHOLD_") or not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl or another libc: its own allocator rules
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3  # <malloc.h>
    return bool(
        mallopt(m_mmap_threshold, GLIBC_MMAP_THRESHOLD)
        and mallopt(m_trim_threshold, 2 * GLIBC_MMAP_THRESHOLD)
    )
