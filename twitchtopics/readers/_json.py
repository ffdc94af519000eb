"""JSON read defensively: values of the expected type or nothing, and JSON Lines.

Chat downloads are written by many tools and versions; a field may be missing, null, a
string instead of a number, or a line may be cut by a killed download. These helpers never
raise on such input: the readers (`jsonlogs`, `chat_downloader`, `tables`) then skip the
record and say why.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from twitchtopics.readers._base import NAT, parse_iso
from twitchtopics.readers._io import Source

JSONL_SNIFF_LINES = 5
"""Lines of a JSON Lines file looked at to find its first object."""


def as_number(value: Any) -> float | None:
    """A finite number from an int, float or numeric string, else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        out = float(value)
    elif isinstance(value, str):
        try:
            out = float(value)
        except ValueError:
            return None
    else:
        return None
    return out if math.isfinite(out) else None


def text_of(value: Any) -> str:
    """A string value, else ``""``."""
    return value if isinstance(value, str) else ""


def zoned_time(value: Any) -> int:
    """ns UTC from an ISO string with a zone (Twitch's ``created_at``), else NAT."""
    if isinstance(value, str):
        parsed = parse_iso(value)
        if parsed and parsed[1]:
            return parsed[0]
    return NAT


def as_dict(value: Any) -> dict[str, Any]:
    """A dict value, else an empty dict (so ``as_dict(x).get(...)`` chains never raise)."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """A list value, else an empty list."""
    return value if isinstance(value, list) else []


def jsonl_records(source: Source) -> Iterator[tuple[int, Any]]:
    """(line number, parsed object or a ``ValueError``) for each non-blank line."""
    for number, line in enumerate(source.lines, 1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except (ValueError, RecursionError) as exc:
            yield number, ValueError(str(exc)[:80])


def first_jsonl_object(source: Source) -> Any:
    """The first of the first few lines that parses as JSON, when the text looks like JSON
    Lines (its first line starts with ``{``), else None. A broken first line (a truncated
    write, a stray log line) must not hide the thousands of good ones after it."""
    head = source.head_lines(JSONL_SNIFF_LINES)
    if not head or not head[0].lstrip().startswith("{"):
        return None
    for line in head:
        try:
            return json.loads(line)
        except (ValueError, RecursionError):
            continue
    return None
