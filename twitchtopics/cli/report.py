"""`twitchtopics report [BUNDLE]`: the story of a window of the stream, from a bundle alone."""

from __future__ import annotations

from pathlib import Path

import click

from twitchtopics.cli._common import echo, one_line_errors, render, write_outputs

WINDOW_HELP = """\b
Window syntax (FROM-TO, either end may be left open):
  19:30-20:00          wall clock, in the stream's own zone and date(s)
  19:30:15-19:45:00    wall clock with seconds (two-digit hour)
  23:45-00:15          crosses midnight
  1:10:00-1:40:00      offsets since the start (H:MM:SS, one-digit hour)
  +1:10-+1:40          offsets with '+' (H:MM or H:MM:SS); 1h10m-1h40m, 90m-
  20:00-   -20:00      open end / open start
  (none)               the whole stream
On a stream spanning midnight or several days, a wall-clock window is its first
occurrence that overlaps the stream."""


def _resolve_bundle(path: Path | None) -> Path:
    from twitchtopics.bundle import BUNDLE_SUFFIX, bundle_path_for, find_latest_bundle

    if path is None:
        return find_latest_bundle(".")
    if path.is_file() and not path.name.endswith(BUNDLE_SUFFIX):
        # a log file: its bundle next to it, as `cluster` writes it
        return bundle_path_for(path, path.parent)
    return path


@click.command(epilog=WINDOW_HELP)
@click.argument("bundle", required=False, type=click.Path(readable=False, path_type=Path))
@click.option(
    "--window",
    "-w",
    default=None,
    metavar="FROM-TO",
    help="Part of the stream to report on (see below); default: the whole stream.",
)
@click.option(
    "--top",
    "-n",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Number of groups to show.",
)
@click.option(
    "--level",
    type=click.Choice(["moments", "themes"]),
    default=None,
    help="Rank moments (fine groups) or themes (moments that say the same thing); "
    "default: moments for windows up to 30 min, themes for longer ones.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the whole report as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the groups table as CSV.")
@click.option(
    "--png",
    "png",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write a bar chart of the top groups to this PNG file.",
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write a self-contained HTML page (timeline + table) to this file.",
)
@one_line_errors
def report(
    bundle: Path | None,
    window: str | None,
    top: int,
    level: str | None,
    as_json: bool,
    as_csv: bool,
    png: Path | None,
    html_path: Path | None,
) -> None:
    """Top groups, message rate and moments of a window of the stream.

    BUNDLE is a folder written by `twitchtopics cluster` (or the log it came from), or a
    season folder written by `twitchtopics season` (recurring themes, heatmap);
    without it, the most recently written bundle in the current directory.
    Nothing is re-embedded or re-clustered.
    """
    from twitchtopics.bundle import load_bundle
    from twitchtopics.bundle_view import bundle_window, stream_clock
    from twitchtopics.report.html import write_html
    from twitchtopics.report.levels import default_level, theme_view
    from twitchtopics.report.png import write_png
    from twitchtopics.report.text import CSV_COLUMNS, render_report_text, report_rows
    from twitchtopics.report.window import window_report

    if as_json and as_csv:
        raise click.UsageError("--json and --csv are exclusive")
    from twitchtopics.season import is_season_folder

    if bundle is None and is_season_folder("."):
        bundle = Path(".")  # inside a season folder: the season, not one of its bundles
    if bundle is not None and is_season_folder(bundle):
        from twitchtopics.cli.season import report_season

        return report_season(
            bundle,
            window=window,
            top=top,
            as_json=as_json,
            as_csv=as_csv,
            png=png,
            html_path=html_path,
        )
    loaded = load_bundle(_resolve_bundle(bundle))
    resolved = bundle_window(loaded, window)
    if level == "themes" and not loaded.themes:
        raise click.ClickException("this bundle has no themes (made by an older version)")
    level = level or default_level(loaded, resolved, stream_clock(loaded)[1])
    views = {"moments": loaded, "themes": theme_view(loaded) if loaded.themes else None}
    data = window_report(views[level], resolved, top=top)
    data["level"] = level
    other = "themes" if level == "moments" else "moments"
    alt_view = views[other]
    alt = None if alt_view is None else (alt_view, window_report(alt_view, resolved, top=top))
    if as_json:
        click.echo(render(data, "json"))
    elif as_csv:
        click.echo(render(report_rows(data), "csv", columns=CSV_COLUMNS))
    else:
        echo(f"ranked by {level} (--level {other} for the other view)", err=True)
        echo(render_report_text(data))
    write_outputs(
        (
            (png, lambda p: write_png(data, p)),
            (html_path, lambda p: write_html(views[level], data, p, alt=alt, level=level)),
        )
    )
