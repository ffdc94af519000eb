"""A table's time column parsed at once: wall-clock times, epoch numbers or offsets.

Times may be ISO strings with a zone (stored as UTC; ``info.tz`` is their offset) or without
(kept naive, as written), epoch seconds/ms/us/ns (told apart by magnitude; UTC), or offsets
in seconds (numbers below 1e8, ``H:MM:SS`` strings, or a column named like
``time_in_seconds``/``offset``). A value that cannot be parsed is NAT (its row is skipped).
"""

from __future__ import annotations

import itertools
import operator
import re
from typing import Any

import numpy as np
import pandas as pd

from twitchtopics.readers._base import NAT
from twitchtopics.readers.tables.columns import OFFSET_NAMES, norm_name

_CLOCK = re.compile(r"^\s*(\d+):(\d\d)(?::(\d\d))?(\.\d+)?\s*$")
_ZONE = re.compile(r"(?:Z|[+-]\d\d:?\d\d|\s?UTC|\s?GMT)$", re.IGNORECASE)
_UNIT = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1}


class Times:
    """A time column parsed at once: ns (NAT where unparsable), awareness, offsets mode."""

    def __init__(
        self,
        ns: np.ndarray,
        aware: bool,
        offsets: np.ndarray | None,
        tz: str | None,
    ) -> None:
        self.ns = ns
        self.aware = aware
        self.offsets = offsets  # seconds since start when the column holds offsets
        self.tz = tz


def _datetimes_to_ns(values: pd.Series) -> np.ndarray:
    """int64 ns (UTC for aware values) of a datetime Series of any unit; overflow -> NAT."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    arr = values.to_numpy()
    unit = np.datetime_data(arr.dtype)[0]
    ints = arr.view("int64")
    factor = _UNIT.get(unit, 1)
    out = np.full(len(ints), NAT, dtype=np.int64)
    ok = (ints != NAT) & (np.abs(ints) < np.iinfo(np.int64).max // factor)
    out[ok] = ints[ok] * factor
    return out


def parse_times(values: list[Any], column: str) -> Times:
    """Parse a whole time column (see the module docstring for what is accepted)."""
    n = len(values)
    series = pd.Series(values, dtype=object)
    if n == 0:
        return Times(np.zeros(0, dtype=np.int64), False, None, None)
    strings = only_strings(values)
    stripped = _stripped(values, strings)
    present = _present(values, stripped, strings)
    if not present.any():
        return Times(np.full(n, NAT, dtype=np.int64), False, None, None)
    if all(isinstance(v, (pd.Timestamp,)) or v is None for v in values[:50]):
        return _from_datetimes(series)
    count = int(present.sum())
    enough = 0.9 * count
    if count - _count_holding(values, ":", strings) >= enough:
        numbers = pd.to_numeric(series.where(present, None), errors="coerce")
        numbers = numbers.where(np.isfinite(numbers.to_numpy(dtype=float, na_value=np.nan)))
        if numbers.notna().sum() >= enough:
            return _from_numbers(numbers.to_numpy(dtype=float, na_value=np.nan), column)
    texts = pd.Series(stripped)
    if (
        count - _count_holding(stripped, "-", True) >= enough
        and texts.str.match(_CLOCK).sum() >= enough
    ):
        return _from_clock(texts)
    return _from_strings(texts)


def only_strings(values: list[Any]) -> bool:
    """Every cell a plain ``str`` (a CSV's always): the passes below then skip their test per
    cell (the four passes over the 1M speed log's times: 0.47 -> 0.27 s), and `rows` adds
    the columns at once."""
    return set(map(type, values)) <= {str}


def _stripped(values: list[Any], strings: bool) -> list[str]:
    """Each cell as text: a string stripped, None empty, anything else ``str()``."""
    if strings:
        return list(map(str.strip, values))
    return [v.strip() if isinstance(v, str) else ("" if v is None else str(v)) for v in values]


def _present(values: list[Any], stripped: list[str], strings: bool) -> np.ndarray:
    """Cells holding a time: not None, not a blank string (any other value counts)."""
    if strings:
        return np.fromiter(map(bool, stripped), dtype=bool, count=len(values))
    return np.fromiter(
        (
            bool(s) if isinstance(v, str) else v is not None
            for v, s in zip(values, stripped, strict=True)
        ),
        dtype=bool,
        count=len(values),
    )


def _count_holding(values: list[Any], char: str, strings: bool) -> int:
    """How many string cells contain ``char``: a bound that lets a whole pass be skipped.

    A string with ``:`` is never a number for ``pd.to_numeric``, and a stripped one with ``-``
    never an ``H:MM:SS`` clock; such strings are present cells, so when they are over a tenth
    of them the 90 % share cannot be reached and the pass is not run (1M ISO times:
    ``to_numeric`` 1.9 s and the clock regex 0.8 s, against 0.2 s for both counts).
    """
    if strings:
        return sum(map(operator.contains, values, itertools.repeat(char, len(values))))
    return sum(1 for v in values if isinstance(v, str) and char in v)


def _from_numbers(values: np.ndarray, column: str) -> Times:
    finite = values[np.isfinite(values)]
    biggest = float(np.max(np.abs(finite))) if finite.size else 0.0
    if norm_name(column) in OFFSET_NAMES or biggest < 1e8:
        ns = np.where(np.isfinite(values), 0, NAT).astype(np.int64)
        return Times(ns, False, values, None)
    factor = 1.0 if biggest >= 1e17 else 1e3 if biggest >= 1e14 else 1e6 if biggest >= 1e11 else 1e9
    scaled = values * factor
    ok = np.isfinite(scaled) & (np.abs(scaled) < 9.2e18)
    ns = np.full(len(values), NAT, dtype=np.int64)
    ns[ok] = scaled[ok].astype(np.int64)
    return Times(ns, True, None, "UTC")


def _from_clock(strings: pd.Series) -> Times:
    """``H:MM:SS`` / ``M:SS`` offsets."""
    offsets = np.full(len(strings), np.nan)
    for i, s in enumerate(strings):
        m = _CLOCK.match(s)
        if m:
            a, b, c, frac = m.groups()
            secs = int(a) * 3600 + int(b) * 60 + int(c) if c else int(a) * 60 + int(b)
            offsets[i] = secs + (float(frac) if frac else 0.0)
    ns = np.where(np.isfinite(offsets), 0, NAT).astype(np.int64)
    return Times(ns, False, offsets, None)


def _from_datetimes(series: pd.Series) -> Times:
    try:
        dt = pd.to_datetime(series, errors="coerce")
    except (ValueError, TypeError, OverflowError):
        return Times(np.full(len(series), NAT, dtype=np.int64), False, None, None)
    if isinstance(dt.dtype, pd.DatetimeTZDtype):
        dt = dt.dt.tz_convert("UTC")
        return Times(_datetimes_to_ns(dt), True, None, "UTC")
    return Times(_datetimes_to_ns(dt), False, None, None)


def _zone_candidates(strings: pd.Series) -> np.ndarray:
    """Rows whose end could hold a zone (`_ZONE`): a sign in the last six characters
    (+05:00, -0500) or a last letter Z, C or T (Z, UTC, GMT). Only these go through the
    regex: on 1M naive times the regex over every row was 3.8 s, most of parsing them.
    pandas' string methods test the ends column-wise (1M times: 0.9-2.8 s as a Python loop
    over the column, which converts every Arrow string; 0.25 s)."""
    strings = strings.astype(str)
    tail = strings.str.slice(-6)
    sign = tail.str.contains("+", regex=False) | tail.str.contains("-", regex=False)
    ends = strings.str.endswith(("Z", "z", "C", "c", "T", "t"))
    return (sign | ends).to_numpy(dtype=bool)


def _from_strings(strings: pd.Series) -> Times:
    candidates = strings[_zone_candidates(strings)]
    zones = candidates.str.extract(f"({_ZONE.pattern})", flags=re.IGNORECASE)[0].dropna()
    aware = len(zones) > 0
    dt = _to_datetime(strings, aware, "ISO8601")
    if dt.isna().sum() > 0.5 * len(strings):
        dt = _to_datetime(strings, aware, "mixed")
    if aware and isinstance(dt.dtype, pd.DatetimeTZDtype):
        tz = _zone_name(set(zones.str.strip().str.upper()))
        return Times(_datetimes_to_ns(dt), True, None, tz)
    if isinstance(dt.dtype, pd.DatetimeTZDtype):  # pragma: no cover - defensive
        dt = dt.dt.tz_localize(None)
    return Times(_datetimes_to_ns(dt), False, None, None)


def _to_datetime(strings: pd.Series, utc: bool, fmt: str) -> pd.Series:
    """pd.to_datetime that never raises (unparsable values become NaT).

    Each distinct string is parsed once and the result spread back: chat has several
    messages a second, so 1M times hold about 500k distinct ones (1.3 -> 0.5 s). What
    to_datetime decides for the whole column (resolution, mixed zones) it decides on the
    same set of values.
    """
    codes, uniques = pd.factorize(strings)
    out = _parse_datetimes(pd.Series(uniques), utc, fmt)
    return pd.Series(out.array.take(codes, allow_fill=True), index=strings.index)


def _parse_datetimes(strings: pd.Series, utc: bool, fmt: str) -> pd.Series:
    """pd.to_datetime of every string, never raising (unparsable values become NaT)."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = pd.to_datetime(strings, errors="coerce", utc=utc, format=fmt)
    except (ValueError, TypeError, OverflowError):
        return pd.Series(pd.NaT, index=strings.index, dtype="datetime64[ns]")
    if not pd.api.types.is_datetime64_any_dtype(out.dtype):
        return pd.Series(pd.NaT, index=strings.index, dtype="datetime64[ns]")
    return out


def _zone_name(zones: set[str]) -> str:
    """``info.tz`` for ISO strings: their offset when they all share one, else UTC."""
    if len(zones) != 1:
        return "UTC"
    zone = zones.pop()
    if zone in ("Z", "UTC", "GMT", "+00:00", "+0000", "-00:00"):
        return "UTC"
    digits = zone[1:].replace(":", "")
    return f"{zone[0]}{digits[:2]}:{digits[2:4]}"
