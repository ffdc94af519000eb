"""A table's columns -> ``Rows``: the one step every table format (and a DataFrame) ends in.

A null text (JSON ``null``, Parquet null) is the empty string; a user is ``""`` when absent; a
row whose time cannot be parsed is skipped with its line (or record) number.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from twitchtopics.readers._base import NAT, Rows
from twitchtopics.readers.tables.columns import find_columns
from twitchtopics.readers.tables.times import Times, only_strings, parse_times


def cell_str(value: Any, *, user: bool = False) -> str:
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
    texts = data[text_col]
    users = data[user_col] if user_col else None
    raw_times = data[time_col]
    if all(only_strings(col) for col in (raw_times, texts, users or [])):
        _add_string_columns(rows, times, raw_times, users, texts, line_numbers)
    else:
        _add_row_by_row(rows, times, raw_times, users, texts, line_numbers)
    rows.time_aware = times.aware
    rows.tz = times.tz if times.aware else None
    return rows


def _unread(raw_time: Any) -> str:
    """The skip reason of a row whose time cannot be parsed."""
    shown = cell_str(raw_time)[:40]
    return f"time {shown!r} not understood" if shown else "no time"


def _add_string_columns(
    rows: Rows,
    times: Times,
    raw_times: list[str],
    users: list[str] | None,
    texts: list[str],
    line_numbers: list[int],
) -> None:
    """Columns of plain strings added at once (``Rows.add_many``): the rows
    ``_add_row_by_row`` gives, without a Python call per row."""
    unread = {i: _unread(raw_times[i]) for i in np.flatnonzero(times.ns == NAT).tolist()}
    users = users if users is not None else [""] * len(texts)
    if times.offsets is not None:
        rows.add_many(users, texts, lines=line_numbers, offsets=times.offsets, unread=unread)
    else:
        rows.add_many(users, texts, lines=line_numbers, times=times.ns, unread=unread)


def _add_row_by_row(
    rows: Rows,
    times: Times,
    raw_times: list[Any],
    users: list[Any] | None,
    texts: list[Any],
    line_numbers: list[int],
) -> None:
    """Cells of any type (JSON, Parquet, a DataFrame), made text one row at a time."""
    offsets = times.offsets
    for i, number in enumerate(line_numbers):
        ns = int(times.ns[i])
        if ns == NAT:
            rows.skip(number, _unread(raw_times[i]))
            continue
        user = cell_str(users[i], user=True) if users is not None else ""
        if offsets is not None:
            rows.add(user, cell_str(texts[i]), offset=float(offsets[i]), line=number)
        else:
            rows.add(user, cell_str(texts[i]), time=ns, line=number)
