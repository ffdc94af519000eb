"""CSV and TSV tables, read with the ``csv`` module, every cell a string.

So a message ``NA``, ``null``, ``nan``, ``None`` or empty stays that string (pandas' NA
parsing is never involved). The delimiter is the most frequent of ``,``, ``;`` and tab in the
header line (``tsv``: tab). A row with fewer fields than the header is skipped; extra fields
are joined back into the text when the text is the last column (an unquoted comma in a
message), else skipped. A record running over several lines (an unbalanced quote: a Twitch
message holds no newline) is read again line by line, so no message is merged into its
neighbour.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from twitchtopics.readers._base import Rows, register
from twitchtopics.readers._io import Source
from twitchtopics.readers.tables.columns import TEXT_NAMES, looks_like_table, norm_name
from twitchtopics.readers.tables.rows import rows_from_columns


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
    return 0.6 if looks_like_table(names) else 0.2


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
        (h for h in header if norm_name(h) in TEXT_NAMES), None
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
