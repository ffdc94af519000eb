"""Only rows that could end in a zone go through the zone regex, and no zone is missed."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from twitchtopics.readers.tables.times import _ZONE, _zone_candidates, parse_times

ENDINGS = ["", "Z", "z", "+02:00", "-0500", " UTC", "utc", "GMT", " gmt", "+0000", "T", "-"]


@given(
    st.lists(
        st.tuples(
            st.text(alphabet="0123456789-:. TZ+UTCGMtzcg\u00e9\u0660\U0001f914", max_size=28),
            st.sampled_from(ENDINGS),
        ),
        max_size=40,
    )
)
def test_every_zone_is_a_candidate(parts: list[tuple[str, str]]) -> None:
    values = [stem + end for stem, end in parts]
    candidates = _zone_candidates(pd.Series(values, dtype=object))
    for value, candidate in zip(values, candidates, strict=True):
        if _ZONE.search(value):
            assert candidate, value


def test_naive_times_skip_the_regex_and_zoned_ones_keep_their_zone() -> None:
    naive = ["2024-01-01 18:00:00.000000", "2024-01-01 18:00:01.500000"]
    assert not _zone_candidates(pd.Series(naive, dtype=object)).any()
    times = parse_times(naive, "time")
    assert not times.aware and times.tz is None
    zoned = parse_times(["2024-01-01T18:00:00+02:00", "2024-01-01T18:00:05+02:00"], "time")
    assert zoned.aware and zoned.tz == "+02:00"
    assert zoned.ns[1] - zoned.ns[0] == 5_000_000_000
