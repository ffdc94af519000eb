"""Line-based VOD downloader exports: TwitchDownloader text and Twitch-Chat-Downloader (tcd).

Both stamp each line with its offset since the VOD start (TwitchDownloader also with an
absolute time); the rules shared with the client logs are in `_lines.py`.

twitchdownloader-text
    ``[1:02:03] user: msg`` (relative: offsets since the VOD start, no wall clock unless
    ``start=`` is given) or ``[2024-05-17 15:03:39 UTC] user: msg`` (absolute, UTC; without
    ``UTC`` the wall clock is naive).
tcd-irc
    Twitch-Chat-Downloader's irc format ``[0:00:04] <%user> msg`` (relative offsets; badge
    prefixes ``%+$@~^`` dropped); ``[0:00:04] * user msg`` is an action.
"""

from __future__ import annotations

import re
from datetime import datetime

from twitchtopics.readers._base import Rows, dt_to_ns, register
from twitchtopics.readers._io import Source
from twitchtopics.readers._lines import USER, fraction, strip_badges

_REL = r"\[(?P<neg>-)?(?P<h>\d{1,3}):(?P<m>\d\d):(?P<s>\d\d)\]"

# ``user : msg`` (a space before the colon) is how some exports write names: read, not skipped.
TD_REL = re.compile(_REL + " " + USER + r" ?: ?(?P<text>.*)$")
TD_ABS = re.compile(
    r"\[(?P<ts>\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d)(?P<utc> UTC)?\] " + USER + r" ?: ?(?P<text>.*)$"
)
TCD_MSG = re.compile(_REL + r" <(?P<user>[^>\s]+)> ?(?P<text>.*)$")
TCD_ACTION = re.compile(_REL + r" \* (?P<user>[^\s]+) ?(?P<text>.*)$")


def _rel_seconds(m: re.Match[str]) -> float | None:
    """``[h:mm:ss]`` (``[-h:mm:ss]`` before the VOD start) in seconds; None for minutes or
    seconds above 59 (``[0:99:99]`` is a damaged line, not 1 h 40 min)."""
    minutes, seconds = int(m["m"]), int(m["s"])
    if minutes > 59 or seconds > 59:
        return None
    total = int(m["h"]) * 3600 + minutes * 60 + seconds
    return -total if m["neg"] else total


def _add_offset(
    rows: Rows, line: int, user: str, text: str, offset: float | None, hint: str | None = None
) -> None:
    """Add a message at an offset, or skip the line when its time is impossible."""
    if offset is None:
        rows.skip(line, "invalid time (minutes or seconds above 59)")
        return
    rows.add(user, text, offset=offset, hint=hint, line=line)


# --------------------------------------------------------------------------- TwitchDownloader


def _sniff_td_text(source: Source) -> float:
    abs_share = fraction(source, TD_ABS)
    if abs_share:
        return 0.9 * abs_share
    share = fraction(source, TD_REL)
    if not share:
        return 0.0
    first = next((TD_REL.match(ln) for ln in source.head_lines(40) if TD_REL.match(ln)), None)
    two_digit_clock = first is not None and len(first["h"]) == 2
    return (0.7 if two_digit_clock else 0.85) * share


@register(
    "twitchdownloader-text",
    sniff=_sniff_td_text,
    description="TwitchDownloader text export: [1:02:03] user: msg or [2024-05-17 15:03:39 UTC] user: msg",
)
def read_twitchdownloader_text(source: Source, *, columns: dict[str, str] | None = None) -> Rows:
    """Read relative (offset) and absolute (UTC or naive) TwitchDownloader text lines."""
    rows = Rows()
    any_utc = False
    for number, line in enumerate(source.lines, 1):
        if not line.strip():
            continue
        m = TD_REL.match(line)
        if m:
            _add_offset(rows, number, m["user"], m["text"], _rel_seconds(m))
            continue
        m = TD_ABS.match(line)
        if m:
            try:
                ns, _ = dt_to_ns(datetime.fromisoformat(m["ts"].replace(" ", "T")))
            except ValueError:
                rows.skip(number, "invalid date")
                continue
            if rows.add(m["user"], m["text"], time=ns, line=number):
                any_utc = any_utc or bool(m["utc"])
            continue
        rows.skip(number, "not a '[time] user: message' line")
    if any_utc:
        rows.time_aware, rows.tz = True, "UTC"
    return rows


# --------------------------------------------------------------------------------------- tcd


def _sniff_tcd(source: Source) -> float:
    return 0.85 * max(fraction(source, TCD_MSG), fraction(source, TCD_ACTION))


@register(
    "tcd-irc",
    sniff=_sniff_tcd,
    description="Twitch-Chat-Downloader (tcd) irc format: [0:00:04] <%user> msg",
)
def read_tcd(source: Source, *, columns: dict[str, str] | None = None) -> Rows:
    """Read tcd's irc format (offsets since the VOD start)."""
    rows = Rows()
    for number, line in enumerate(source.lines, 1):
        if not line.strip():
            continue
        m = TCD_MSG.match(line)
        if m:
            _add_offset(rows, number, strip_badges(m["user"]), m["text"], _rel_seconds(m))
            continue
        m = TCD_ACTION.match(line)
        if m:
            user = strip_badges(m["user"])
            _add_offset(rows, number, user, m["text"], _rel_seconds(m), "action")
            continue
        rows.skip(number, "not a '[time] <user> message' line")
    return rows
