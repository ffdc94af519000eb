"""`twitchtopics cluster LOG...`: topics over time, printed and saved as a bundle."""

from __future__ import annotations

import gc
import json
import os
from pathlib import Path
from types import SimpleNamespace

import click

from twitchtopics.cli._common import (
    echo,
    one_line_errors,
    quiet_warnings_option,
    reading_options,
    render,
)
from twitchtopics.cli._options import command_line_values, parse_top
from twitchtopics.errors import TwitchTopicsError
from twitchtopics.options import DEFAULT_MODEL


def bundle_targets(logs: list[Path], out: str | None) -> list[Path]:
    """Where each log's bundle goes: `--out NAME.twitchtopics` for one log, else one distinct
    bundle per log in `--out` (default: the current folder), named by `bundle_paths_for`."""
    from twitchtopics.bundle import BUNDLE_SUFFIX, bundle_paths_for

    if out is not None and out.endswith(BUNDLE_SUFFIX):
        if len(logs) > 1:
            raise TwitchTopicsError(
                "--out NAME.twitchtopics names one bundle; give a folder for several logs"
            )
        return [Path(out)]
    return bundle_paths_for(list(logs), out or ".")


def distinct_logs(logs: tuple[Path, ...]) -> list[Path]:
    """The logs, each file once (a file given twice is clustered once, and said so)."""
    seen: set[str] = set()
    kept = []
    for log in logs:
        key = os.path.abspath(log)
        if key in seen:
            click.echo(f"{log}: given more than once; clustered once", err=True)
            continue
        seen.add(key)
        kept.append(log)
    return kept


@click.command()
@click.argument("logs", nargs=-1, required=True, type=click.Path(readable=False, path_type=Path))
@click.option(
    "--model",
    "-m",
    default=None,
    metavar="NAME|PATH",
    help=f"Embedding model ({DEFAULT_MODEL} by default): static (a static distillation of the "
    "packaged all-MiniLM-L6-v2, ~100x faster to embed), minilm (the packaged all-MiniLM-L6-v2 "
    "itself), or a sentence-transformers / model2vec folder or cached hub name.",
)
@click.option(
    "--time-scale",
    default="auto",
    show_default=True,
    metavar="SECONDS|auto|none",
    help="Seconds per unit of the time feature (the seed used 600); 'auto' picks it from the "
    "chat's span and size; 'none' clusters on text alone.",
)
@click.option(
    "--method",
    default="ward",
    show_default=True,
    metavar="ward|hdbscan|NAME",
    help="ward: every message in a group (kNN-graph Ward, reactions grouped by kind); "
    "hdbscan: the seed's density clustering, with outliers; or a method registered in "
    "twitchtopics.registry.clusterers.",
)
@click.option(
    "--min-cluster-size",
    type=click.IntRange(min=2),
    default=None,
    help="Smallest group kept; smaller ones become outliers [default: from the log's size].",
)
@click.option(
    "--min-samples",
    type=click.IntRange(min=1),
    default=None,
    help="HDBSCAN min_samples (with --method hdbscan).",
)
@click.option(
    "--seed",
    type=int,
    default=42,
    show_default=True,
    help="Random seed, 0..4294967295 (same seed, same topics).",
)
@click.option(
    "--top",
    default="5",
    show_default=True,
    metavar="N|all",
    callback=lambda _ctx, _param, value: parse_top(value),
    help="Most typical messages shown per group; 'all' lists every message in time order.",
)
@click.option(
    "--scores",
    is_flag=True,
    help="Show per message its centrality (1 = most typical of its group) and silhouette "
    "(-1..1, how much better it fits its group than the next).",
)
@click.option(
    "--labeler",
    default=None,
    metavar="PATH",
    help="A local text-generation model folder (transformers; an instruction model) that "
    "writes each group's label from its keywords and typical messages, on the CPU, nothing "
    "downloaded; its answers are cached. Default: the best phrase chatters wrote.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--out",
    "-o",
    default=None,
    metavar="DIR",
    help="Folder for the bundle(s), or the bundle's own name ending in .twitchtopics.",
)
@reading_options
@click.option(
    "--include", default=None, metavar="commands,bots,system", help="Also cluster these kinds."
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Do not read or write the caches (embeddings, UMAP reductions, groupings, descriptions).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Logs clustered at once [default: one per core, at most one per log].",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
@one_line_errors
@quiet_warnings_option
def cluster(
    logs,
    model,
    time_scale,
    method,
    min_cluster_size,
    min_samples,
    seed,
    top,
    scores,
    labeler,
    as_json,
    out,
    fmt,
    columns,
    start,
    tz,
    bots,
    include,
    no_cache,
    jobs,
    quiet,
) -> None:
    """Cluster the chat of LOGS into topics over time; print them and save a bundle.

    Each log gets a bundle folder `<log name>.twitchtopics/` (in the current
    directory, or --out) that `twitchtopics report` reads without recomputing.
    """
    values = command_line_values(
        model=model,
        time_scale=time_scale,
        method=method,
        min_cluster_size=min_cluster_size,
        min_samples=min_samples,
        seed=seed,
        include=include,
        no_cache=no_cache,
        fmt=fmt,
        columns=columns,
        start=start,
        tz=tz,
        bots=bots,
    )
    values["labeler"] = labeler
    if len(logs) == 1 and not no_cache:
        if _print_reused(
            logs[0], values, out, quiet=quiet, top=top, scores=scores, as_json=as_json
        ):
            return
    from twitchtopics.pipeline import ClusterOptions
    from twitchtopics.progress import Stages
    from twitchtopics.readers import check_log_path
    from twitchtopics.runs import cluster_log
    from twitchtopics.safe_output import sanitize_terminal
    from twitchtopics.topics_model import ChatTopics

    options = ClusterOptions(**values)
    ChatTopics.from_options(options)  # the library checks every option before any work
    for log in logs:
        check_log_path(log)  # missing, link loop, folder, device, unreadable: one line now
    logs = distinct_logs(logs)
    many = len(logs) > 1
    targets = bundle_targets(logs, out)
    _check_targets(logs, targets)
    jobs = min(jobs or os.cpu_count() or 1, len(logs))
    try:
        if jobs > 1:
            results = _cluster_in_parallel(logs, options, targets, jobs, quiet)
        else:
            results = []
            for log, target in zip(logs, targets, strict=True):
                stages = Stages(
                    quiet=quiet,
                    label=sanitize_terminal(log.name) if many else "",
                    freeze_survivors=not many,  # one log, then the process exits
                )
                results.append(cluster_log(log, options, out=target, stages=stages))
        payloads = []
        for log, result in zip(logs, results, strict=True):
            result.meta["bundle_path"] = str(result.path)
            if as_json:
                payloads.append(_payload(result, top))
                continue
            if many:
                echo(f"==================== {log} ====================")
            _print_groups(result, top, scores)
        if as_json:
            click.echo(render(payloads[0] if not many else payloads, "json"))

    finally:
        if not many:  # what the one-log run froze (`Stages.freeze_survivors`) back to the
            gc.unfreeze()  # collector: tests and other callers run this command in-process


def _payload(result, top: int | None) -> dict:
    """`--json`'s document of one log's result."""
    from twitchtopics.report.printout import groups_as_json

    return groups_as_json(
        result.messages, result.topics, result.meta, top=top, themes=result.themes
    )


def _print_groups(result, top: int | None, scores: bool) -> None:
    """The printout of one log's result, then where its bundle is."""
    from twitchtopics.report.printout import format_groups

    echo(
        format_groups(
            result.messages,
            result.topics,
            result.meta,
            top=top,
            scores=scores,
            themes=result.themes,
        )
    )
    echo(f"bundle: {result.path}")


def _print_reused(
    log: Path,
    values: dict,
    out: str | None,
    *,
    quiet: bool,
    top: int | None,
    scores: bool,
    as_json: bool,
) -> bool:
    """Print what the identical earlier run printed, its bundle copied back from the run
    cache (`twitchtopics.cache.runs`) as this run's; False when there is none (then the run
    is made). `--json --top 0` needs neither pandas nor the messages table (0.5 -> 0.1 s on
    the 10k speed log); other printouts read the bundle back."""
    from twitchtopics import registry
    from twitchtopics.cache import runs as runs_cache

    request = runs_cache.request_from_values(values)
    run = runs_cache.run_key(log, request, builtin=registry.builtin_run(request))
    if run is None or not runs_cache.has_entry(run):
        return False
    from twitchtopics.progress import Stages

    target = bundle_targets([log], out)[0]
    meta = runs_cache.reuse(run, log, target, Stages(quiet=quiet))
    if meta is None:
        return False  # a damaged entry, now deleted: the run is made and stored again
    meta["bundle_path"] = str(target)
    if as_json and top == 0:
        from twitchtopics.report.payload import payload_without_messages

        contents = json.loads((target / "topics.json").read_text(encoding="utf-8"))
        payload = payload_without_messages(meta, contents["topics"], contents.get("themes"))
        click.echo(render(payload, "json"))
        return True
    from twitchtopics.bundle import load_bundle

    bundle = load_bundle(target)
    result = SimpleNamespace(
        messages=bundle.messages, topics=bundle.topics, meta=meta, themes=bundle.themes, path=target
    )
    if as_json:
        click.echo(render(_payload(result, top), "json"))
    else:
        _print_groups(result, top, scores)
    return True


def _check_targets(logs, targets) -> None:
    """Every bundle path writable before any log is embedded (a one-line error otherwise)."""
    from twitchtopics.bundle import bundle_path_for
    from twitchtopics.bundle_safety import check_target

    for log, target in zip(logs, targets, strict=True):
        check_target(target if target is not None else bundle_path_for(log))


def _cluster_in_parallel(logs, options, targets, jobs: int, quiet: bool):
    """One process per log (up to `jobs` at once), each with one thread: both cores busy."""
    from twitchtopics.pipeline import ClusterResult
    from twitchtopics.runs import cluster_to_bundle
    from twitchtopics.workers import worker_pool

    with worker_pool(jobs) as pool:
        futures = [
            pool.submit(cluster_to_bundle, log, options, target, quiet)
            for log, target in zip(logs, targets, strict=True)
        ]
        paths = [future.result() for future in futures]
    from twitchtopics.bundle import load_bundle

    results = []
    for path in paths:
        bundle = load_bundle(path)
        results.append(
            ClusterResult(
                bundle.messages, bundle.topics, bundle.meta, path=path, themes=bundle.themes
            )
        )
    return results
