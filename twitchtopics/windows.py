"""Parse `--window` values against a stream's span.

A window is `FROM-TO`; either end may be left open (`20:00-`, `-20:00`), and an empty value
(or `all`) is the whole stream. `-`, `–` and `—` all separate the two ends. Each end is one of:

* **wall clock**, on the stream's own date(s) and in its own zone (meta `stream.tz`; a stream
  whose log had no zone is read as the naive wall clock it was written in):
  - two parts, `HH:MM` (`19:30`, `9:30`);
  - three parts with a **two-digit hour**, `HH:MM:SS` (`19:30:15`, `09:05:00`);
* **offset since the start of the stream**:
  - three parts with a one-digit (or 3+ digit) hour, `H:MM:SS`, as Twitch's VOD player shows
    it (`1:10:00`);
  - anything with a leading `+`: `+H:MM` (hours and minutes), `+H:MM:SS` (`+10:00:00` is the
    way to write an offset of ten hours or more);
  - units: `1h10m`, `90m`, `45s`, `+2h` (`h`, `m`/`min`, `s`, in that order).

Both ends must be of the same kind (an open end goes with either).

Wall-clock windows resolve to the **first occurrence that overlaps the stream**, so on a stream
spanning several days `19:30-20:00` is the first evening. When the end is earlier on the clock
than the start the window crosses midnight (`23:45-00:15`), as long as the result lasts at most
12 hours; a longer one (`20:00-19:00`) is taken as reversed and refused. A window that only
partly overlaps the stream is clipped to it; one that does not overlap it at all, a reversed or
empty one, and a malformed value raise `WindowError`, whose message gives the stream's span.
A stream with offsets only (no start time) accepts offsets only.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo

import pandas as pd

from twitchtopics.errors import TwitchTopicsError, WindowError
from twitchtopics.timefmt import format_offset, to_tzinfo

MAX_MIDNIGHT_CROSSING = timedelta(hours=12)

_SEPARATOR = re.compile(r"\s*[-\u2013\u2014]\s*")
_WALL_2 = re.compile(r"^(\d{1,2}):(\d{2})$")
_WALL_3 = re.compile(r"^(\d{2}):(\d{2}):(\d{2})$")
_OFFSET_3 = re.compile(r"^(\d|\d{3,}):(\d{2}):(\d{2})$")
_OFFSET_PLUS = re.compile(r"^\+(\d+):(\d{2})(?::(\d{2}))?$")
_OFFSET_UNITS = re.compile(
    r"^\+?(?:(?P<h>\d+(?:\.\d+)?)h)?(?:(?P<m>\d+(?:\.\d+)?)m(?:in)?)?(?:(?P<s>\d+(?:\.\d+)?)s)?$"
)

SYNTAX_HELP = (
    "use HH:MM-HH:MM or HH:MM:SS-HH:MM:SS (wall clock), H:MM:SS-H:MM:SS, +H:MM or 1h10m "
    "(offset from the start), an open end (20:00- or -20:00), or nothing for the whole stream"
)


@dataclass(frozen=True)
class Window:
    """A resolved window: offsets in seconds since the stream start, and display labels."""

    start_s: float
    end_s: float
    label: str  # the window as asked, e.g. "19:30-20:00", or "whole stream"
    start_label: str  # resolved start in the stream's zone ("2024-05-17 19:30:00") or an offset
    end_label: str
    zone_label: str = ""  # "UTC", "Europe/Paris", "+08:00"; "" for naive clocks or offsets only
    whole: bool = False

    @property
    def duration_s(self) -> float:
        return max(0.0, self.end_s - self.start_s)

    def describe(self) -> str:
        """`19:30-20:00 (2024-05-17 19:30:00 – 20:00:00 UTC)`."""
        span = _span_text(self.start_label, self.end_label, self.zone_label)
        return f"{self.label} ({span})"


@dataclass(frozen=True)
class Clock:
    """Turns offsets since the stream start into the stream's own wall clock (or H:MM:SS)."""

    start: datetime | None  # stream start: aware UTC, naive wall clock, or None (offsets only)
    zone: tzinfo | None  # display zone for aware starts
    zone_label: str = ""

    @classmethod
    def of(cls, start: pd.Timestamp | datetime | str | None, tz: str | None) -> Clock:
        when = _as_datetime(start)
        zone = None
        label = ""
        if when is not None and when.tzinfo is not None:
            try:
                zone = to_tzinfo(tz) if tz else timezone.utc
            except TwitchTopicsError:
                zone = timezone.utc
            label = tz or "UTC"
        return cls(start=when, zone=zone, zone_label=label)

    @property
    def known(self) -> bool:
        return self.start is not None

    def at(self, offset_s: float) -> datetime | None:
        """Local wall-clock datetime (in the stream's zone) of an offset, None without a start."""
        if self.start is None:
            return None
        when = self.start + timedelta(seconds=float(offset_s))
        return when.astimezone(self.zone) if self.zone is not None else when

    def label(self, offset_s: float, *, date: bool = True, seconds: bool = True) -> str:
        """`2024-05-17 19:30:00`, `19:30:00` (date=False), `19:30` (seconds=False) or `1:10:00`."""
        local = self.at(offset_s)
        if local is None:
            text = format_offset(offset_s)
            return text if seconds else text.rsplit(":", 1)[0]
        fmt = ("%Y-%m-%d " if date else "") + ("%H:%M:%S" if seconds else "%H:%M")
        return local.strftime(fmt)

    def offset_of(self, when: datetime) -> float:
        assert self.start is not None
        return (when - self.start).total_seconds()


def _as_datetime(value: pd.Timestamp | datetime | str | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = pd.Timestamp(value)
    if isinstance(value, pd.Timestamp):
        if pd.isna(value):
            return None
        value = value.floor("us").to_pydatetime()
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc)
    return value


def _span_text(start_label: str, end_label: str, zone_label: str) -> str:
    """`2024-05-17 19:00:03 – 20:44:51 UTC`: the end's date only when it differs."""
    if start_label[:10] == end_label[:10] and len(start_label) > 10 and len(end_label) > 10:
        end_label = end_label[11:]
    text = f"{start_label} \u2013 {end_label}"
    return f"{text} {zone_label}" if zone_label else text


def stream_span_text(clock: Clock, duration_s: float) -> str:
    """The stream's span for messages: wall clock when known, else offsets."""
    if not clock.known:
        return f"{format_offset(0)} \u2013 {format_offset(duration_s)} from the start"
    return _span_text(clock.label(0), clock.label(duration_s), clock.zone_label)


# --- endpoint parsing -----------------------------------------------------------------------


@dataclass(frozen=True)
class _End:
    kind: str  # "wall" | "offset"
    value: float  # seconds: of the day for wall clock, since the start for offsets
    text: str


def _parse_end(text: str) -> _End | None:
    """One end of a window, or None when it is not understood."""
    m = _WALL_2.match(text)
    if m:
        h, mi = int(m[1]), int(m[2])
        return _End("wall", h * 3600 + mi * 60, text) if h < 24 and mi < 60 else None
    m = _WALL_3.match(text)
    if m:
        h, mi, s = int(m[1]), int(m[2]), int(m[3])
        ok = h < 24 and mi < 60 and s < 60
        return _End("wall", h * 3600 + mi * 60 + s, text) if ok else None
    m = _OFFSET_3.match(text) or _OFFSET_PLUS.match(text)
    if m:
        h, mi, s = int(m[1]), int(m[2]), int(m[3] or 0)
        return _End("offset", h * 3600 + mi * 60 + s, text) if mi < 60 and s < 60 else None
    m = _OFFSET_UNITS.match(text)
    if m and any(m.group(k) for k in "hms"):
        h, mi, s = (float(m.group(k) or 0) for k in "hms")
        return _End("offset", h * 3600 + mi * 60 + s, text)
    return None


def _split(value: str) -> tuple[str, str] | None:
    parts = _SEPARATOR.split(value.strip())
    if len(parts) != 2:
        return None
    return parts[0].strip(), parts[1].strip()


# --- resolution -----------------------------------------------------------------------------


def parse_window(
    value: str | None,
    *,
    start: pd.Timestamp | datetime | str | None,
    end: pd.Timestamp | datetime | str | float | None,
    tz: str | None,
) -> Window:
    """Resolve a `--window` value against a stream.

    `start` is the stream start (tz-aware UTC when the zone is known, naive wall clock when
    not, None for a log with offsets only); `end` is the stream's end as a timestamp, or its
    duration in seconds (the only form possible without a start); `tz` is the zone to read
    and show wall-clock times in (IANA name or `+08:00`). Raises `WindowError`.
    """
    clock = Clock.of(start, tz)
    duration = _duration(clock, end)
    span = stream_span_text(clock, duration)
    text = (value or "").strip()

    def labels(a: float, b: float) -> tuple[str, str]:
        return clock.label(a), clock.label(b)

    if text.lower() in ("", "all", "whole", "-"):
        return Window(0.0, duration, "whole stream", *labels(0.0, duration), clock.zone_label, True)

    parts = _split(text)
    if parts is None:
        raise WindowError(f"window {text} is malformed: {SYNTAX_HELP} (stream: {span})")
    ends = []
    for part in parts:
        if not part:
            ends.append(None)
            continue
        parsed = _parse_end(part)
        if parsed is None:
            raise WindowError(
                f"window {text} is malformed ({part!r} is not a time): {SYNTAX_HELP} (stream: {span})"
            )
        ends.append(parsed)
    a, b = ends
    kinds = {e.kind for e in ends if e is not None}
    if not kinds:
        return Window(0.0, duration, "whole stream", *labels(0.0, duration), clock.zone_label, True)
    if len(kinds) > 1:
        raise WindowError(
            f"window {text} mixes a wall-clock time and an offset: use one kind for both ends "
            f"(stream: {span})"
        )
    if kinds == {"wall"}:
        if not clock.known:
            raise WindowError(
                f"window {text} is in wall-clock time, but this log has only offsets since the "
                f"start (stream: {span}): use offsets like 1:10:00-1:40:00 or +1h10m-+1h40m, or "
                "pass --start to `twitchtopics cluster`"
            )
        lo, hi = _resolve_wall(text, a, b, clock, duration, span)
    else:
        lo, hi = _resolve_offsets(text, a, b, duration, span)
    label = f"{a.text if a else ''}-{b.text if b else ''}"
    return Window(lo, hi, label, *labels(lo, hi), clock.zone_label, lo <= 0 and hi >= duration)


def _duration(clock: Clock, end: pd.Timestamp | datetime | str | float | None) -> float:
    if end is None:
        return 0.0
    if isinstance(end, (int, float)) and not isinstance(end, bool):
        return max(0.0, float(end)) if math.isfinite(end) else 0.0
    when = _as_datetime(end)  # type: ignore[arg-type]
    if when is None or clock.start is None:
        return 0.0
    if (when.tzinfo is None) != (clock.start.tzinfo is None):
        when = when.replace(tzinfo=None) if when.tzinfo else when.replace(tzinfo=timezone.utc)
    return max(0.0, clock.offset_of(when))


def _resolve_offsets(
    text: str, a: _End | None, b: _End | None, duration: float, span: str
) -> tuple[float, float]:
    lo = a.value if a else 0.0
    hi = b.value if b else duration
    if a and b and hi <= lo:
        raise WindowError(f"window {text} ends before it starts (stream: {span})")
    if (a and lo > duration) or (b and hi <= 0) or (a and lo == duration and duration > 0):
        raise WindowError(f"window {text} is outside the stream ({span})")
    return max(0.0, lo), min(duration, hi)


def _resolve_wall(
    text: str, a: _End | None, b: _End | None, clock: Clock, duration: float, span: str
) -> tuple[float, float]:
    """Offsets of the first occurrence of a wall-clock window that overlaps the stream."""
    first = clock.at(0)
    last = clock.at(duration)
    assert first is not None and last is not None
    days = [
        first.date() + timedelta(days=i) for i in range(-1, (last.date() - first.date()).days + 2)
    ]

    def offset(day: date, seconds: float) -> float:
        tod = time(int(seconds // 3600), int(seconds % 3600 // 60), int(seconds % 60))
        local = datetime.combine(day, tod, tzinfo=clock.zone)
        when = local.astimezone(timezone.utc) if clock.zone is not None else local
        return clock.offset_of(when)

    outside = WindowError(f"window {text} is outside the stream ({span})")
    if a and b:
        if a.value == b.value:
            raise WindowError(f"window {text} is empty (stream: {span})")
        length = (b.value - a.value) % 86400
        if b.value < a.value and length > MAX_MIDNIGHT_CROSSING.total_seconds():
            raise WindowError(
                f"window {text} ends before it starts (a window crossing midnight, like "
                f"23:45-00:15, must last at most 12 hours) (stream: {span})"
            )
        for day in days:
            lo = offset(day, a.value)
            hi = offset(day + timedelta(days=1 if b.value < a.value else 0), b.value)
            if lo < duration and hi > 0:
                return max(0.0, lo), min(duration, hi)
        raise outside

    end = a or b
    assert end is not None
    candidates = [offset(day, end.value) for day in days]
    if a:  # FROM- : from the first occurrence inside the stream to its end
        inside = [c for c in candidates if 0 <= c < duration]
        if inside:
            return inside[0], duration
        nearest = min(candidates, key=lambda c: -c if c < 0 else c - duration)
        if nearest >= duration:
            raise outside
        return 0.0, duration
    inside = [c for c in candidates if 0 < c <= duration]  # -TO : from the start
    if inside:
        return 0.0, inside[0]
    nearest = min(candidates, key=lambda c: -c if c < 0 else c - duration)
    if nearest <= 0:
        raise outside
    return 0.0, duration
