"""The `twitchtopics` command line: a thin click layer over the library.

Each command lives in its own module and is registered here; commands call the library,
and `one_line_errors` turns the tool's own errors into one line and a non-zero exit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

import click

from twitchtopics._version import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="twitchtopics")
def cli() -> None:
    """Turn the chat log of a Twitch stream into topics over time."""


def _register() -> None:
    """Attach every command module present; each defines one click command."""
    from importlib import import_module

    for module_name, command_name in (
        ("cluster", "cluster"),
        ("inspect", "inspect_command"),
        ("inspect", "formats_command"),
        ("report", "report"),
        ("season", "season"),
        ("highlights", "highlights"),
        ("search", "search"),
        ("train", "train"),
        ("export", "export"),
    ):
        try:
            module = import_module(f"twitchtopics.cli.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"twitchtopics.cli.{module_name}":
                continue
            raise
        cli.add_command(getattr(module, command_name))


_register()


def main(args: Sequence[str] | None = None) -> NoReturn:
    """The console script (and `python -m twitchtopics`): run the command, then `leave`."""
    try:
        cli.main(args=list(args) if args is not None else None, prog_name="twitchtopics")
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    leave(code)


def leave(code: object) -> NoReturn:
    """Exit with `code` (as `SystemExit` takes it) without tearing the interpreter down.

    Freeing the modules a clustering run loads (torch, umap, numba, scikit-learn) took 4.2 s
    after the last line of a cold 10k-message run on 2 busy cores (6 s for importing them
    alone and exiting), more than most stages: once the output is flushed and the exit
    handlers have run (temporary folders, pools), nothing is left to do. When a non-daemon
    thread is still running, the ordinary exit waits for it."""
    import atexit
    import os
    import sys
    import threading

    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        print(code, file=sys.stderr)
        status = 1
    others = [t for t in threading.enumerate() if t is not threading.main_thread()]
    if any(not t.daemon for t in others):
        sys.exit(status)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`| head`) or stream
            status = status or 1
    os._exit(status)
