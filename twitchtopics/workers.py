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
