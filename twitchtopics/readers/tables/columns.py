"""Which column of a table is the time, the user and the text: by common names, or given.

Names are compared case-insensitively; the first name in each list that exists wins. The time
and text columns are required (a ``ReadError`` names the columns found otherwise); the user
column is optional.
"""

from __future__ import annotations

from collections.abc import Iterable

from twitchtopics.errors import ReadError

TIME_NAMES = (
    "time",
    "timestamp",
    "date",
    "datetime",
    "created_at",
    "createdat",
    "published_datetime",
    "sent_at",
    "time_in_seconds",
    "content_offset_seconds",
    "offset",
    "offset_s",
    "seconds",
)
OFFSET_NAMES = {"time_in_seconds", "content_offset_seconds", "offset", "offset_s", "seconds"}
USER_NAMES = (
    "user",
    "username",
    "user_name",
    "author",
    "display_name",
    "displayname",
    "name",
    "nick",
    "nickname",
    "login",
    "commenter",
    "sender",
)
TEXT_NAMES = ("message", "content", "body", "text", "msg", "comment")
ROLES = ("time", "user", "text")


def norm_name(name: str) -> str:
    """A column name as compared: stripped, lowercase."""
    return str(name).strip().lower()


def find_columns(
    names: list[str], columns: dict[str, str] | None, path: str
) -> tuple[str, str | None, str]:
    """(time, user or None, text) column names: given ones checked, others found by name."""
    given = dict(columns or {})
    unknown = set(given) - set(ROLES)
    if unknown:
        raise ReadError(f"unknown --columns key(s) {sorted(unknown)}; use time=..,user=..,text=..")
    for role, col in given.items():
        if col not in names:
            raise ReadError(
                f"{path}: no column {col!r} for {role}; columns are: {', '.join(names)}"
            )
    by_norm: dict[str, str] = {}
    for n in names:
        by_norm.setdefault(norm_name(n), n)

    def pick(role: str, candidates: Iterable[str]) -> str | None:
        if role in given:
            return given[role]
        return next((by_norm[c] for c in candidates if c in by_norm), None)

    time_col = pick("time", TIME_NAMES)
    text_col = pick("text", TEXT_NAMES)
    user_col = pick("user", USER_NAMES)
    listed = ", ".join(map(str, names)) or "(none)"
    if time_col is None:
        raise ReadError(
            f"{path}: no time column (looked for {', '.join(TIME_NAMES[:6])}...); "
            f"columns are: {listed}; name it with --columns time=...,text=..."
        )
    if text_col is None:
        raise ReadError(
            f"{path}: no message column (looked for {', '.join(TEXT_NAMES)}); "
            f"columns are: {listed}; name it with --columns time=...,text=..."
        )
    if user_col in (time_col, text_col):
        user_col = None
    return time_col, user_col, text_col


def looks_like_table(names: list[str]) -> bool:
    """A header with a time and a text column found by name."""
    norm = {norm_name(n) for n in names}
    return any(n in norm for n in TIME_NAMES) and any(n in norm for n in TEXT_NAMES)
