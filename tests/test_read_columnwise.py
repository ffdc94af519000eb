"""The column-wise reading paths give what the plain row-by-row code gave, on tricky values.

Each reference below is the straightforward code the fast path replaced (every pass over
every row, one row at a time); hypothesis draws columns mixing the cases that decide a
branch: blanks, None, ISO times with and without zones, epoch numbers, clocks, garbage.
"""

from __future__ import annotations

import gc
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twitchtopics.chat import kinds
from twitchtopics.errors import ReadError
from twitchtopics.readers import read_log
from twitchtopics.readers._base import Rows
from twitchtopics.readers._io import Source
from twitchtopics.readers.tables import delimited, times
from twitchtopics.readers.tables import rows as rows_module
from twitchtopics.readers.tables.times import _CLOCK, _ZONE, parse_times

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
WEIRD = "\u00e9\u200b\u2028\x1c\x85\ufeff\U0001f914\u0660"

TIME_CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            "  ",
            "garbage",
            "2024-01-01 18:00:03.000000",
            "2024-01-01T18:00:04Z",
            "2024-01-01 18:00:05.1234567",
            "2024-01-01 18:00:06+02:00",
            "2024-01-01 18:00:07 UTC",
            "2024-03-10T02:30:00-0500",
            "9999-01-01 00:00:00",
            "1969-12-31 23:59:59",
            "01/02/2024 18:00",
            "1:02:03",
            "12:30",
            " 0:00:01.5 ",
            "-1:00",
            "1700000000",
            "1700000000123",
            "12.5",
            "-3",
            "1e5",
            "inf",
            "nan",
            "1:2",
        ]
    ),
    st.text(alphabet="0123456789-:. TZ+UTCGM" + WEIRD, max_size=26),
    st.integers(min_value=-(10**12), max_value=10**19),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
)


def reference_parse_times(values: list[Any], column: str) -> times.Times:
    """``parse_times`` as it was: every pass over every row, zones by regex on every row."""
    n = len(values)
    series = pd.Series(values, dtype=object)
    if n == 0:
        return times.Times(np.zeros(0, dtype=np.int64), False, None, None)
    present = series.map(lambda v: v is not None and not (isinstance(v, str) and not v.strip()))
    if not present.any():
        return times.Times(np.full(n, times.NAT, dtype=np.int64), False, None, None)
    if all(isinstance(v, pd.Timestamp) or v is None for v in values[:50]):
        return times._from_datetimes(series)
    numbers = pd.to_numeric(series.where(present, None), errors="coerce")
    numbers = numbers.where(np.isfinite(numbers.to_numpy(dtype=float, na_value=np.nan)))
    if numbers.notna().sum() >= 0.9 * present.sum():
        return times._from_numbers(numbers.to_numpy(dtype=float, na_value=np.nan), column)
    strings = series.map(
        lambda v: v.strip() if isinstance(v, str) else ("" if v is None else str(v))
    )
    if strings.str.match(_CLOCK).sum() >= 0.9 * present.sum():
        return times._from_clock(strings)
    zones = strings.str.extract(f"({_ZONE.pattern})", flags=re.IGNORECASE)[0].dropna()
    aware = len(zones) > 0
    dt = times._parse_datetimes(strings, aware, "ISO8601")
    if dt.isna().sum() > 0.5 * len(strings):
        dt = times._parse_datetimes(strings, aware, "mixed")
    if aware and isinstance(dt.dtype, pd.DatetimeTZDtype):
        tz = times._zone_name(set(zones.str.strip().str.upper()))
        return times.Times(times._datetimes_to_ns(dt), True, None, tz)
    if isinstance(dt.dtype, pd.DatetimeTZDtype):
        dt = dt.dt.tz_localize(None)
    return times.Times(times._datetimes_to_ns(dt), False, None, None)


def assert_same_times(got: times.Times, want: times.Times) -> None:
    np.testing.assert_array_equal(got.ns, want.ns)
    assert (got.aware, got.tz) == (want.aware, want.tz)
    if want.offsets is None:
        assert got.offsets is None
    else:
        np.testing.assert_array_equal(got.offsets, want.offsets)


@SETTINGS
@given(st.lists(TIME_CELLS, max_size=30), st.sampled_from(["time", "offset"]))
def test_parse_times_matches_the_row_by_row_reference(values: list[Any], column: str) -> None:
    assert_same_times(parse_times(values, column), reference_parse_times(values, column))


@SETTINGS
@given(
    st.lists(st.sampled_from(["2024-01-01 18:00:03", "2024-01-01 18:00:03Z", "1:00"]), max_size=8),
    st.lists(TIME_CELLS, max_size=8),
)
def test_parse_times_matches_near_the_ninety_percent_share(
    common: list[str], odd: list[Any]
) -> None:
    """Mostly one kind of time plus a few odd cells: the skipped passes sit on the edge."""
    values = common * 3 + odd
    assert_same_times(parse_times(values, "time"), reference_parse_times(values, "time"))


@SETTINGS
@given(st.text(alphabet="0123456789.eE+-: infatyINFATY_x\t" + WEIRD, max_size=12))
def test_a_string_with_a_colon_is_never_a_number_nor_a_dashed_one_a_clock(text: str) -> None:
    if ":" in text:
        value = pd.to_numeric(pd.Series([text], dtype=object), errors="coerce").iloc[0]
        assert pd.isna(value), text
    if "-" in text.strip():
        assert _CLOCK.match(text.strip()) is None


def test_distinct_times_parsed_once_keep_order_zones_and_blanks() -> None:
    values = ["2024-01-01 18:00:03+02:00", "", "2024-01-01 18:00:01+02:00"] * 40
    got = parse_times(values, "time")
    assert got.aware and got.tz == "+02:00"
    assert (got.ns[1::3] == times.NAT).all()
    assert got.ns[0] - got.ns[2] == 2_000_000_000


def reference_assign_kinds(df: pd.DataFrame, bots: Any = ()) -> pd.Series:
    """``assign_kinds`` as it was: every rule over every row."""
    n = len(df)
    users = df["user"].astype(object).fillna("").astype(str).str.strip().str.lower()
    texts = df["text"].astype(object).fillna("").astype(str)
    hints = (
        df["kind"].astype(object).fillna("").to_numpy()
        if "kind" in df
        else np.full(n, "", dtype=object)
    )
    system = (hints == "system") | users.isin(kinds.SYSTEM_USERS).to_numpy()
    system |= texts.str.lstrip().str.match(kinds.SYSTEM_RE).fillna(False).to_numpy(dtype=bool)
    bots_here = kinds._bot_set(bots) | kinds.announcer_accounts(users[~system], texts[~system])
    bot = users.isin(bots_here).to_numpy()
    action = (hints == "action") | texts.str.startswith("\x01ACTION").to_numpy(dtype=bool)
    command = texts.map(kinds.is_command).to_numpy(dtype=bool)
    out = np.select(
        [system, bot, action, command], ["system", "bot", "action", "command"], default="chat"
    ).astype(object)
    return pd.Series(out, index=df.index, name="kind", dtype=object)


def _cells(samples: list[str], alphabet: str, size: int) -> st.SearchStrategy[Any]:
    """Cells of a user or text column: chosen strings, random ones, None, numbers."""
    return st.one_of(
        st.sampled_from(samples),
        st.text(alphabet=alphabet + WEIRD, max_size=size),
        st.none(),
        st.integers(0, 3),
        st.floats(allow_nan=True),
    )


USERS = _cells(
    ["", " Nightbot ", "NIGHTBOT", "jtv", "Twitch\x1c", "\u0130stanbul", "Coolbot", "coolBot"]
    + ["u3", "\u00c9L\u00c8VE", "\u200bfoo"],
    "abBoOtT _\x1c\u0130",
    6,
)
TEXTS = _cells(
    ["", "hello", "!uptime", "!!!", "! ok", "\x01ACTION waves\x01", "  Foo subscribed with Prime"]
    + ["I subscribed!", "x has been timed out for 600 seconds.", "NA"]
    + ["someone7 won 12 points in roulette now"],
    "!a \x01ACTIONsubcrhd",
    10,
)


@SETTINGS
@given(
    st.lists(
        st.tuples(USERS, TEXTS, st.sampled_from([None, "", "system", "action", "chat"])),
        max_size=40,
    ),
    st.integers(0, 30),
    st.sampled_from([(), ("u3",), "Coolbot", (" Foo ", "")]),
)
def test_assign_kinds_matches_the_row_by_row_reference(
    rows: list[tuple[Any, Any, Any]], announcer_messages: int, bots: Any
) -> None:
    rows = rows + [
        ("Coolbot", f"user{i} won {i} points in roulette", None) for i in range(announcer_messages)
    ]
    df = pd.DataFrame(rows, columns=["user", "text", "kind"], index=range(5, 5 + len(rows)))
    pd.testing.assert_series_equal(
        kinds.assign_kinds(df, bots=bots), reference_assign_kinds(df, bots=bots)
    )


STRING_TIMES = st.sampled_from(
    [
        "",
        "nope",
        "2024-01-01 18:00:03",
        "1969-12-31 23:59:59",
        "2201-01-01 00:00:00",
        "9999-01-01 00:00:00",
        "1700000000",
        "12.5",
        "-700000",
        "40000000",
        "1:00:00",
        "inf",
    ]
)


@SETTINGS
@given(
    st.lists(
        st.tuples(STRING_TIMES, st.text(max_size=4), st.text(alphabet="ab !\x01" + WEIRD)),
        max_size=30,
    ),
    st.sampled_from(["time", "offset"]),
    st.booleans(),
)
def test_string_columns_added_at_once_match_row_by_row(
    cells: list[tuple[str, str, str]], time_name: str, with_users: bool
) -> None:
    """A CSV's columns (plain strings) through ``add_many``: the rows, skips and reasons of
    the row-by-row path, in the same order."""
    raw_times = [c[0] for c in cells]
    users = [c[1] for c in cells] if with_users else None
    texts = [c[2] for c in cells]
    lines = [2 * i + 3 for i in range(len(cells))]
    parsed = parse_times(raw_times, time_name)
    at_once, one_by_one = Rows(), Rows()
    rows_module._add_string_columns(at_once, parsed, raw_times, users, texts, lines)
    rows_module._add_row_by_row(one_by_one, parsed, raw_times, users, texts, lines)
    assert at_once == one_by_one


def reference_read_delimited(source: Source, delimiter: str | None) -> Rows:
    """The CSV reader as it was: every record from the line-by-line reader, then one ``add``
    per record into the columns (skips in record order)."""
    rows = Rows()
    head = source.head_lines(1)
    if not head:
        return rows
    delim = delimiter or delimited._delimiter(head[0])
    records, numbers, errors, repaired = delimited._records_line_by_line(source, delim)
    if repaired:
        rows.notes.append(
            f"{repaired} record(s) with an unbalanced quote ran over several lines; "
            "each line was read on its own"
        )
    header: list[str] | None = None
    data: dict[str, list[str]] = {}
    kept: list[int] = []
    for i, (record, number) in enumerate(zip(records, numbers, strict=True)):
        if i in errors:
            rows.skip(number, errors[i])
        elif delimited._blank(record):
            continue
        elif header is None:
            header = delimited._header(record)
            data = {h: [] for h in header}
        elif (fixed := delimited._fit(record, header, delim, None)) is None:
            rows.skip(number, f"expected {len(header)} fields, got {len(record)}")
        else:
            for name, cell in zip(header, fixed, strict=True):
                data[name].append(cell)
            kept.append(number)
    if header is None:
        return rows
    return rows_module.rows_from_columns(data, kept, rows, None, str(source.path))


CSV_LINES = st.one_of(
    st.sampled_from(
        [
            "time,user,message",
            "",
            "  ",
            ",,",
            " , ,\t",
            "2024-01-01 18:00:03,bob,hi",
            "2024-01-01 18:00:04,Nightbot,!uptime",
            '2024-01-01 18:00:05,"a, b","say ""hi"""',
            "2024-01-01 18:00:06,ann,a,b,c",
            "2024-01-01 18:00:07,only",
            '2024-01-01 18:00:08,eve,"unbalanced',
            'x"y,z,"w"v',
            "nope,u,t",
            "2024-01-01 18:00:09\tu\tt\tmore",
            "2024-01-01 18:00:10,\u00e9l\u00e8ve,\U0001f914\u200b",
            "time;user;message",
            "\ufefftime,user,message",
        ]
    ),
    st.text(alphabet='ab,;\t" \r' + WEIRD, max_size=12),
)


@SETTINGS
@given(
    st.lists(CSV_LINES, max_size=25),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.sampled_from(["", "time,user,message", "time\tuser\tmessage", "message,time"]),
)
def test_csv_columns_at_once_match_the_record_by_record_reader(
    lines: list[str], newline: str, header: str
) -> None:
    """Blank lines, short and long records, quotes over several lines, CSV errors: the same
    rows, skips (reasons, line numbers, order) and notes as the record-by-record reader."""
    text = newline.join([header, *lines] if header else lines) + newline
    for delim, read in ((None, delimited.read_csv), ("\t", delimited.read_tsv)):
        want = _rows_or_error(lambda d=delim: reference_read_delimited(_source(text), d))
        got = _rows_or_error(lambda r=read: r(_source(text)))
        assert got == want


def _source(text: str) -> Source:
    return Source(path=Path("t.csv"), data=text.encode("utf-8", "surrogatepass"), text=text)


def _rows_or_error(read: Any) -> Any:
    try:
        return read()
    except ReadError as exc:
        return str(exc)


def test_read_log_leaves_the_collector_as_it_was(tmp_path: Path) -> None:
    log = tmp_path / "chat.csv"
    log.write_text("time,user,message\n2024-01-01 18:00:00,bob,hi\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("time,user,message\nnope,bob,hi\n", encoding="utf-8")
    was_enabled = gc.isenabled()
    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            assert len(read_log(log).messages) == 1
            assert gc.isenabled() is enabled
            with pytest.raises(ReadError):
                read_log(bad)
            assert gc.isenabled() is enabled
    finally:
        (gc.enable if was_enabled else gc.disable)()
