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
from itertools import compress
from operator import itemgetter

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
    records = _records_at_once(source.text, delim)
    if records is not None:
        numbers, errors, repaired = list(range(1, len(records) + 1)), {}, 0
    else:
        records, numbers, errors, repaired = _records_line_by_line(source, delim)
    if repaired:
        rows.notes.append(
            f"{repaired} record(s) with an unbalanced quote ran over several lines; "
            "each line was read on its own"
        )
    table = _Table(delim, columns, rows)
    if not table.take(records, numbers, errors):
        return rows
    return rows_from_columns(table.data, table.numbers, rows, columns, str(source.path))


def _records_at_once(text: str, delim: str) -> list[list[str]] | None:
    """Every record, when each is one line and none is a CSV error (record i is line i + 1);
    else None, and `_records_line_by_line` reads the file. One ``list(reader)`` instead of a
    guarded ``next`` per record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    try:
        records = list(reader)
    except csv.Error:
        return None
    return records if reader.line_num == len(records) else None


def _records_line_by_line(
    source: Source, delim: str
) -> tuple[list[list[str]], list[int], dict[int, str], int]:
    """Records, their line numbers, the CSV errors (record position -> reason; the record
    is empty) and how many records over several lines were read again line by line."""
    reader = csv.reader(io.StringIO(source.text, newline=""), delimiter=delim)
    records: list[list[str]] = []
    numbers: list[int] = []
    errors: dict[int, str] = {}
    last_line = repaired = 0
    header_seen = False
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors[len(records)] = f"CSV error: {exc}"
            records.append([])
            numbers.append(last_line + 1)
            last_line = reader.line_num
            continue
        first_line, last_line = last_line + 1, reader.line_num
        if last_line > first_line and header_seen:
            # A Twitch message cannot hold a newline: a record over several lines is an
            # unbalanced quote swallowing the next records. Read each line on its own.
            repaired += 1
            for number in range(first_line, last_line + 1):
                records.append(_line_record(source.lines, number, delim))
                numbers.append(number)
            continue
        records.append(record)
        numbers.append(first_line)
        header_seen = header_seen or not _blank(record)
    return records, numbers, errors, repaired


def _line_record(lines: list[str], number: int, delim: str) -> list[str]:
    """One physical line parsed as a CSV record on its own (a stray quote ends at the line)."""
    if number > len(lines):
        return []
    try:
        return next(csv.reader([lines[number - 1]], delimiter=delim), [])
    except csv.Error:
        return lines[number - 1].split(delim)


def _blank(record: list[str]) -> bool:
    """No cell, or only blank cells: the line is ignored."""
    return not record or all(not cell.strip() for cell in record)


class _Table:
    """A delimited table's header and columns, built from its records."""

    def __init__(self, delim: str, columns: dict[str, str] | None, rows: Rows) -> None:
        self.delim, self.columns, self.rows = delim, columns, rows
        self.header: list[str] = []
        self.data: dict[str, list[str]] = {}
        self.numbers: list[int] = []

    def take(self, records: list[list[str]], numbers: list[int], errors: dict[int, str]) -> bool:
        """The first non-blank record is the header, others must fit it (skips in record
        order); False when there is no header. Records of the header's width go into
        columns at once, and only the others are looked at one by one. With
        `_records_at_once`, 1M rows' text to columns took 4.6-5.1 s record by record and
        takes 2.5 s (garbage collector paused, as `read_log` does)."""
        first = self._header_at(records, numbers, errors)
        if first is None:
            return False
        body, lines = records[first + 1 :], numbers[first + 1 :]
        width = len(self.header)
        keep = [len(record) == width for record in body]
        for i in self._odd_records(keep, errors, first + 1):
            keep[i] = self._repair(body, i, lines[i], errors.get(first + 1 + i))
        if not all(keep):
            body, lines = list(compress(body, keep)), list(compress(lines, keep))
        cells = [list(map(itemgetter(j), body)) for j in range(width)]
        blank = [i for i, cell in enumerate(cells[0]) if not cell or cell.isspace()]
        if blank:
            keep = [True] * len(body)
            for i in blank:
                keep[i] = not _blank(body[i])
            cells = [list(compress(column, keep)) for column in cells]
            lines = list(compress(lines, keep))
        self.data = dict(zip(self.header, cells, strict=True))
        self.numbers = lines
        return True

    def _header_at(
        self, records: list[list[str]], numbers: list[int], errors: dict[int, str]
    ) -> int | None:
        """Position of the header record (taken), CSV errors before it skipped."""
        for i, record in enumerate(records):
            if i in errors:
                self.rows.skip(numbers[i], errors[i])
            elif not _blank(record):
                self.header = _header(record)
                self.data = {h: [] for h in self.header}
                return i
        return None

    @staticmethod
    def _odd_records(keep: list[bool], errors: dict[int, str], offset: int) -> list[int]:
        """Positions of the records not of the header's width, or CSV errors, in order."""
        odd = {i for i, fits in enumerate(keep) if not fits}
        odd.update(i - offset for i in errors if i >= offset)
        return sorted(odd)

    def _repair(self, body: list[list[str]], i: int, number: int, error: str | None) -> bool:
        """Whether record ``i`` (not of the header's width) stays: fitted in place, or skipped."""
        record = body[i]
        if error is not None:
            self.rows.skip(number, error)
            return False
        if _blank(record):
            return False
        fixed = _fit(record, self.header, self.delim, self.columns)
        if fixed is None:
            self.rows.skip(number, f"expected {len(self.header)} fields, got {len(record)}")
            return False
        body[i] = fixed
        return True


def _header(record: list[str]) -> list[str]:
    """Header names: stripped, an empty one named by position, duplicates numbered."""
    header = [h.strip() for h in record]
    header = [h or f"column{i + 1}" for i, h in enumerate(header)]
    return _dedupe(header) if len(set(header)) != len(header) else header


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
