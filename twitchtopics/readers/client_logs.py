"""Chat clients' own logs: Chatty and Chatterino, stamped with the time of day.

A line says only the time of day: the date comes from a session header (or the file name),
and a :class:`DayClock` counts the midnights crossed. The rules shared with the downloader
exports are in `_lines.py`.

chatty
    ``# Log started: 2016-09-16 15:38:47 +0800`` opens a session (date and zone for the
    following ``[HH:MM:SS]`` lines; several sessions may follow each other in one file);
    ``[15:38:49] <user> msg`` is a message, ``<user>* msg`` an action (/me). A time of day
    more than 12 h earlier than the previous line's means midnight was crossed. Among the
    other ``[time] ...`` lines, ``[Notification] ...`` (subs, raids) and ``BAN: ...``
    (bans/timeouts, Twitch's CLEARCHAT) become rows of kind ``system`` with an empty user;
    the remaining client lines (``Joining #x..``, ``You have joined``, ``MOD:``/``UNMOD:``,
    ``Viewerstats``, ``[Info]`` room modes, ``~title~``) are not messages and are not
    counted as skipped. ``# Log closed`` lines are ignored.
chatterino
    ``[20:10:22] user: msg``; the date comes from a ``# Start logging at 2021-11-04 ...``
    line, else from a date in the file name (``channel-2021-11-04.log``), else it is unknown
    (offsets since the first line; ``start=`` gives the date). ``[20:10:22] text`` without a
    ``user:`` is a Twitch notice (sub, timeout, raid) and becomes a ``system`` row. The zone
    is never written in a usable form, so times are naive unless ``tz=`` is given.
"""

from __future__ import annotations

import re
from datetime import datetime

import pandas as pd

from twitchtopics.readers._base import NAT, Rows, dt_to_ns, register
from twitchtopics.readers._io import Source
from twitchtopics.readers._lines import USER, fraction, strip_badges
from twitchtopics.timefmt import time_in_range

_TOD = r"\[(?P<h>\d\d):(?P<m>\d\d):(?P<s>\d\d)\]"
CHATTY_HEADER = re.compile(
    r"# Log started: (?P<ts>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?: (?P<zone>[+-]\d\d:?\d\d))?"
)
CHATTY_MSG = re.compile(_TOD + r" <(?P<user>[^>]+)>(?P<star>\*)? ?(?P<text>.*)$")
TOD_LINE = re.compile(_TOD + r" ?(?P<text>.*)$")
CHATTERINO_HEADER = re.compile(r"# Start logging at (?P<ts>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)")
CHATTERINO_MSG = re.compile(_TOD + " " + USER + r" ?: ?(?P<text>.*)$")
SEPARATOR = re.compile(r"^\s*-+\s*$")  # Chatty writes a "-" line after "# Log closed"
NAME_DATE = re.compile(r"(?<!\d)(\d{4}-\d\d-\d\d)(?!\d)")

HALF_DAY = 43200


def _tod_seconds(m: re.Match[str]) -> int | None:
    """Seconds since midnight, or None for an impossible time of day."""
    h, mi, s = int(m["h"]), int(m["m"]), int(m["s"])
    if h > 23 or mi > 59 or s > 60:
        return None
    return h * 3600 + mi * 60 + s


class DayClock:
    """Turns times of day into seconds since midnight of the first day, across midnights.

    A time more than 12 h earlier than the previous one means the day changed; a time more
    than 12 h later than the previous one (right after a wrap) is a late line of the day before.
    """

    def __init__(self, tod: float | None = None) -> None:
        self.day = 0
        self.prev = tod

    def __call__(self, tod: float) -> float:
        prev = self.prev
        if prev is not None:
            if tod < prev - HALF_DAY:
                self.day += 1
            elif tod > prev + HALF_DAY and self.day > 0:
                return (self.day - 1) * 86400 + tod
        self.prev = tod
        return self.day * 86400 + tod


# ------------------------------------------------------------------------------------- Chatty


def _sniff_chatty(source: Source) -> float:
    head = source.head_lines(10)
    if any(CHATTY_HEADER.match(ln) for ln in head):
        return 1.0
    return 0.6 * fraction(source, CHATTY_MSG)


def _zone_name(zone: str | None) -> tuple[str | None, int | None]:
    """``+0800`` -> (``"+08:00"``, 480 minutes)."""
    if not zone:
        return None, None
    digits = zone[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:4])
    if zone[0] == "-":
        minutes = -minutes
    return f"{zone[0]}{digits[:2]}:{digits[2:4]}", minutes


class _Session:
    """One ``# Log started`` session: midnight of its date (naive ns), its zone and day clock."""

    def __init__(self, midnight_ns: int, utc_minutes: int | None, tod: float) -> None:
        self.midnight_ns = midnight_ns
        self.utc_minutes = utc_minutes
        self.clock = DayClock(tod)

    def time_ns(self, tod: float) -> int:
        ns = self.midnight_ns + int(self.clock(tod) * 1_000_000_000)
        if self.utc_minutes is not None:
            ns -= self.utc_minutes * 60_000_000_000
        return ns


def _chatty_session(m: re.Match[str]) -> tuple[_Session, str | None] | None:
    try:
        dt = datetime.fromisoformat(m["ts"].replace(" ", "T"))
    except ValueError:
        return None
    zone, minutes = _zone_name(m["zone"])
    midnight, _ = dt_to_ns(dt.replace(hour=0, minute=0, second=0, microsecond=0))
    if not time_in_range(midnight):
        return None  # a damaged header: its lines are checked (and skipped) one by one
    tod = dt.hour * 3600 + dt.minute * 60 + dt.second
    return _Session(midnight, minutes, tod), zone


@register(
    "chatty",
    sniff=_sniff_chatty,
    description="Chatty log: '# Log started: <date> +0800' then [15:38:49] <user> msg",
)
def read_chatty(source: Source, *, columns: dict[str, str] | None = None) -> Rows:
    """Read a Chatty log, one or several sessions, dating each line from its session header."""
    rows = Rows()
    lines = source.lines
    session: _Session | None = None
    first_zone: str | None = None
    # Lines before the first header take its date: find it first.
    for line in lines:
        m = CHATTY_HEADER.match(line)
        if m:
            found = _chatty_session(m)
            if found:
                session, first_zone = found
                rows.start = _start_of(session)
            break
    aware = session is not None and session.utc_minutes is not None
    first_minutes = session.utc_minutes if session is not None else None
    clock = DayClock() if session is None else None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if SEPARATOR.match(line):
            continue
        if line.startswith("#"):
            m = CHATTY_HEADER.match(line)
            if m:
                found = _chatty_session(m)
                if found:
                    session = found[0]
                    # One zone style per file: a header without a zone in an aware log
                    # takes the first header's zone, and the other way round.
                    if aware and session.utc_minutes is None:
                        session.utc_minutes = first_minutes
                    elif not aware:
                        session.utc_minutes = None
            continue
        m = CHATTY_MSG.match(line)
        if m is None:
            m = TOD_LINE.match(line)
            if m is None:
                rows.skip(number, "not a '[time] ...' line")
                continue
        when = _line_time(rows, session, clock, m, number)
        if when is None:
            continue
        if "user" in m.groupdict():
            hint = "action" if m["star"] else None
            _add_clock(rows, strip_badges(m["user"]), m["text"], when, hint, number)
            continue
        text = m["text"]
        if text.startswith("[Notification] "):
            _add_clock(rows, "", text[len("[Notification] ") :], when, "system", number)
        elif text.startswith("BAN: "):
            _add_clock(rows, "", text, when, "system", number)
        else:
            rows.system_lines += 1
    _finish_clock(rows, session is None, aware, first_zone)
    return rows


def _start_of(session: _Session) -> pd.Timestamp:
    """The session header's time as a Timestamp (UTC if the header has a zone)."""
    ns = session.midnight_ns + int((session.clock.prev or 0) * 1_000_000_000)
    if session.utc_minutes is None:
        return pd.Timestamp(ns, unit="ns")
    return pd.Timestamp(ns - session.utc_minutes * 60_000_000_000, unit="ns", tz="UTC")


def _line_time(
    rows: Rows, session: _Session | None, clock: DayClock | None, m: re.Match[str], number: int
) -> tuple[int, float] | None:
    """The time of a '[time] ...' line (`_when`), or None with the line counted as skipped
    when its time of day is invalid (Chatty and Chatterino lines alike)."""
    tod = _tod_seconds(m)
    if tod is None:
        rows.skip(number, "invalid time of day")
        return None
    return _when(session, clock, tod)


def _when(session: _Session | None, clock: DayClock | None, tod: float) -> tuple[int, float]:
    """(time ns or NAT, day clock seconds) for a time of day."""
    if session is not None:
        return session.time_ns(tod), 0.0
    assert clock is not None
    return NAT, clock(tod)


def _add_clock(
    rows: Rows, user: str, text: str, when: tuple[int, float], hint: str | None, line: int = 0
) -> None:
    if not rows.add(user, text, time=when[0], hint=hint, line=line):
        return
    if when[0] == NAT:
        if rows.day_clock is None:
            rows.day_clock = []
        rows.day_clock.append(when[1])


def _finish_clock(rows: Rows, undated: bool, aware: bool, zone: str | None) -> None:
    """Set the zone flags, or drop day clocks when every line got a date."""
    if undated:
        if rows.day_clock is None or len(rows.day_clock) != len(rows):
            rows.day_clock = None
        return
    rows.day_clock = None
    if aware:
        rows.time_aware, rows.tz = True, zone


# --------------------------------------------------------------------------------- Chatterino


def _sniff_chatterino(source: Source) -> float:
    head = source.head_lines(10)
    if any(CHATTERINO_HEADER.match(ln) for ln in head):
        return 1.0
    share = fraction(source, CHATTERINO_MSG)
    return min(1.0, 0.8 * share + (0.15 if share and NAME_DATE.search(source.name) else 0.0))


@register(
    "chatterino",
    sniff=_sniff_chatterino,
    description="Chatterino log: [20:10:22] user: msg (date from '# Start logging' or the file name)",
)
def read_chatterino(source: Source, *, columns: dict[str, str] | None = None) -> Rows:
    """Read a Chatterino log; the date comes from its header or file name when present."""
    rows = Rows()
    session: _Session | None = None
    for line in source.head_lines(5):
        m = CHATTERINO_HEADER.match(line)
        if m:
            session = _dated_session(m["ts"][:10], m["ts"][11:])
            if session is not None:
                rows.start = _start_of(session)
            break
    if session is None:
        m_name = NAME_DATE.search(source.name)
        if m_name:
            session = _dated_session(m_name.group(1), None)
    undated = session is None
    clock = DayClock() if undated else None
    for number, line in enumerate(source.lines, 1):
        if not line.strip():
            continue
        if line.startswith("#"):
            m = CHATTERINO_HEADER.match(line)
            if m and not undated:
                new = _dated_session(m["ts"][:10], m["ts"][11:])
                session = new or session
            continue
        m = CHATTERINO_MSG.match(line) or TOD_LINE.match(line)
        if m is None:
            rows.skip(number, "not a '[time] user: message' line")
            continue
        when = _line_time(rows, session, clock, m, number)
        if when is None:
            continue
        if "user" in m.groupdict():
            _add_clock(rows, m["user"], m["text"], when, None, number)
        elif m["text"].strip():
            _add_clock(rows, "", m["text"], when, "system", number)
        else:
            rows.skip(number, "empty line after the time")
    _finish_clock(rows, undated, False, None)
    return rows


def _dated_session(date: str, clock: str | None) -> _Session | None:
    """A naive session at midnight of ``date`` (its clock is the header time, if any)."""
    try:
        dt = datetime.fromisoformat(date)
    except ValueError:
        return None
    midnight, _ = dt_to_ns(dt)
    if not time_in_range(midnight):
        return None
    tod = None
    if clock:
        h, m, s = (int(x) for x in clock.split(":"))
        tod = h * 3600 + m * 60 + s
    return _Session(midnight, None, tod if tod is not None else 0)
