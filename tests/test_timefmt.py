from datetime import timedelta

import pandas as pd
import pytest

from twitchtopics.errors import TwitchTopicsError
from twitchtopics.timefmt import display_times, format_offset, format_timestamp, to_tzinfo


def test_to_tzinfo():
    assert to_tzinfo("+08:00").utcoffset(None) == timedelta(hours=8)
    assert to_tzinfo("-0530").utcoffset(None) == -timedelta(hours=5, minutes=30)
    assert to_tzinfo("UTC").utcoffset(None) == timedelta(0)
    assert str(to_tzinfo("Europe/Paris")) == "Europe/Paris"
    with pytest.raises(TwitchTopicsError, match="unknown time zone"):
        to_tzinfo("Mars/Olympus")


def test_format_offset():
    assert format_offset(0) == "0:00:00"
    assert format_offset(3723.4) == "1:02:03"


def test_display_times_in_the_logs_zone():
    times = pd.Series(pd.to_datetime(["2016-09-21 00:17:05"]).tz_localize("UTC"))
    assert display_times(times, pd.Series([0.0]), "+08:00") == ["2016-09-21 08:17:05"]


def test_naive_times_shown_as_written():
    times = pd.Series(pd.to_datetime(["2021-11-04 19:17:12"]))
    assert display_times(times, pd.Series([5.0]), None) == ["2021-11-04 19:17:12"]


def test_offsets_when_no_clock():
    times = pd.Series([pd.NaT, pd.NaT], dtype="datetime64[ns]")
    assert display_times(times, pd.Series([24.0, 3600.0]), None) == ["0:00:24", "1:00:00"]


def test_format_timestamp():
    assert format_timestamp(None, None) is None
    ts = pd.Timestamp("2024-05-17 15:03:39", tz="UTC")
    assert format_timestamp(ts, "Europe/Paris") == "2024-05-17 17:03:39"
