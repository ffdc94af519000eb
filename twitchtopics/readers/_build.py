"""Turning a reader's ``Rows`` into the messages table: the time rules, in one place.

- Stream start: ``start=`` when given; else the log's metadata (video start, ``Log
  started``); else, when messages carry both a wall-clock time and an offset (chat-downloader,
  GQL without video metadata), the first message's time minus its offset; else the earliest
  message time; else unknown (``None``).
- Aware times are UTC (``datetime64[ns, UTC]``) and ``info.tz`` is the log's own zone
  unless ``tz=`` names another display zone. Naive times stay naive (``info.tz=None``)
  unless ``tz=`` names their zone: then they are localized to it (ambiguous DST hours are
  read as standard time, missing ones shifted forward) and stored as UTC.
- ``start=`` without a zone is read in ``tz=`` if given, else in the log's zone; for a naive
  log a zoned ``start=`` is converted to UTC and used as a naive clock.
- Offsets-only logs: ``time`` is all NaT unless a start is known, then start + offset.
  Time-of-day-only logs (Chatterino without a date): ``start=`` gives the date, the times of
  day are kept; without it they are offsets since the earliest line.
- ``offset_s``: the log's own offset when it has one, else time - start; a message with
  neither takes the previous message's offset (0 for the first): never NaN.
- Rows are sorted stably by time (by ``offset_s`` when some time is unknown); ``index``
  keeps each message's position in the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta, timezone, tzinfo
from typing import Any

import numpy as np
import pandas as pd

from twitchtopics.chat.kinds import assign_kinds
from twitchtopics.errors import ReadError, TwitchTopicsError
from twitchtopics.readers._base import NAT, ChatLog, LogInfo, Rows
from twitchtopics.timefmt import check_start

COLUMNS = ("index", "time", "offset_s", "user", "text", "kind", "emotes")
NS = 1_000_000_000
# How far a message's time minus its offset may wander before the two are called
# inconsistent: chat delay and clock jitter are seconds (real logs in ../shared: under 5 s).
OFFSET_AGREEMENT_S = 120.0


def to_tzinfo(name: str) -> tzinfo:
    """``UTC``, an IANA name or a fixed offset (``+08:00``); ``ReadError`` otherwise."""
    try:
        from twitchtopics.timefmt import to_tzinfo as parse

        return parse(str(name))
    except Exception:
        raise ReadError(f"unknown time zone {name!r} (use e.g. Europe/Paris or +02:00)") from None


def zone_label(tz: Any) -> str | None:
    """A display name for a tzinfo: IANA key, ``UTC`` or ``+08:00``."""
    if tz is None:
        return None
    key = getattr(tz, "key", None) or getattr(tz, "zone", None)
    if key:
        return str(key)
    offset = tz.utcoffset(None) if not hasattr(tz, "key") else None
    if offset is None:
        return str(tz)
    if offset == timedelta(0):
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def parse_start(start: Any) -> pd.Timestamp:
    """``start=`` as a Timestamp (``ReadError`` when it is not a date and time)."""
    try:
        ts = pd.Timestamp(start)
    except (ValueError, TypeError, OverflowError):
        raise ReadError(f"invalid start {start!r} (use e.g. '2021-11-04 19:15')") from None
    if ts is pd.NaT or pd.isna(ts):
        raise ReadError(f"invalid start {start!r} (use e.g. '2021-11-04 19:15')")
    try:
        check_start(ts)
    except TwitchTopicsError as exc:
        raise ReadError(str(exc)) from None
    return ts.as_unit("ns")


def _localize_ns(times: np.ndarray, zone: tzinfo) -> np.ndarray:
    """Naive wall-clock ns -> UTC ns, reading them in ``zone``."""
    idx = pd.DatetimeIndex(times.view("datetime64[ns]"))
    out = idx.tz_localize(
        zone, ambiguous=np.zeros(len(idx), dtype=bool), nonexistent="shift_forward"
    )
    return np.asarray(out.tz_convert("UTC").asi8, dtype=np.int64)


def _ts_ns(ts: pd.Timestamp) -> int:
    return int(ts.as_unit("ns").value)


def _ts(ns: int, aware: bool) -> pd.Timestamp:
    return pd.Timestamp(ns, unit="ns", tz="UTC" if aware else None)


def build(
    rows: Rows,
    *,
    path: str,
    fmt: str,
    start: Any = None,
    tz: str | None = None,
    bots: Iterable[str] = (),
    decode_errors: int = 0,
) -> ChatLog:
    """The ``ChatLog`` for a reader's rows (see the module docstring for the rules)."""
    n = len(rows)
    if n == 0:
        raise ReadError(_no_message(rows, path, fmt))
    zone = to_tzinfo(tz) if tz else None
    times = np.asarray(rows.times, dtype=np.int64)
    offsets = np.array([np.nan if o is None else o for o in rows.offsets], dtype=float)
    aware = rows.time_aware
    log_tz = rows.tz if aware else None
    meta = rows.start
    has_time = bool((times != NAT).any())

    if has_time and not aware and zone is not None:
        times = np.where(times != NAT, _localize_ns(times, zone), NAT)
        aware, log_tz = True, tz
        if meta is not None and meta.tz is None:
            meta = meta.tz_localize(zone).tz_convert("UTC")

    start_ts: pd.Timestamp | None = None
    if start is not None:
        start_ts = parse_start(start)
        if has_time:
            start_ts = _fit_start(start_ts, aware, zone or (to_tzinfo(log_tz) if log_tz else None))
        else:
            start_ts, times, aware, log_tz = _date_undated(start_ts, rows, times, offsets, zone)
            has_time = bool((times != NAT).any())
    elif meta is not None:
        start_ts = meta
        aware = aware or meta.tz is not None
    if start_ts is None and has_time:
        start_ts = _implied_start(times, offsets, aware)

    start_ns = _ts_ns(start_ts) if start_ts is not None else None
    if start_ns is not None:
        times = _follow_offsets(times, offsets, start_ns, rows)
        fill = (times == NAT) & ~np.isnan(offsets)
        if fill.any():
            times = times.copy()
            times[fill] = start_ns + np.round(offsets[fill] * NS).astype(np.int64)
            has_time = True
    offsets = _offsets(times, offsets, start_ns, rows)

    df = _frame(rows, times, offsets, aware)
    df["kind"] = assign_kinds(df, bots=bots)
    if (df["kind"] == "system").all():
        raise ReadError(f"{path}: only system lines ({n} notifications), no chat message")
    df = _sort(df, times)
    info = LogInfo(
        path=path,
        format=fmt,
        start=start_ts,
        tz=tz if tz else (log_tz if (has_time or start_ts is not None) else None),
        title=rows.title,
        channel=rows.channel,
        emotes=set(rows.emote_set),
        lines_skipped=rows.skipped,
        skipped_examples=list(rows.examples),
        decode_errors=decode_errors,
        chapters=list(rows.chapters),
        notes=list(rows.notes),
        video_id=rows.video_id,
    )
    return ChatLog(messages=df, info=info)


def _follow_offsets(
    times: np.ndarray, offsets: np.ndarray, start_ns: int, rows: Rows
) -> np.ndarray:
    """Times = start + offsets when a log's wall-clock times contradict its offsets.

    A message's time minus its offset is the stream start, give or take chat delay: it varies
    by seconds. Twitch's API and GQL sometimes return ``created_at`` values that do not move
    with the stream (in ../shared, 6 seconds of created_at over 48 minutes of offsets, and
    7 hours of GQL offsets over a few seconds): there the offsets are the truth (the video
    plays them), so the times follow the start plus the offsets, with a note for ``inspect``.
    """
    both = (times != NAT) & ~np.isnan(offsets)
    if int(both.sum()) < 2:
        return times
    residual = times[both] / NS - offsets[both]
    spread = float(np.percentile(residual, 95) - np.percentile(residual, 5))
    span = float(offsets[both].max() - offsets[both].min())
    if spread <= max(OFFSET_AGREEMENT_S, 0.05 * span):
        return times
    clock_span = float(times[both].max() - times[both].min()) / NS
    times = times.copy()
    times[both] = start_ns + np.round(offsets[both] * NS).astype(np.int64)
    rows.notes.append(
        f"message times disagree with their offsets (times minus offsets spread over "
        f"{spread:.0f} s); times follow the stream start + offsets "
        f"({span:.0f} s of offsets, {clock_span:.0f} s of logged times)"
    )
    return times


def _fit_start(ts: pd.Timestamp, aware: bool, zone: tzinfo | None) -> pd.Timestamp:
    """``start=`` made comparable with the log's times (UTC if aware, naive otherwise)."""
    if aware:
        if ts.tz is None:
            ts = ts.tz_localize(zone or timezone.utc)
        return ts.tz_convert("UTC")
    if ts.tz is not None:
        return ts.tz_convert("UTC").tz_localize(None)
    return ts


def _date_undated(
    ts: pd.Timestamp,
    rows: Rows,
    times: np.ndarray,
    offsets: np.ndarray,
    zone: tzinfo | None,
) -> tuple[pd.Timestamp, np.ndarray, bool, str | None]:
    """Times for a log without wall clock, from ``start=`` (and the times of day, if any)."""
    if ts.tz is None and zone is not None:
        ts = ts.tz_localize(zone)
    own_zone = ts.tzinfo
    label = zone_label(own_zone)
    if rows.day_clock is not None and len(rows.day_clock) == len(rows):
        wall = ts.tz_localize(None) if own_zone is not None else ts
        midnight = _ts_ns(wall.normalize())
        clock = np.asarray(rows.day_clock, dtype=float)
        naive = midnight + np.round(clock * NS).astype(np.int64)
        if own_zone is not None:
            return ts.tz_convert("UTC"), _localize_ns(naive, own_zone), True, label
        return ts, naive, False, None
    if own_zone is not None:
        return ts.tz_convert("UTC"), times, True, label
    return ts, times, False, None


def _implied_start(times: np.ndarray, offsets: np.ndarray, aware: bool) -> pd.Timestamp:
    """First message's time minus its offset when both are known, else the earliest time."""
    both = (times != NAT) & ~np.isnan(offsets)
    if both.any():
        i = int(np.argmax(both))
        return _ts(int(times[i]) - int(round(offsets[i] * NS)), aware)
    return _ts(int(times[times != NAT].min()), aware)


def _offsets(
    times: np.ndarray, offsets: np.ndarray, start_ns: int | None, rows: Rows
) -> np.ndarray:
    """Seconds since start for every row, never NaN."""
    out = offsets.copy()
    missing = np.isnan(out)
    if missing.any() and start_ns is not None:
        known = missing & (times != NAT)
        out[known] = (times[known] - start_ns) / NS
    missing = np.isnan(out)
    if missing.any() and rows.day_clock is not None and len(rows.day_clock) == len(rows):
        clock = np.asarray(rows.day_clock, dtype=float)
        out[missing] = clock[missing] - clock.min()
    if np.isnan(out).any():
        out = pd.Series(out).ffill().fillna(0.0).to_numpy(dtype=float)
    return out


def _frame(rows: Rows, times: np.ndarray, offsets: np.ndarray, aware: bool) -> pd.DataFrame:
    n = len(rows)
    stamps = pd.Series(times.view("datetime64[ns]"))
    if aware:
        stamps = stamps.dt.tz_localize("UTC")
    emotes = pd.Series([list(e) for e in rows.emotes], dtype=object)
    return pd.DataFrame(
        {
            "index": np.arange(n, dtype=np.int64),
            "time": stamps,
            "offset_s": offsets.astype(np.float64),
            "user": pd.Series(rows.users, dtype=object),
            "text": pd.Series(rows.texts, dtype=object),
            "kind": pd.Series(rows.hints, dtype=object),
            "emotes": emotes,
        },
        columns=list(COLUMNS),
    )


def _sort(df: pd.DataFrame, times: np.ndarray) -> pd.DataFrame:
    """Stable sort by time (by offset when some time is unknown)."""
    key = times if bool((times != NAT).all()) else df["offset_s"].to_numpy()
    order = np.argsort(key, kind="stable")
    if (order == np.arange(len(order))).all():
        return df
    return df.iloc[order].reset_index(drop=True)


def _no_message(rows: Rows, path: str, fmt: str) -> str:
    if rows.system_lines and not rows.skipped:
        return f"{path}: only system/server lines ({rows.system_lines}), no chat message"
    if rows.skipped:
        line, why = rows.examples[0] if rows.examples else (0, "?")
        return (
            f"{path}: no parsable message as {fmt} "
            f"({rows.skipped} records skipped; first at line {line}: {why})"
        )
    return f"{path}: no message found (read as {fmt})"
