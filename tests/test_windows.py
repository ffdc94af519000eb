"""--window parsing: wall clock, offsets, open ends, midnight, zones, errors with the span."""

from __future__ import annotations

import pandas as pd
import pytest

from twitchtopics.errors import WindowError
from twitchtopics.windows import Clock, parse_window

START = pd.Timestamp("2024-05-17 19:00:03", tz="UTC")
END = pd.Timestamp("2024-05-17 20:44:51", tz="UTC")
DURATION = (END - START).total_seconds()
SPAN = "2024-05-17 19:00:03 \u2013 20:44:51 UTC"


def utc(value: str | None):
    return parse_window(value, start=START, end=END, tz="UTC")


def at(hh: int, mm: int, ss: int = 0) -> float:
    """Offset of a UTC wall-clock time on the 17th in the standard stream."""
    return (
        pd.Timestamp(f"2024-05-17 {hh:02d}:{mm:02d}:{ss:02d}", tz="UTC") - START
    ).total_seconds()


@pytest.mark.parametrize("value", [None, "", "all", "  ", "-"])
def test_whole_stream(value):
    w = utc(value)
    assert (w.start_s, w.end_s) == (0.0, DURATION)
    assert w.whole and w.label == "whole stream"
    assert w.start_label == "2024-05-17 19:00:03" and w.end_label == "2024-05-17 20:44:51"


def test_wall_clock_minutes():
    w = utc("19:30-20:00")
    assert (w.start_s, w.end_s) == (at(19, 30), at(20, 0))
    assert w.start_label == "2024-05-17 19:30:00" and w.end_label == "2024-05-17 20:00:00"
    assert w.zone_label == "UTC" and not w.whole
    assert w.describe() == "19:30-20:00 (2024-05-17 19:30:00 \u2013 20:00:00 UTC)"


def test_wall_clock_seconds_and_separators():
    w = utc("19:30:15-19:45:30")
    assert (w.start_s, w.end_s) == (at(19, 30, 15), at(19, 45, 30))
    assert utc("19:30 \u2013 20:00").start_s == at(19, 30)
    assert utc(" 19:30 - 20:00 ").end_s == at(20, 0)
    assert utc("9:30-19:40").end_s == at(19, 40)  # 9:30 is 09:30, before the stream: clipped


@pytest.mark.parametrize(
    "value",
    [
        "1:10:00-1:40:00",
        "+1:10-+1:40",
        "+1:10:00-+1:40:00",
        "70m-100m",
        "1h10m-1h40m",
        "4200s-6000s",
        "+1h10m-+100min",
    ],
)
def test_offsets(value):
    w = utc(value)
    assert (w.start_s, w.end_s) == (4200.0, 6000.0)
    assert w.start_label == "2024-05-17 20:10:03"  # shown on the wall clock when it is known


def test_open_ends():
    assert (utc("20:00-").start_s, utc("20:00-").end_s) == (at(20, 0), DURATION)
    assert (utc("-19:10").start_s, utc("-19:10").end_s) == (0.0, at(19, 10))
    assert (utc("1:00:00-").start_s, utc("1:00:00-").end_s) == (3600.0, DURATION)
    assert (utc("-0:30:00").start_s, utc("-0:30:00").end_s) == (0.0, 1800.0)


def test_partial_overlap_is_clipped():
    w = utc("18:30-19:30")
    assert (w.start_s, w.end_s) == (0.0, at(19, 30))
    assert utc("18:00-").whole and utc("-21:00").whole
    w = utc("1:40:00-3:00:00")
    assert (w.start_s, w.end_s) == (6000.0, DURATION)


@pytest.mark.parametrize(
    "value", ["21:00-22:00", "17:00-18:00", "2:00:00-3:00:00", "21:00-", "-18:00", "+3h-"]
)
def test_outside_the_stream(value):
    with pytest.raises(WindowError) as err:
        utc(value)
    message = str(err.value)
    assert "outside the stream" in message and SPAN in message
    assert "\n" not in message


def test_outside_message_matches_the_issue():
    with pytest.raises(
        WindowError,
        match=r"^window 21:00-22:00 is outside the stream \(2024-05-17 19:00:03 \u2013 20:44:51 UTC\)$",
    ):
        utc("21:00-22:00")


@pytest.mark.parametrize("value", ["1:40:00-1:10:00", "20:00-19:00", "+2h-+1h"])
def test_reversed(value):
    with pytest.raises(WindowError, match="ends before it starts") as err:
        utc(value)
    assert SPAN in str(err.value)


def test_empty_window():
    with pytest.raises(WindowError, match="empty"):
        utc("19:30-19:30")


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "19:30",
        "19:30-20:00-21:00",
        "25:00-26:00",
        "19:61-20:00",
        "19:30-x",
        "1:2:3-1:4:5",
        "1930-2000",
        "19:30:99-",
    ],
)
def test_malformed(value):
    with pytest.raises(WindowError, match="malformed") as err:
        utc(value)
    assert SPAN in str(err.value) and "HH:MM" in str(err.value)


def test_mixed_kinds_refused():
    with pytest.raises(WindowError, match="mixes"):
        utc("19:30-1:40:00")


def test_crossing_midnight():
    start = pd.Timestamp("2024-05-17 23:10:00", tz="UTC")
    end = start + pd.Timedelta(hours=2, minutes=20)  # 01:30 on the 18th
    w = parse_window("23:45-00:15", start=start, end=end, tz="UTC")
    assert (w.start_s, w.end_s) == (35 * 60.0, 65 * 60.0)
    assert w.start_label == "2024-05-17 23:45:00" and w.end_label == "2024-05-18 00:15:00"
    assert "2024-05-17 23:45:00 \u2013 2024-05-18 00:15:00 UTC" in w.describe()
    w = parse_window("00:10-00:20", start=start, end=end, tz="UTC")  # after midnight: the 18th
    assert (w.start_s, w.end_s) == (60 * 60.0, 70 * 60.0)
    w = parse_window("23:00-00:15", start=start, end=end, tz="UTC")
    assert (w.start_s, w.end_s) == (0.0, 65 * 60.0)


def test_crossing_midnight_stream_starting_after_midnight():
    start = pd.Timestamp("2024-05-18 00:05:00", tz="UTC")
    end = start + pd.Timedelta(hours=1)
    w = parse_window("23:45-00:15", start=start, end=end, tz="UTC")  # began the day before
    assert (w.start_s, w.end_s) == (0.0, 600.0)


def test_several_days_first_occurrence():
    start = pd.Timestamp("2024-05-17 18:00:00", tz="UTC")
    end = start + pd.Timedelta(hours=30)
    w = parse_window("19:30-20:00", start=start, end=end, tz="UTC")
    assert (w.start_s, w.end_s) == (5400.0, 7200.0)
    w = parse_window("23:00-", start=start, end=end, tz="UTC")
    assert (w.start_s, w.end_s) == (5 * 3600.0, 30 * 3600.0)
    w = parse_window("-02:00", start=start, end=end, tz="UTC")
    assert (w.start_s, w.end_s) == (0.0, 8 * 3600.0)


def test_stream_zone_is_used():
    start = pd.Timestamp("2024-05-17 17:00:00", tz="UTC")  # 19:00 in Paris (CEST)
    end = start + pd.Timedelta(hours=2)
    w = parse_window("19:30-20:00", start=start, end=end, tz="Europe/Paris")
    assert (w.start_s, w.end_s) == (1800.0, 3600.0)
    assert w.start_label == "2024-05-17 19:30:00" and w.zone_label == "Europe/Paris"
    w = parse_window("01:30-02:00", start=start, end=end, tz="+08:00")  # 01:00 on the 18th at +08
    assert (w.start_s, w.end_s) == (1800.0, 3600.0)
    assert w.end_label == "2024-05-18 02:00:00"


def test_naive_wall_clock_stream():
    start = pd.Timestamp("2024-05-17 19:00:03")
    end = pd.Timestamp("2024-05-17 20:44:51")
    w = parse_window("19:30-20:00", start=start, end=end, tz=None)
    assert (w.start_s, w.end_s) == (at(19, 30), at(20, 0))
    assert w.zone_label == "" and w.describe().endswith("20:00:00)")


def test_offsets_only_stream():
    w = parse_window("1:10:00-1:40:00", start=None, end=DURATION, tz=None)
    assert (w.start_s, w.end_s) == (4200.0, 6000.0)
    assert w.start_label == "1:10:00" and w.end_label == "1:40:00"
    assert parse_window(None, start=None, end=DURATION, tz=None).end_label == "1:44:48"
    with pytest.raises(WindowError) as err:
        parse_window("19:30-20:00", start=None, end=DURATION, tz=None)
    message = str(err.value)
    assert "offsets" in message and "--start" in message and "1:10:00-1:40:00" in message
    with pytest.raises(
        WindowError, match=r"outside the stream \(0:00:00 \u2013 1:44:48 from the start\)"
    ):
        parse_window("2:00:00-3:00:00", start=None, end=DURATION, tz=None)


def test_end_given_as_duration_with_a_start():
    w = parse_window("19:30-20:00", start=START, end=DURATION, tz="UTC")
    assert (w.start_s, w.end_s) == (at(19, 30), at(20, 0))


def test_clock_labels():
    clock = Clock.of(START, "UTC")
    assert clock.label(60) == "2024-05-17 19:01:03"
    assert clock.label(60, date=False, seconds=False) == "19:01"
    assert Clock.of(None, None).label(4200) == "1:10:00"
    assert Clock.of(None, None).label(4200, seconds=False) == "1:10"
