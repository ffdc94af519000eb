"""Fuzzing every reader: whatever the bytes, only ReadError may escape read_log.

The last-resort guard in ``read_log`` turns unexpected exceptions into a ReadError that says
"internal error"; these tests fail on such errors too, so a reader that crashes is caught.
"""

from __future__ import annotations

import gzip
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twitchtopics.errors import ReadError
from twitchtopics.readers import FORMATS, detect_format, read_log

FIX = Path(__file__).parent / "fixtures" / "logs"
SAMPLES = {p.name: p.read_bytes() for p in sorted(FIX.iterdir()) if p.is_file()}
LINES = [ln for data in SAMPLES.values() for ln in data.split(b"\n") if ln.strip()]
WEIRD = "Z\u0300\u0301\u0302\u0336a\u200b\u200d\u2028\u2029\u0085\ufeff\x0b\x0c\x1e\u202e\U0001f914 <>[]:{}\"'\\,;\t!#@%"

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def check(data: bytes, name: str = "log.txt") -> None:
    """read_log with detection and with every forced format: ReadError or a result."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        for fmt in [None, *FORMATS]:
            try:
                read_log(path, format=fmt)
            except ReadError as exc:
                assert "internal error" not in str(exc), str(exc)
        try:
            detect_format(path)
        except ReadError as exc:
            assert "internal error" not in str(exc), str(exc)


@SETTINGS
@given(st.binary(max_size=400))
def test_random_bytes(data: bytes) -> None:
    check(data)


@SETTINGS
@given(st.sampled_from(sorted(SAMPLES)), st.data())
def test_truncated_fixtures(name: str, data: st.DataObject) -> None:
    raw = SAMPLES[name]
    cut = data.draw(st.integers(min_value=1, max_value=len(raw)))
    check(raw[:cut], name)
    check(gzip.compress(raw)[: max(1, cut // 4)], name + ".gz")


@SETTINGS
@given(st.lists(st.sampled_from(LINES), min_size=1, max_size=12))
def test_mixed_format_lines(lines: list[bytes]) -> None:
    check(b"\n".join(lines))


@SETTINGS
@given(
    st.sampled_from(sorted(SAMPLES)),
    st.text(alphabet=st.sampled_from(WEIRD) | st.characters(), max_size=60),
    st.integers(min_value=0, max_value=3),
)
def test_zalgo_and_invisible_characters(name: str, junk: str, where: int) -> None:
    lines = SAMPLES[name].decode("utf-8").split("\n")
    pos = min(where, len(lines) - 1)
    lines[pos] = lines[pos][: len(lines[pos]) // 2] + junk + lines[pos][len(lines[pos]) // 2 :]
    check("\n".join(lines).encode("utf-8", errors="surrogatepass"), name)


def test_very_long_lines() -> None:
    long = "KEKW " * 60_000
    for name in ("td_relative.txt", "table.csv", "irc_tags.log", "chatty_sessions.log"):
        lines = SAMPLES[name].decode("utf-8").split("\n")
        lines[1] = lines[1] + long
        check("\n".join(lines).encode("utf-8"), name)
    check(("x" * 300_000).encode(), "one.txt")
