"""Rules shared by the line-based chat logs (`text.py`, `client_logs.py`).

Common rules
------------
- One message per line. Twitch chat cannot carry a newline inside a message (IRC is
  line-based), so a line that does not match the format is never a continuation of the
  previous message: it is counted in ``lines_skipped`` (with its line number and why).
  Blank lines are ignored.
- User names: a display name without spaces, optionally followed by `` (login)`` (how
  clients write localized names); badge prefixes (``~&@%+^$!``) in ``<...>`` are dropped.
"""

from __future__ import annotations

import re

from twitchtopics.readers._io import Source

BADGES = "~&@%+^$!"
USER = r"(?P<user>[^\s:\[\]<>][^\s:<>]*(?: \([^\s():<>]+\))?)"
"""A user name as line logs write it: no spaces, optionally `` (login)``."""


def fraction(source: Source, pattern: re.Pattern[str], n: int = 40) -> float:
    """Share of the first ``n`` non-blank, non-comment lines matching ``pattern``."""
    lines = [ln for ln in source.head_lines(n) if not ln.startswith("#")]
    if not lines:
        return 0.0
    return sum(1 for ln in lines if pattern.match(ln)) / len(lines)


def strip_badges(user: str) -> str:
    """A user name without its badge prefixes (``@mod`` -> ``mod``)."""
    return user.lstrip(BADGES).strip()
