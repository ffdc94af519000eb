"""Command-line strings -> the library's option values, shared by `cluster`, `season` and
`inspect`. The checks themselves are the library's (`twitchtopics.options`); here an
`OptionError` only becomes click's usage error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from twitchtopics.errors import OptionError

if TYPE_CHECKING:
    from twitchtopics.pipeline import ClusterOptions


def parse_time_scale(value: str) -> float | str | None:
    """`600` (seconds), `none` (no time feature) or `auto`; checked by the library."""
    from twitchtopics.options import parse_time_scale as check

    try:
        return check(value)
    except OptionError as exc:
        raise click.BadParameter(str(exc)) from None


def parse_columns(value: str | None) -> dict[str, str] | None:
    """`time=ts,user=author,text=msg` -> a mapping; keys are time, user and text."""
    if not value:
        return None
    mapping = {}
    for part in value.split(","):
        key, sep, column = part.partition("=")
        key = key.strip().lower()
        if not sep or key not in ("time", "user", "text") or not column.strip():
            raise click.BadParameter("expected time=COL,user=COL,text=COL")
        mapping[key] = column.strip()
    return mapping


def parse_top(value: str | int | None) -> int | None:
    """`5` -> 5 messages per group; `all` -> None (every message)."""
    text = str(value if value is not None else "5").strip().lower()
    if text == "all":
        return None
    try:
        number = int(text)
    except ValueError:
        raise click.BadParameter("expected a number of messages or 'all'") from None
    if number < 0:
        raise click.BadParameter("must be 0 or more, or 'all'")
    return number


def names(value: str | None) -> tuple[str, ...]:
    """`a, b,,c` -> `("a", "b", "c")`: a comma-separated list of names."""
    return tuple(n.strip() for n in (value or "").split(",") if n.strip())


def parse_include(value: str | None) -> tuple[str, ...]:
    """Kinds clustered besides chat and action: `commands,bots,system`."""
    from twitchtopics.options import parse_kinds

    try:
        return parse_kinds(value)
    except OptionError as exc:
        raise click.BadParameter(str(exc)) from None


def options_from_command_line(**flags: Any) -> ClusterOptions:
    """The `ClusterOptions` of the clustering flags that `cluster` and `season` share
    (`command_line_values`' keywords)."""
    from twitchtopics.pipeline import ClusterOptions

    return ClusterOptions(**command_line_values(**flags))


def command_line_values(
    *,
    model: str | None,
    time_scale: str,
    method: str,
    min_cluster_size: int | None,
    seed: int,
    include: str | None,
    no_cache: bool,
    fmt: str | None,
    columns: str | None,
    start: str | None,
    tz: str | None,
    bots: str | None,
    min_samples: int | None = None,
) -> dict[str, Any]:
    """The `ClusterOptions` keywords of the clustering flags, without importing `pipeline`
    (numpy and pandas): what a run reused from the run cache is keyed by."""
    return {
        "model": model,
        "time_scale": parse_time_scale(time_scale),
        "method": method,
        "min_cluster_size": min_cluster_size,
        "min_samples": min_samples,
        "seed": seed,
        "include": parse_include(include),
        "use_cache": not no_cache,
        "format": fmt,
        "columns": parse_columns(columns),
        "start": start,
        "tz": tz,
        "bots": names(bots),
    }
