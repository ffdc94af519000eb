"""Showing times the way the log wrote them: the log's own zone, or the offset since start."""

from __future__ import annotations

import math
import re
from datetime import timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from twitchtopics.errors import TwitchTopicsError

_OFFSET = re.compile(r"^(?:UTC)?([+-])(\d{1,2}):?(\d{2})?$")


def to_tzinfo(name: str) -> tzinfo:
    """`UTC`, an IANA zone (`Europe/Paris`) or a fixed offset (`+08:00`, `-0500`)."""
    if name.upper() in ("UTC", "Z", "GMT"):
        return timezone.utc
    match = _OFFSET.match(name.strip())
    if match:
        sign, hours, minutes = match.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        return timezone(-delta if sign == "-" else delta)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise TwitchTopicsError(
            f"unknown time zone {name!r} (use e.g. Europe/Paris or +02:00)"
        ) from None


def format_offset(seconds: float) -> str:
    """Seconds since the start as H:MM:SS."""
    total = int(round(max(0.0, float(seconds))))
    return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


def localize(times: pd.Series, tz: str | None) -> pd.Series:
    """UTC times shown in the log's zone; naive wall-clock times are left as written."""
    if isinstance(times.dtype, pd.DatetimeTZDtype) and tz:
        return times.dt.tz_convert(to_tzinfo(tz))
    return times


def display_times(times: pd.Series, offsets_s: pd.Series, tz: str | None) -> list[str]:
    """One display string per message: wall clock in the log's zone, else the offset."""
    if times.isna().all():
        return [format_offset(s) for s in offsets_s]
    shown = localize(times, tz)
    out = shown.dt.strftime("%Y-%m-%d %H:%M:%S")
    return [
        t if isinstance(t, str) else format_offset(s) for t, s in zip(out, offsets_s, strict=True)
    ]


def format_timestamp(value: pd.Timestamp | None, tz: str | None) -> str | None:
    """One timestamp for display, or None."""
    if value is None or pd.isna(value):
        return None
    if value.tzinfo is not None and tz:
        value = value.tz_convert(to_tzinfo(tz))
    return value.strftime("%Y-%m-%d %H:%M:%S")


# --------------------------------------------------------------------------- plausible ranges
# Every time and offset a reader produces passes these checks (``readers._base.Rows.add``);
# a line outside them is skipped and counted, never allowed to refuse or corrupt the whole
# log. The bounds keep every value well inside pandas' nanosecond range (1677-2262), so
# later arithmetic (start + offset, report windows, per-minute counts) cannot overflow.
# Twitch dates from 2011 and IRC ``tmi-sent-ts`` counts from 1970: nothing real is refused.
MIN_TIME = pd.Timestamp("1970-01-01")
MAX_TIME = pd.Timestamp("2200-01-01")
MIN_TIME_NS = int(MIN_TIME.value)
MAX_TIME_NS = int(MAX_TIME.value)
# A stream's offsets: Twitch VODs last at most 48 h; a year leaves room for concatenated
# logs while an absurd offset (1e18 s) cannot make a per-minute table of 118 PiB.
MAX_OFFSET_S = 366 * 86400.0
MIN_OFFSET_S = -7 * 86400.0  # chat before the VOD start (TwitchDownloader writes negatives)


def time_in_range(ns: int) -> bool:
    """True for a time (ns since the epoch) between 1970 and 2200."""
    return MIN_TIME_NS <= ns < MAX_TIME_NS


def offset_in_range(seconds: float) -> bool:
    """True for a finite offset between a week before the start and a year after."""
    return math.isfinite(seconds) and MIN_OFFSET_S <= seconds <= MAX_OFFSET_S


def times_in_range(ns: np.ndarray) -> np.ndarray:
    """``time_in_range`` for an int64 array of ns at once."""
    return (ns >= MIN_TIME_NS) & (ns < MAX_TIME_NS)


def offsets_in_range(seconds: np.ndarray) -> np.ndarray:
    """``offset_in_range`` for a float array at once (NaN and infinities fail both bounds)."""
    return (seconds >= MIN_OFFSET_S) & (seconds <= MAX_OFFSET_S)


def check_start(ts: pd.Timestamp) -> None:
    """Refuse a stream start outside 1970-2200 (``TwitchTopicsError``, one line)."""
    naive = ts.tz_convert("UTC").tz_localize(None) if ts.tzinfo is not None else ts
    if not (MIN_TIME <= naive < MAX_TIME):
        raise TwitchTopicsError(
            f"start {ts.isoformat()} is outside the supported years "
            f"{MIN_TIME.year}-{MAX_TIME.year - 1}"
        )
