"""Tables of messages: CSV, TSV, JSON array of objects, JSON Lines of objects, Parquet.

Columns
-------
Found by common names (case-insensitive; the first name in each list that exists wins):

- time: time, timestamp, date, datetime, created_at, createdAt, published_datetime, sent_at,
  time_in_seconds, content_offset_seconds, offset, offset_s, seconds
- user: user, username, user_name, author, display_name, displayName, name, nick, nickname,
  login, commenter, sender
- text: message, content, body, text, msg, comment

or given with ``columns={"time": ..., "user": ..., "text": ...}``. Time and text columns are
required (a ``ReadError`` names the columns found otherwise); the user column is optional.

Values
------
- CSV/TSV are read with the ``csv`` module as strings, so a message ``NA``, ``null``,
  ``nan``, ``None`` or empty stays that string (pandas' NA parsing is never involved). The
  delimiter is the most frequent of ``,``, ``;`` and tab in the header line (``tsv``: tab).
  A row with fewer fields than the header is skipped; extra fields are joined back into the
  text when the text is the last column (an unquoted comma in a message), else skipped. A
  record running over several lines (an unbalanced quote: a Twitch message holds no
  newline) is read again line by line, so no message is merged into its neighbour.
- Times may be ISO strings with a zone (stored as UTC; ``info.tz`` is their offset) or
  without (kept naive, as written), epoch seconds/ms/us/ns (told apart by magnitude;
  UTC), or offsets in seconds (numbers below 1e8, ``H:MM:SS`` strings, or a column named
  like ``time_in_seconds``/``offset``). A row whose time cannot be parsed is skipped.
- A null text (JSON ``null``, Parquet null) is the empty string; a user is ``""`` when absent.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from twitchtopics.errors import ReadError
from twitchtopics.readers._base import NAT, Rows, register
from twitchtopics.readers._io import Source
from twitchtopics.readers.jsonlogs import first_jsonl_object

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
_CLOCK = re.compile(r"^\s*(\d+):(\d\d)(?::(\d\d))?(\.\d+)?\s*$")
_ZONE = re.compile(r"(?:Z|[+-]\d\d:?\d\d|\s?UTC|\s?GMT)$", re.IGNORECASE)
_UNIT = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1}


# ------------------------------------------------------------------------------- columns


def _norm(name: str) -> str:
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
        by_norm.setdefault(_norm(n), n)

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


def _looks_like_table(names: list[str]) -> bool:
    """A header with a time and a text column found by name."""
    norm = {_norm(n) for n in names}
    return any(n in norm for n in TIME_NAMES) and any(n in norm for n in TEXT_NAMES)


# --------------------------------------------------------------------------------- times


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
    present = series.map(lambda v: v is not None and not (isinstance(v, str) and not v.strip()))
    if not present.any():
        return Times(np.full(n, NAT, dtype=np.int64), False, None, None)
    if all(isinstance(v, (pd.Timestamp,)) or v is None for v in values[:50]):
        return _from_datetimes(series)
    numbers = pd.to_numeric(series.where(present, None), errors="coerce")
    numbers = numbers.where(np.isfinite(numbers.to_numpy(dtype=float, na_value=np.nan)))
    if numbers.notna().sum() >= 0.9 * present.sum():
        return _from_numbers(numbers.to_numpy(dtype=float, na_value=np.nan), column)
    strings = series.map(
        lambda v: v.strip() if isinstance(v, str) else ("" if v is None else str(v))
    )
    clock = strings.str.match(_CLOCK)
    if clock.sum() >= 0.9 * present.sum():
        return _from_clock(strings)
    return _from_strings(strings)


def _from_numbers(values: np.ndarray, column: str) -> Times:
    finite = values[np.isfinite(values)]
    biggest = float(np.max(np.abs(finite))) if finite.size else 0.0
    if _norm(column) in OFFSET_NAMES or biggest < 1e8:
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


def _from_strings(strings: pd.Series) -> Times:
    zones = strings.str.extract(f"({_ZONE.pattern})", flags=re.IGNORECASE)[0].dropna()
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
    """pd.to_datetime that never raises (unparsable values become NaT)."""
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


# ------------------------------------------------------------------------------ building


def _cell_str(value: Any, *, user: bool = False) -> str:
    """A cell as text: None/NaN -> ""; a user dict -> its display name."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value != value:
        return ""
    if user and isinstance(value, dict):
        for key in ("display_name", "displayName", "name", "login"):
            if isinstance(value.get(key), str):
                return value[key]
        return ""
    if value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def rows_from_columns(
    data: dict[str, list[Any]],
    line_numbers: list[int],
    rows: Rows,
    columns: dict[str, str] | None,
    path: str,
) -> Rows:
    """Turn column lists into ``Rows``, skipping rows whose time cannot be parsed."""
    time_col, user_col, text_col = find_columns(list(data), columns, path)
    times = parse_times(data[time_col], time_col)
    offsets = times.offsets
    texts = data[text_col]
    users = data[user_col] if user_col else None
    raw_times = data[time_col]
    for i, number in enumerate(line_numbers):
        ns = int(times.ns[i])
        if ns == NAT:
            shown = _cell_str(raw_times[i])[:40]
            rows.skip(number, f"time {shown!r} not understood" if shown else "no time")
            continue
        user = _cell_str(users[i], user=True) if users is not None else ""
        if offsets is not None:
            rows.add(user, _cell_str(texts[i]), offset=float(offsets[i]), line=number)
        else:
            rows.add(user, _cell_str(texts[i]), time=ns, line=number)
    rows.time_aware = times.aware
    rows.tz = times.tz if times.aware else None
    return rows


# ------------------------------------------------------------------------------ CSV/TSV


def _delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d])


def _header_fields(source: Source, delimiter: str | None) -> list[str]:
    head = source.head_lines(1)
    if not head:
        return []
    delim = delimiter or _delimiter(head[0])
    try:
        return next(csv.reader([head[0]], delimiter=delim))
    except (csv.Error, StopIteration):
        return []


def _sniff_delimited(source: Source, delimiter: str | None) -> float:
    if not source.text or source.text.lstrip()[:1] in ("{", "["):
        return 0.0
    head = source.head_lines(3)
    if not head:
        return 0.0
    delim = delimiter or _delimiter(head[0])
    if delimiter is None and delim == "\t":
        return 0.0
    if delimiter == "\t" and "\t" not in head[0]:
        return 0.0
    names = _header_fields(source, delim)
    if len(names) < 2:
        return 0.0
    return 0.6 if _looks_like_table(names) else 0.2


def _read_delimited(source: Source, delimiter: str | None, columns: dict[str, str] | None) -> Rows:
    """Read a delimited table with the csv module, every cell as a string."""
    rows = Rows()
    head = source.head_lines(1)
    if not head:
        return rows
    delim = delimiter or _delimiter(head[0])
    csv.field_size_limit(2**31 - 1)
    reader = csv.reader(io.StringIO(source.text, newline=""), delimiter=delim)
    table = _Table(delim, columns, rows)
    last_line = 0
    repaired = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            rows.skip(last_line + 1, f"CSV error: {exc}")
            last_line = reader.line_num
            continue
        first_line, last_line = last_line + 1, reader.line_num
        if last_line > first_line and table.header is not None:
            # A Twitch message cannot hold a newline: a record over several lines is an
            # unbalanced quote swallowing the next records. Read each line on its own.
            repaired += 1
            for number in range(first_line, last_line + 1):
                table.add(_line_record(source.lines, number, delim), number)
            continue
        table.add(record, first_line)
    if repaired:
        rows.notes.append(
            f"{repaired} record(s) with an unbalanced quote ran over several lines; "
            "each line was read on its own"
        )
    if table.header is None:
        return rows
    return rows_from_columns(table.data, table.numbers, rows, columns, str(source.path))


def _line_record(lines: list[str], number: int, delim: str) -> list[str]:
    """One physical line parsed as a CSV record on its own (a stray quote ends at the line)."""
    if number > len(lines):
        return []
    try:
        return next(csv.reader([lines[number - 1]], delimiter=delim), [])
    except csv.Error:
        return lines[number - 1].split(delim)


class _Table:
    """A delimited table's header and columns, built record by record."""

    def __init__(self, delim: str, columns: dict[str, str] | None, rows: Rows) -> None:
        self.delim, self.columns, self.rows = delim, columns, rows
        self.header: list[str] | None = None
        self.data: dict[str, list[Any]] = {}
        self.numbers: list[int] = []

    def add(self, record: list[str], number: int) -> None:
        """Take a record: the first non-blank one is the header; others must fit it."""
        if not record or all(not cell.strip() for cell in record):
            return
        if self.header is None:
            header = [h.strip() for h in record]
            header = [h or f"column{i + 1}" for i, h in enumerate(header)]
            if len(set(header)) != len(header):
                header = _dedupe(header)
            self.header = header
            self.data = {h: [] for h in header}
            return
        fixed = _fit(record, self.header, self.delim, self.columns)
        if fixed is None:
            self.rows.skip(number, f"expected {len(self.header)} fields, got {len(record)}")
            return
        for name, cell in zip(self.header, fixed, strict=True):
            self.data[name].append(cell)
        self.numbers.append(number)


def _dedupe(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n}.{seen[n] - 1}")
    return out


def _fit(
    record: list[str], header: list[str], delim: str, columns: dict[str, str] | None
) -> list[str] | None:
    """The record with exactly len(header) cells, or None when it cannot be repaired."""
    if len(record) == len(header):
        return record
    if len(record) < len(header):
        return None
    text_col = (columns or {}).get("text") or next(
        (h for h in header if _norm(h) in TEXT_NAMES), None
    )
    if text_col is None or header[-1] != text_col:
        return None
    keep = len(header) - 1
    return record[:keep] + [delim.join(record[keep:])]


@register(
    "csv",
    sniff=lambda s: _sniff_delimited(s, None),
    description="CSV table with a header (time, user, message columns; ',' or ';')",
)
def read_csv(source: Source, *, columns: dict[str, str] | None = None) -> Rows:
    """Read a comma (or semicolon) separated table."""
    return _read_delimited(source, None, columns)


@register(
    "tsv",
    sniff=lambda s: _sniff_delimited(s, "\t"),
    description="TSV (tab-separated) table with a header",
)
def read_tsv(source: Source, *, columns: dict[str, str] | None = None) -> Rows:
    """Read a tab-separated table."""
    return _read_delimited(source, "\t", columns)


# ---------------------------------------------------------------------------- JSON tables


def _records_to_columns(records: list[tuple[int, Any]], rows: Rows) -> tuple[dict, list[int]]:
    """Column lists from (number, object) records; non-objects are skipped."""
    names: dict[str, None] = {}
    good: list[tuple[int, dict[str, Any]]] = []
    for number, rec in records:
        if isinstance(rec, dict):
            good.append((number, rec))
            for key in rec:
                names.setdefault(str(key), None)
        elif isinstance(rec, ValueError):
            rows.skip(number, f"invalid JSON line: {rec}")
        else:
            rows.skip(number, f"record {number} is not an object")
    data: dict[str, list[Any]] = {n: [rec.get(n) for _, rec in good] for n in names}
    return data, [n for n, _ in good]


def _json_records(doc: Any) -> list[Any] | None:
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        lists = [v for v in doc.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
        if len(lists) == 1:
            return lists[0]
    return None


def _sniff_json_table(source: Source) -> float:
    records = _json_records(source.json())
    if not records or not isinstance(records[0], dict):
        return 0.0
    return 0.5 if _looks_like_table(list(records[0])) else 0.2


@register(
    "json-table",
    sniff=_sniff_json_table,
    description="JSON array of message objects (e.g. {username, content, timestamp})",
)
def read_json_table(source: Source, *, columns: dict[str, str] | None = None) -> Rows:
    """Read a JSON array (or an object holding one array) of message objects."""
    rows = Rows()
    records = _json_records(source.json())
    if records is None:
        rows.skip(1, "not a JSON array of objects")
        return rows
    if not records:
        return rows
    data, numbers = _records_to_columns(list(enumerate(records, 1)), rows)
    if not numbers:
        return rows
    return rows_from_columns(data, numbers, rows, columns, str(source.path))


def _sniff_jsonl_table(source: Source) -> float:
    if source.json() is not None:
        return 0.0
    first = first_jsonl_object(source)
    if not isinstance(first, dict):
        return 0.0
    return 0.5 if _looks_like_table(list(first)) else 0.2


@register(
    "jsonl-table",
    sniff=_sniff_jsonl_table,
    description="JSON Lines, one message object per line",
)
def read_jsonl_table(source: Source, *, columns: dict[str, str] | None = None) -> Rows:
    """Read JSON Lines of message objects; bad lines are skipped."""
    rows = Rows()
    records: list[tuple[int, Any]] = []
    for number, line in enumerate(source.lines, 1):
        if not line.strip():
            continue
        try:
            records.append((number, json.loads(line)))
        except (ValueError, RecursionError) as exc:
            records.append((number, ValueError(str(exc)[:80])))
    data, numbers = _records_to_columns(records, rows)
    if not numbers:
        return rows
    return rows_from_columns(data, numbers, rows, columns, str(source.path))


# -------------------------------------------------------------------------------- Parquet


@register(
    "parquet",
    sniff=lambda s: 1.0 if s.is_parquet else 0.0,
    description="Parquet table (time, user, message columns)",
)
def read_parquet(source: Source, *, columns: dict[str, str] | None = None) -> Rows:
    """Read a Parquet table (needs pyarrow)."""
    if not source.is_parquet:
        raise ReadError(f"{source.path}: not a Parquet file")
    try:
        df = pd.read_parquet(io.BytesIO(source.data))
    except ImportError:
        raise ReadError("reading Parquet needs pyarrow (pip install pyarrow)") from None
    except Exception as exc:  # pyarrow raises many types for a corrupt file
        raise ReadError(f"{source.path}: cannot read Parquet ({str(exc)[:100]})") from None
    rows = Rows()
    names = [str(c) for c in df.columns]
    df.columns = names
    data: dict[str, list[Any]] = {}
    for name in names:
        col = df[name]
        if pd.api.types.is_datetime64_any_dtype(col.dtype):
            data[name] = list(col.astype(object).where(col.notna(), None))
        else:
            data[name] = col.astype(object).where(col.notna(), None).tolist()
    return rows_from_columns(data, list(range(1, len(df) + 1)), rows, columns, str(source.path))
