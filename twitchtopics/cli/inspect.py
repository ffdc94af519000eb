"""`twitchtopics inspect LOG` and `twitchtopics formats`: what a log holds, without embedding."""

from __future__ import annotations

from pathlib import Path

import click

from twitchtopics.cli._common import echo, one_line_errors, reading_options, render
from twitchtopics.cli._options import names, parse_columns


@click.command("inspect")
@click.argument("log", type=click.Path(readable=False, path_type=Path))
@reading_options
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@one_line_errors
def inspect_command(log, fmt, columns, start, tz, bots, as_json) -> None:
    """Show LOG's format, messages per kind, skipped lines, span, chatters, emotes and rate."""
    from twitchtopics.readers import read_log
    from twitchtopics.report.inspect import inspect_log, render_inspect

    chat = read_log(log, fmt, columns=parse_columns(columns), start=start, tz=tz, bots=names(bots))
    data = inspect_log(chat)
    if as_json:
        click.echo(render(data, "json"))
    else:
        echo(render_inspect(data))


@click.command("formats")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def formats_command(as_json) -> None:
    """List the log formats twitchtopics reads (all detected automatically)."""
    from twitchtopics.readers import FORMATS

    rows = [{"name": name, "description": reader.description} for name, reader in FORMATS.items()]
    if as_json:
        click.echo(render(rows, "json"))
        return
    width = max(len(r["name"]) for r in rows)
    for row in rows:
        click.echo(f"{row['name']:<{width}}  {row['description']}")
