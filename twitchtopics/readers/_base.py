"""The readers' shared pieces: the result dataclasses, the format registry and ``Rows``.

A format is one function registered with ``@register(name, sniff=..., description=...)``:

- ``read(source, *, columns)`` gets an opened :class:`~twitchtopics.readers._io.Source` and
  returns :class:`Rows` (plain Python lists, one entry per message, plus what the log says
  about itself). It must not raise anything but ``ReadError``.
- ``sniff(source)`` returns a confidence in [0, 1] that the file is in this format (0 = no).

``twitchtopics.readers.read_log`` turns ``Rows`` into the messages table, applying the time
rules once for every format (see ``_finish.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import compress

import numpy as np
import pandas as pd

from twitchtopics.readers._io import Source
from twitchtopics.timefmt import offset_in_range, offsets_in_range, time_in_range, times_in_range

NAT = int(np.iinfo(np.int64).min)  # numpy's NaT as int64 nanoseconds
MAX_EXAMPLES = 5


@dataclass
class LogInfo:
    """What a log says about itself, and what reading it cost (skipped lines, bad bytes)."""

    path: str
    format: str
    start: pd.Timestamp | None = None
    tz: str | None = None
    title: str | None = None
    channel: str | None = None
    emotes: set[str] = field(default_factory=set)
    lines_skipped: int = 0
    skipped_examples: list[tuple[int, str]] = field(default_factory=list)
    decode_errors: int = 0
    # Beyond the contract: chapters of a TwitchDownloader JSON video, (start offset s, name).
    chapters: list[tuple[float, str]] = field(default_factory=list)
    # What reading decided that a user should know (times repaired, metadata ignored...).
    notes: list[str] = field(default_factory=list)
    # The Twitch VOD the log belongs to (digits only), when the log names it; for VOD links.
    video_id: str | None = None


@dataclass
class ChatLog:
    """A log read into the messages table (see docs/architecture.md) and its ``LogInfo``."""

    messages: pd.DataFrame
    info: LogInfo


@dataclass
class Rows:
    """Messages as parallel Python lists, built by a reader and turned into a table once.

    Times are int64 nanoseconds since the epoch (``NAT`` when unknown): UTC when
    ``time_aware`` is true, else the naive wall clock as written. ``offsets`` are seconds
    since stream start as the log gives them (``None`` = not given). ``day_clock`` is for logs
    that only give a time of day and no date: seconds since midnight of the first day (wraps
    past midnight already added); ``read_log`` dates them when ``start=`` is given.
    """

    users: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    times: list[int] = field(default_factory=list)
    offsets: list[float | None] = field(default_factory=list)
    day_clock: list[float] | None = None
    hints: list[str | None] = field(default_factory=list)
    emotes: list[list[str]] = field(default_factory=list)
    time_aware: bool = False
    tz: str | None = None
    start: pd.Timestamp | None = None
    title: str | None = None
    channel: str | None = None
    emote_set: set[str] = field(default_factory=set)
    chapters: list[tuple[float, str]] = field(default_factory=list)
    video_id: str | None = None
    skipped: int = 0
    examples: list[tuple[int, str]] = field(default_factory=list)
    system_lines: int = 0  # recognised non-message lines (for the "only system lines" error)
    notes: list[str] = field(default_factory=list)

    def add(
        self,
        user: str,
        text: str,
        *,
        time: int = NAT,
        offset: float | None = None,
        hint: str | None = None,
        emotes: list[str] | None = None,
        line: int = 0,
    ) -> bool:
        """Append one message; a time outside 1970-2200 or an offset outside [-7 days,
        1 year] (``timefmt``'s ranges) skips it instead, counted at ``line``. False when
        skipped. The one place every reader's times pass, so no reader can let a year-9999
        line or a 1e18 s offset overflow the table."""
        problem = _range_problem(time, offset)
        if problem:
            self.skip(line or self._next_line(), problem)
            return False
        self.users.append(user)
        self.texts.append(text)
        self.times.append(time)
        self.offsets.append(offset)
        self.hints.append(hint)
        self.emotes.append(emotes if emotes is not None else [])
        return True

    def add_many(
        self,
        users: list[str],
        texts: list[str],
        *,
        lines: list[int],
        times: np.ndarray | None = None,
        offsets: np.ndarray | None = None,
        unread: dict[int, str] | None = None,
    ) -> None:
        """``add`` for a whole table at once: the same range checks and skips, in row order.

        ``unread`` maps the rows a reader could not read to their skip reason. 1M CSV rows
        one ``add`` at a time took 2.1 s (4.3 s with the garbage collector on); at once, 0.5 s.
        """
        unread = unread or {}
        n = len(texts)
        ns = times if times is not None else np.full(n, NAT, dtype=np.int64)
        bad = (ns != NAT) & ~times_in_range(ns)
        if offsets is not None:
            bad |= ~offsets_in_range(offsets)
        bad[list(unread)] = True
        for i in np.flatnonzero(bad).tolist():
            offset = None if offsets is None else float(offsets[i])
            self.skip(lines[i], unread.get(i) or _range_problem(int(ns[i]), offset) or "")
        keep = ~bad
        kept = int(keep.sum())
        self.users.extend(compress(users, keep) if kept < n else users)
        self.texts.extend(compress(texts, keep) if kept < n else texts)
        self.times.extend(ns[keep].tolist())
        self.offsets.extend(offsets[keep].tolist() if offsets is not None else [None] * kept)
        self.hints.extend([None] * kept)
        self.emotes.extend([] for _ in range(kept))

    def _next_line(self) -> int:
        """A record number when the reader gave none: messages and skips so far, plus one."""
        return len(self.texts) + self.skipped + 1

    def skip(self, line_number: int, reason: str) -> None:
        """Count a record that could not be parsed; keep the first few for the report."""
        self.skipped += 1
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append((line_number, reason))

    def __len__(self) -> int:
        return len(self.texts)


def _range_problem(time: int, offset: float | None) -> str | None:
    """Why ``Rows.add`` refuses a time or an offset (``timefmt``'s ranges), or None."""
    if time != NAT and not time_in_range(time):
        return "time outside 1970-2200"
    if offset is not None and not offset_in_range(offset):
        return f"offset {offset:.6g} s out of range"
    return None


Sniffer = Callable[[Source], float]
ReadFunc = Callable[..., Rows]


@dataclass(frozen=True)
class Reader:
    """One registered format."""

    name: str
    read: ReadFunc
    sniff: Sniffer
    description: str


FORMATS: dict[str, Reader] = {}


_VIDEO_URL = re.compile(r"twitch\.tv/videos/(\d+)")


def twitch_video_id(value: object) -> str | None:
    """The VOD id in a Twitch video id (digits, possibly `v`-prefixed) or a video URL, or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value) if value > 0 else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text[:1] in "vV" and text[1:].isdigit():
        text = text[1:]
    if text.isdigit() and 1 <= len(text) <= 20:
        return text
    match = _VIDEO_URL.search(text)
    return match.group(1) if match else None


def register(name: str, *, sniff: Sniffer, description: str) -> Callable[[ReadFunc], ReadFunc]:
    """Register ``read`` under ``name``; adding a format is adding one decorated function."""

    def deco(read: ReadFunc) -> ReadFunc:
        if name in FORMATS:
            raise ValueError(f"format {name!r} registered twice")
        FORMATS[name] = Reader(name=name, read=read, sniff=sniff, description=description)
        return read

    return deco


_EPOCH = datetime(1970, 1, 1)
_EPOCH_UTC = datetime(1970, 1, 1, tzinfo=timezone.utc)


def dt_to_ns(dt: datetime) -> tuple[int, bool]:
    """A datetime as int64 ns since the epoch (UTC if aware) and whether it was aware."""
    if dt.tzinfo is not None and dt.utcoffset() is not None:
        delta = dt - _EPOCH_UTC
        aware = True
    else:
        delta = dt.replace(tzinfo=None) - _EPOCH
        aware = False
    ns = (delta.days * 86400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000
    return ns, aware


def parse_iso(value: str) -> tuple[int, bool] | None:
    """Parse an ISO-8601-ish time string (``Z``, offsets, ``_`` or space separator, ``UTC``).

    Returns ``(ns, aware)`` or ``None``. Fractions longer than microseconds (Twitch writes 7
    digits) are cut to 6, which ``datetime.fromisoformat`` needs on Python 3.10.
    """
    s = value.strip()
    if len(s) < 10 or len(s) > 64:
        return None
    aware_utc = False
    if s.endswith(" UTC") or s.endswith(" GMT"):
        s, aware_utc = s[:-4], True
    if s.endswith("Z") or s.endswith("z"):
        s, aware_utc = s[:-1], True
    if len(s) > 10 and s[10] in "_ t":
        s = s[:10] + "T" + s[11:]
    dot = s.find(".", 10)
    if dot > 0:
        end = dot + 1
        while end < len(s) and s[end].isdigit():
            end += 1
        frac = s[dot + 1 : end][:6]
        s = s[:dot] + ("." + frac.ljust(6, "0") if frac else "") + s[end:]
    try:
        dt = datetime.fromisoformat(s)
    except (ValueError, TypeError):
        return None
    if aware_utc and dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    try:
        ns, aware = dt_to_ns(dt)
    except (OverflowError, ValueError):
        return None
    return (ns, aware) if time_in_range(ns) else None
