"""What every command shares: turning the tool's errors into one line, and output formats."""

from __future__ import annotations

import csv
import functools
import io
import json
import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from twitchtopics.errors import TwitchTopicsError

F = TypeVar("F", bound=Callable[..., Any])


def one_line_errors(func: F) -> F:
    """Run a command body; the tool's own errors become a one-line `Error: ...` and exit 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except TwitchTopicsError as exc:
            message = " ".join(str(exc).split()) or type(exc).__name__
            raise click.ClickException(message) from None

    return wrapper  # type: ignore[return-value]


def reading_options(func: F) -> F:
    """The options that say how to read a log: --format, --columns, --start, --tz, --bots."""
    options = [
        click.option(
            "--format",
            "fmt",
            default=None,
            metavar="NAME",
            help="Log format (see `twitchtopics formats`); detected by default.",
        ),
        click.option(
            "--columns",
            default=None,
            metavar="time=..,user=..,text=..",
            help="Column names of a table log.",
        ),
        click.option(
            "--start",
            default=None,
            metavar="DATETIME",
            help="Stream start, e.g. '2021-11-04 19:15'.",
        ),
        click.option(
            "--tz",
            default=None,
            metavar="ZONE",
            help="Zone of naive times / display zone, e.g. Europe/Paris.",
        ),
        click.option("--bots", default=None, metavar="NAME,..", help="Extra bot account names."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def render(data: Any, fmt: str, *, columns: Sequence[str] | None = None) -> str:
    """The one output-format helper: `json` for any data, `csv` for a list of flat rows."""
    if fmt == "json":
        return json.dumps(_jsonable(data), ensure_ascii=False, indent=2)
    if fmt == "csv":
        rows = list(data)
        fields = list(columns or (rows[0].keys() if rows else []))
        buffer = io.StringIO()
        writer = csv.DictWriter(
            buffer, fieldnames=fields, extrasaction="ignore", lineterminator="\n"
        )
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _jsonable(v) for k, v in row.items()})
        return buffer.getvalue().rstrip("\n")
    raise ValueError(f"unknown output format {fmt!r}")
