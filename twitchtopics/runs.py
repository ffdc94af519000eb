"""A log file in, a bundle out: `cluster_log` reads one log, fits `ChatTopics` on it and writes
its bundle. It is what `twitchtopics cluster` runs for each log (`cluster_to_bundle` in each
worker of a multi-log run), what a season's streams run and what the benchmarks call, so that
every measurement goes through the same code path as a user, in the CLI or in Python.

The top of the orchestration: above `pipeline` (the steps) and `topics_model` (`ChatTopics`).
"""

from __future__ import annotations

import os
from pathlib import Path

from twitchtopics import registry
from twitchtopics.bundle import bundle_path_for, load_bundle
from twitchtopics.cache import runs as runs_cache
from twitchtopics.cache.folder import cache_dir
from twitchtopics.cache.logs import read_log_cached
from twitchtopics.pipeline import ClusterOptions, ClusterResult
from twitchtopics.progress import Stages
from twitchtopics.readers import ChatLog, read_log
from twitchtopics.topics_model import ChatTopics

__all__ = ["ClusterOptions", "ClusterResult", "cluster_log", "cluster_to_bundle"]


def cluster_log(
    path: str | os.PathLike[str],
    options: ClusterOptions | None = None,
    *,
    out: str | os.PathLike[str] | None = None,
    stages: Stages | None = None,
    save: bool = True,
) -> ClusterResult:
    """Read one log, fit `ChatTopics` on it (normalise, embed, cluster, describe) and write its
    bundle unless `save=False`: what `twitchtopics cluster` runs for each log.

    `out` is the bundle folder (default `<log name>.twitchtopics` in the current directory).
    With `save` and the cache on, a run identical to an earlier one (same log bytes, options,
    code and libraries: `twitchtopics.cache.runs`) copies that run's bundle back instead, its
    meta.json this run's; its `messages` are then read back from the bundle.
    """
    options = options or ClusterOptions()
    model = ChatTopics.from_options(options)  # checks every option before reading
    stages = stages or Stages(quiet=True)
    log_path = Path(path)
    target = Path(out) if out else bundle_path_for(log_path)
    run = None
    if save and options.use_cache:
        request = runs_cache.run_request(options)
        run = runs_cache.run_key(log_path, request, builtin=registry.builtin_run(request))
    if run is not None:
        reused = runs_cache.reuse(run, log_path, target, stages)
        if reused is not None:
            return reused_result(target, reused, stages)
    with stages.stage("read", str(log_path)):
        log = read_chat_log(log_path, options)
    model.fit(log, stages=stages)
    result = ClusterResult(
        messages=model.messages_,
        topics=model.topic_list_,
        meta=model.meta_,
        timings=stages.timings,
        arrays=model.arrays_,
        themes=model.themes_,
    )
    if save:
        result.path = model.save(target)
        if run is not None:
            runs_cache.remember(run, result.path, result.meta)
            runs_cache.remember_defaults(runs_cache.run_request(ClusterOptions()))
    return result


def reused_result(path: Path, meta: dict, stages: Stages) -> ClusterResult:
    """The result of a run whose bundle came from the run cache, read back from `path`
    (`meta`: the one written, its timings this run's)."""
    bundle = load_bundle(path)
    arrays = {file.name: bundle.array(file.name) for file in sorted(path.glob("*.npy"))}
    return ClusterResult(
        messages=bundle.messages,
        topics=bundle.topics,
        meta=meta,
        path=path,
        themes=bundle.themes,
        timings=stages.timings,
        arrays=arrays,
    )


def read_chat_log(path: Path, options: ClusterOptions) -> ChatLog:
    """`read_log` with the options' read settings, through the read cache unless `--no-cache`
    (`twitchtopics.cache.logs`: 5.8 -> 1.4 s for the 1M-message speed log)."""
    settings = {
        "columns": options.columns,
        "start": options.start,
        "tz": options.tz,
        "bots": options.bots,
    }
    if options.use_cache:
        return read_log_cached(path, options.format, cache_dir=cache_dir(), **settings)
    return read_log(path, options.format, **settings)


def cluster_to_bundle(path: Path, options: ClusterOptions, out: Path | None, quiet: bool) -> Path:
    """Cluster one log into its bundle; what each worker of a multi-log run does."""
    stages = Stages(quiet=quiet, label=Path(path).name, bars=False)
    result = cluster_log(path, options, out=out, stages=stages)
    assert result.path is not None
    return result.path
