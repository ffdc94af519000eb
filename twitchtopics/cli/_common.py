"""What every command shares: turning the tool's errors into one line, and output formats."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import click

from twitchtopics.errors import TwitchTopicsError
from twitchtopics.safe_output import csv_text, json_safe, json_text, sanitize_terminal

_RAW_IN_JSON = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

F = TypeVar("F", bound=Callable[..., Any])


def one_line_errors(func: F) -> F:
    """Run a command body; every failure becomes a one-line `Error: ...` and exit 1.

    The tool's own errors say what went wrong; an OS error (full disk, read-only folder,
    permission) names the file; anything else is an internal error, still one line (set
    ``TWITCHTOPICS_DEBUG=1`` for the traceback). Messages are sanitised for the terminal.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (click.ClickException, click.Abort, click.exceptions.Exit):
            raise
        except TwitchTopicsError as exc:
            raise click.ClickException(one_line(str(exc) or type(exc).__name__)) from None
        except BrokenPipeError:
            # The reader of stdout went away (`twitchtopics cluster LOG | head`): bundles are
            # written before anything is printed, so nothing is lost; stop quietly.
            _silence(sys.stdout)
            raise click.exceptions.Exit(0) from None
        except OSError as exc:
            if _debug():
                raise
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(one_line(f"{where}{exc.strerror or exc}")) from None
        except MemoryError:
            raise click.ClickException("out of memory") from None
        except Exception as exc:
            if _debug():
                raise
            raise click.ClickException(
                one_line(f"internal error: {type(exc).__name__}: {exc}")
                + f" (set {DEBUG_ENV}=1 for the traceback)"
            ) from None

    return wrapper  # type: ignore[return-value]


DEBUG_ENV = "TWITCHTOPICS_DEBUG"


def _silence(stream) -> None:
    """Point a closed stream at /dev/null so that later writes and the final flush succeed."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, stream.fileno())
    except (OSError, ValueError):
        pass
    finally:
        os.close(devnull)


def _debug() -> bool:
    return os.environ.get(DEBUG_ENV, "") not in ("", "0")


def one_line(text: str) -> str:
    """A message on one line, without control characters."""
    return " ".join(sanitize_terminal(text).split())


def echo(text: str, *, err: bool = False) -> None:
    """Print human-readable text with chat's control characters and escapes removed.

    A reader that went away (`... 2>&1 | head`) silences that stream and the command goes on:
    the files it has still to write (bundles, PNG, HTML) are not lost to a closed pipe."""
    try:
        click.echo(sanitize_terminal(text), err=err)
    except BrokenPipeError:
        _silence(sys.stderr if err else sys.stdout)


def write_outputs(outputs: Sequence[tuple[str | None, Callable[[str], Any]]]) -> None:
    """Write each (path, writer) whose path was given (`--png`, `--html`); an OS error is one
    line naming the file, and each file written is said on stderr."""
    for target, write in outputs:
        if target is None:
            continue
        try:
            write(target)
        except OSError as exc:
            raise click.ClickException(f"cannot write {target}: {exc.strerror or exc}") from None
        echo(f"wrote {target}", err=True)


@contextlib.contextmanager
def quiet_warnings(quiet: bool) -> Iterator[None]:
    """Under --quiet no warning (numpy, cache, libraries) reaches stderr, here or in worker
    processes (they inherit ``PYTHONWARNINGS``); both are restored afterwards."""
    if not quiet:
        yield
        return
    import warnings

    previous = os.environ.get("PYTHONWARNINGS")
    os.environ["PYTHONWARNINGS"] = "ignore"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        if previous is None:
            os.environ.pop("PYTHONWARNINGS", None)
        else:
            os.environ["PYTHONWARNINGS"] = previous


def quiet_warnings_option(func: F) -> F:
    """Run a command whose ``quiet`` parameter is true under ``quiet_warnings``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with quiet_warnings(bool(kwargs.get("quiet"))):
            return func(*args, **kwargs)

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


def render(data: Any, fmt: str, *, columns: Sequence[str] | None = None) -> str:
    """The one output-format helper: `json` for any data, `csv` for a list of flat rows.

    JSON escapes the control characters `json_text` leaves raw (DEL, C1, bidi overrides),
    losslessly; CSV cells go through ``safe_output.csv_cell`` (formula injection) and the
    text is sanitised for the terminal."""
    if fmt == "json":
        text = json_text(data)
        return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    if fmt == "csv":
        rows = [{k: json_safe(v) for k, v in row.items()} for row in data]
        fields = list(columns or (rows[0].keys() if rows else []))
        return sanitize_terminal(csv_text(rows, fields))
    raise ValueError(f"unknown output format {fmt!r}")
