"""Where a season's streams are clustered: in this process, in local processes, or on a Dask
cluster; one progress bar (streams done / total) on stderr whichever it is.

Every runner calls `streams.process_stream` once per stream and returns its records in the
order of the logs; a stream that fails is a `failed` record, never an exception, so the
others complete.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from twitchtopics.errors import TwitchTopicsError
from twitchtopics.season.streams import process_stream

SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
DISTRIBUTED_HINT = "pip install 'twitchtopics[distributed]'"
CONNECT_TIMEOUT_S = 15
"""How long the client waits for the scheduler before saying it cannot reach it."""


class SeasonBar:
    """One bar for the whole season: streams done out of the total, failures counted."""

    def __init__(self, total: int, quiet: bool) -> None:
        from tqdm.auto import tqdm

        self.failed = 0
        self._bar = tqdm(
            total=total,
            desc="season",
            unit="stream",
            file=sys.stderr,
            disable=quiet,
            dynamic_ncols=True,
        )

    def done(self, record: dict[str, Any]) -> None:
        if record.get("status") == "failed":
            self.failed += 1
            self._bar.set_postfix(failed=self.failed, refresh=False)
        self._bar.update(1)

    def close(self) -> None:
        self._bar.close()


def run_streams(
    logs: list[str],
    targets: list[str],
    options: Any,
    *,
    scheduler: Any = None,
    jobs: int | None = None,
    quiet: bool = False,
    in_process: bool = False,
) -> list[dict[str, Any]]:
    """Cluster (or keep) every stream's bundle; one record per log, in the logs' order.

    `scheduler`: a Dask scheduler address (`tcp://host:8786`) or a `distributed` cluster
    object; None runs local worker processes, `jobs` at once (even one: a stream that
    crashes its process or runs out of memory fails alone, and every stream runs in a fresh
    one-thread process as on Dask, which gives the same bundles). `in_process` runs them here,
    one after the other (tests, debugging)."""
    bar = SeasonBar(len(logs), quiet)
    try:
        if scheduler is not None:
            return _on_dask(scheduler, logs, targets, options, bar.done)
        if in_process:
            return _in_this_process(logs, targets, options, bar.done)
        jobs = min(jobs or os.cpu_count() or 1, max(len(logs), 1))
        return _in_local_processes(logs, targets, options, jobs, bar.done)
    finally:
        bar.close()


def largest_first(logs: list[str]) -> list[int]:
    """Indices of the logs, largest file first (ties in the given order).

    Streams are independent and their cost grows with their size, so starting the largest
    first keeps a long stream from starting last and running alone while the other workers
    sit idle (longest-processing-time-first scheduling; the season's records keep the order
    of the logs whatever the order of the work)."""

    def size(i: int) -> int:
        try:
            return os.path.getsize(logs[i])
        except OSError:
            return 0  # it fails on its own when its turn comes

    return sorted(range(len(logs)), key=lambda i: (-size(i), i))


def _in_this_process(logs, targets, options, done: Callable) -> list[dict[str, Any]]:
    records = []
    for log, target in zip(logs, targets, strict=True):
        records.append(process_stream(log, target, options))
        done(records[-1])
    return records


def _in_local_processes(logs, targets, options, jobs: int, done: Callable) -> list[dict]:
    """One process per stream at a time (spawned, one thread each), as `cluster --jobs`.

    A worker that dies (killed, out of memory) breaks the whole pool, and every stream still
    in it fails with it: those streams are run again one at a time, each in a pool of its
    own, so that only the stream that kills its process is reported failed."""
    records: list[dict[str, Any] | None] = [None] * len(logs)
    broken = _run_pool(largest_first(logs), logs, targets, options, jobs, records, done)
    for i in broken:
        _run_pool([i], logs, targets, options, 1, records, done)
    return [r for r in records if r is not None]


def _run_pool(indices, logs, targets, options, jobs, records, done: Callable) -> list[int]:
    """Run these streams in one pool; the indices of those lost to a broken pool (not done)."""
    from concurrent.futures import as_completed
    from concurrent.futures.process import BrokenProcessPool

    from twitchtopics.workers import worker_pool

    lost = []
    with worker_pool(jobs) as pool:
        futures = {pool.submit(process_stream, logs[i], targets[i], options): i for i in indices}
        for future in as_completed(futures):
            i = futures[future]
            if isinstance(future.exception(), BrokenProcessPool) and len(futures) > 1:
                lost.append(i)
                continue
            records[i] = _record_or_failure(future, logs[i], targets[i])
            done(records[i])
    return sorted(lost)


def _record_or_failure(future, log: str, target: str) -> dict[str, Any]:
    """The task's record; a worker that died (killed, out of memory) is that stream's failure."""
    from concurrent.futures.process import BrokenProcessPool
    from pathlib import Path

    try:
        return future.result()
    except BrokenProcessPool:
        reason = "its worker process died (killed, or out of memory)"
    except Exception as exc:  # noqa: BLE001 - the worker process, not the stream, failed
        reason = " ".join(str(exc).split()) or type(exc).__name__
    return {"log": log, "bundle": Path(target).name, "status": "failed", "reason": reason}


def scheduler_address(option: str | None) -> str | None:
    """`--scheduler`, else $DASK_SCHEDULER_ADDRESS, else None (local processes)."""
    value = (option or os.environ.get(SCHEDULER_ENV) or "").strip()
    return value or None


def _client(scheduler: Any):
    """A Dask client for an address or a cluster object; one clear line when it fails."""
    from twitchtopics.extras import require

    require("distributed", "--scheduler (running the streams on Dask)")
    try:
        from dask.distributed import Client
    except ImportError:  # found but broken, or blocked
        raise TwitchTopicsError(
            f"--scheduler needs Dask's distributed scheduler: {DISTRIBUTED_HINT}"
        ) from None
    try:
        return Client(scheduler, timeout=f"{CONNECT_TIMEOUT_S}s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise TwitchTopicsError(
            f"cannot reach the Dask scheduler at {scheduler}: {' '.join(str(exc).split())}"
        ) from None


def _on_dask(scheduler, logs, targets, options, done: Callable) -> list[dict[str, Any]]:
    """Submit one task per stream to the cluster; workers read the logs and write the bundles
    (both paths must be visible to them), the records come back here for linking."""
    client = _client(scheduler)
    from dask.distributed import as_completed

    records: list[dict[str, Any] | None] = [None] * len(logs)
    try:
        order = largest_first(logs)
        futures = {  # Dask runs higher priorities first: the largest log first
            client.submit(
                process_stream, logs[i], targets[i], options, pure=False, priority=len(logs) - rank
            ): i
            for rank, i in enumerate(order)
        }
        with client.as_current():  # as_completed finds its client as the current one
            for future in as_completed(futures):
                i = futures[future]
                records[i] = _record_or_failure(future, logs[i], targets[i])
                done(records[i])
    finally:
        client.close()
    return [r for r in records if r is not None]
