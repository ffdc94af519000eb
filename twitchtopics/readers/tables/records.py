"""Tables stored as records: a JSON array of message objects, JSON Lines, Parquet.

Each becomes column lists (a key missing from an object is a null cell) and then ``Rows``
through ``rows.rows_from_columns``, like a CSV.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd

from twitchtopics.errors import ReadError
from twitchtopics.readers._base import Rows, register
from twitchtopics.readers._io import Source
from twitchtopics.readers._json import first_jsonl_object, jsonl_records
from twitchtopics.readers.tables.columns import looks_like_table
from twitchtopics.readers.tables.rows import rows_from_columns


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
    return 0.5 if looks_like_table(list(records[0])) else 0.2


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
    return 0.5 if looks_like_table(list(first)) else 0.2


@register(
    "jsonl-table",
    sniff=_sniff_jsonl_table,
    description="JSON Lines, one message object per line",
)
def read_jsonl_table(source: Source, *, columns: dict[str, str] | None = None) -> Rows:
    """Read JSON Lines of message objects; bad lines are skipped."""
    rows = Rows()
    records = list(jsonl_records(source))
    data, numbers = _records_to_columns(records, rows)
    if not numbers:
        return rows
    return rows_from_columns(data, numbers, rows, columns, str(source.path))


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
