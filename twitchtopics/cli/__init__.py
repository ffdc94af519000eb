"""The `twitchtopics` command line: a thin click layer over the library.

Each command lives in its own module and is registered here; commands call the library,
and `one_line_errors` turns the tool's own errors into one line and a non-zero exit.
"""

from __future__ import annotations

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
