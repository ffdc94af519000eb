"""`twitchtopics season LOGS... --out DIR`: every stream clustered, their themes linked."""

from __future__ import annotations

from pathlib import Path

import click

from twitchtopics.cli._common import one_line_errors, reading_options, write_outputs
from twitchtopics.cli._options import options_from_command_line
from twitchtopics.cli.cluster import distinct_logs


@click.command()
@click.argument("logs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    "-o",
    required=True,
    metavar="DIR",
    help="Folder for the season: one bundle per stream and season.json.",
)
@click.option(
    "--model",
    "-m",
    default=None,
    metavar="NAME|PATH",
    help="Embedding model (as for `cluster`).",
)
@click.option("--time-scale", default="auto", show_default=True, metavar="SECONDS|auto|none")
@click.option("--method", type=click.Choice(["ward", "hdbscan"]), default="ward", show_default=True)
@click.option("--min-cluster-size", type=click.IntRange(min=2), default=None)
@click.option("--seed", type=int, default=42, show_default=True)
@reading_options
@click.option("--include", default=None, metavar="commands,bots,system")
@click.option("--no-cache", is_flag=True, help="Do not read or write the caches.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Streams clustered at once on this machine [default: one per core].",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="tcp://HOST:8786",
    help="Run the streams on this Dask scheduler [default: $DASK_SCHEDULER_ADDRESS, else "
    "local processes]. Workers must see the logs and DIR at the same paths.",
)
@click.option("--top", type=click.IntRange(min=0), default=10, show_default=True)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar on stderr.")
@one_line_errors
def season(
    logs,
    out,
    model,
    time_scale,
    method,
    min_cluster_size,
    seed,
    fmt,
    columns,
    start,
    tz,
    bots,
    include,
    no_cache,
    jobs,
    scheduler,
    top,
    quiet,
) -> None:
    """Cluster every stream of a season (one bundle each in DIR), then link their themes
    into season themes written to DIR/season.json; print the recurring ones.

    A rerun keeps the bundles that are up to date (same log, options and version). A stream
    that fails is reported with its reason; the others complete (exit status 1).
    `twitchtopics report DIR` shows the season again (--html: themes x streams heatmap).
    """
    from twitchtopics.season import run_season
    from twitchtopics.season.report import render_season_text, season_report
    from twitchtopics.season.runners import scheduler_address

    options = options_from_command_line(
        model=model,
        time_scale=time_scale,
        method=method,
        min_cluster_size=min_cluster_size,
        seed=seed,
        include=include,
        no_cache=no_cache,
        fmt=fmt,
        columns=columns,
        start=start,
        tz=tz,
        bots=bots,
    )
    run = run_season(
        distinct_logs(logs),
        out,
        options,
        scheduler=scheduler_address(scheduler),
        jobs=jobs,
        quiet=quiet,
    )
    if top:
        click.echo(render_season_text(season_report(run.season, top=top)))
    kept = sum(1 for r in run.records if r.get("status") == "up to date")
    click.echo(
        f"{len(run.season['streams'])} streams ({kept} up to date), "
        f"{len(run.season['themes'])} season themes, "
        f"{sum(1 for t in run.season['themes'] if t['n_streams'] > 1)} in more than one stream; "
        f"streams {run.timings['streams']:.1f} s, linking {run.timings['linking']:.1f} s; "
        f"season: {run.path}"
    )
    for record in run.failed:
        click.echo(f"failed: {record['log']}: {record['reason']}", err=True)
    if run.failed:
        raise click.ClickException(
            f"{len(run.failed)} of {len(run.records)} streams failed; season.json has the others"
        )


def report_season(folder: Path, *, window, top, as_json, as_csv, png, html_path) -> None:
    """`twitchtopics report DIR` on a season folder (dispatched from `report`)."""
    from twitchtopics.cli._common import render
    from twitchtopics.season import load_season
    from twitchtopics.season.report import (
        SEASON_CSV_COLUMNS,
        render_season_text,
        season_report,
        season_rows,
        write_season_png,
    )
    from twitchtopics.season.report_html import write_season_html

    if window:
        raise click.UsageError(
            "--window applies to one stream: give that stream's bundle in the season folder"
        )
    season = load_season(folder)
    data = season_report(season, top=top)
    if as_json:
        click.echo(render(data, "json"))
    elif as_csv:
        click.echo(render(season_rows(data), "csv", columns=SEASON_CSV_COLUMNS))
    else:
        click.echo(render_season_text(data))
    rows = max(top, HEATMAP_ROWS)
    write_outputs(
        (
            (png, lambda p: write_season_png(season, p, top=rows)),
            (html_path, lambda p: write_season_html(folder, season, p, top=rows)),
        )
    )


HEATMAP_ROWS = 25
"""Themes drawn in a season's heatmap at least (the terminal's --top is 10): a heatmap reads
well with a few dozen rows."""
