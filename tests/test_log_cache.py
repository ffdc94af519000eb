"""The read cache (`twitchtopics.cache.logs`): a rerun on the same bytes skips the reader and
gets the very same `ChatLog`; anything else reads the log again."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from twitchtopics.cache import logs
from twitchtopics.pipeline import ClusterOptions
from twitchtopics.readers import FORMATS, ChatLog, Rows, read_log, register
from twitchtopics.runs import read_chat_log

CSV = (
    "time,user,text\n"
    "2024-03-01T20:00:00+01:00,alice,bonjour à tous PogChamp\n"
    "2024-03-01T20:00:05+01:00,bob,KEKW KEKW\n"
    "not a time,carol,a skipped line\n"
    "2024-03-01T20:01:00+01:00,Nightbot,!uptime 3h\n"
    '2024-03-01T20:01:30+01:00,dave,"a, quoted ""text"""\n'
)


@pytest.fixture
def counting_format():
    """A registered format that counts how often its reader runs."""
    calls = []

    def sniff(source) -> float:
        return 1.0 if source.text.startswith("COUNTED") else 0.0

    @register("test-counted", sniff=sniff, description="counts its reads")
    def read_counted(source, *, columns=None) -> Rows:
        calls.append(source.path)
        rows = Rows()
        for i, line in enumerate(source.lines[1:]):
            if line:
                rows.add("u", line, offset=float(i), emotes=["Kappa"] if "Kappa" in line else [])
        rows.emote_set = {"Kappa"}
        rows.chapters = [(0.0, "Just Chatting")]
        return rows

    try:
        yield calls
    finally:
        FORMATS.pop("test-counted")


def assert_same_log(a: ChatLog, b: ChatLog) -> None:
    pd.testing.assert_frame_equal(a.messages, b.messages, check_exact=True)
    assert [str(t) for t in a.messages.dtypes] == [str(t) for t in b.messages.dtypes]
    assert a.info == b.info
    assert repr(a.info.start) == repr(b.info.start)


def test_a_rerun_reads_the_entry_not_the_log(tmp_path: Path, counting_format) -> None:
    log = tmp_path / "log.txt"
    log.write_text("COUNTED\nhello Kappa\nworld\n", encoding="utf-8")
    first = logs.read_log_cached(log, cache_dir=tmp_path / "cache")
    second = logs.read_log_cached(log, cache_dir=tmp_path / "cache")
    assert len(counting_format) == 1
    assert_same_log(first, read_log(log))
    assert_same_log(second, first)
    assert second.messages["emotes"].tolist() == [["Kappa"], []]
    assert second.info.chapters == [(0.0, "Just Chatting")]
    assert list((tmp_path / "cache" / "logs").glob("*.npz"))


def test_new_bytes_or_settings_read_the_log_again(tmp_path: Path, counting_format) -> None:
    log, cache = tmp_path / "log.txt", tmp_path / "cache"
    log.write_text("COUNTED\nhello\n", encoding="utf-8")
    logs.read_log_cached(log, cache_dir=cache)
    log.write_text("COUNTED\nhello\nmore\n", encoding="utf-8")  # a live log grew
    grown = logs.read_log_cached(log, cache_dir=cache)
    assert grown.messages["text"].tolist() == ["hello", "more"]
    logs.read_log_cached(log, cache_dir=cache, bots=["somebot"])
    assert len(counting_format) == 3


def test_a_csv_with_zones_skips_quotes_and_kinds_comes_back_exactly(tmp_path: Path) -> None:
    log = tmp_path / "chat.csv.gz"
    log.write_bytes(gzip.compress(CSV.encode("utf-8")))
    cache = tmp_path / "cache"
    for settings in ({}, {"tz": "Europe/Paris"}, {"start": "2024-03-01 19:59"}):
        direct = read_log(log, **settings)
        logs.read_log_cached(log, cache_dir=cache, **settings)
        again = logs.read_log_cached(log, cache_dir=cache, **settings)
        assert_same_log(again, direct)
    assert direct.info.lines_skipped == 1 and again.info.skipped_examples
    assert len(list((cache / "logs").glob("*.npz"))) == 3


def test_texts_with_lone_surrogates_and_controls_come_back_exactly() -> None:
    messages = pd.DataFrame(
        {
            "index": np.arange(4, dtype=np.int64),
            "time": pd.Series(pd.to_datetime([0, 1, 2, 3], unit="s")).dt.tz_localize("UTC"),
            "offset_s": [0.0, -0.0, 1.5, float("nan")],
            "user": objects(["a", "b", "a", "é"]),
            "text": objects(["\udc80 broken", "", "\x00\x1b[31m", "a\u2028b 🤔"]),
            "kind": objects(["chat"] * 4),
            "emotes": objects([[], ["🤔", "🤔"], [], [""]]),
        }
    )
    log = ChatLog(messages=messages, info=read_log_info())
    arrays = logs.encode_log(log)
    assert arrays is not None
    again = logs.decode_log(arrays)
    assert_same_log(again, log)
    assert np.signbit(again.messages["offset_s"][1])


def objects(values: list) -> pd.Series:
    """A column of Python objects, as the readers build them (not pandas' inferred strings)."""
    return pd.Series(values, dtype=object)


def read_log_info():
    from twitchtopics.readers import LogInfo

    return LogInfo(
        path="x.csv",
        format="csv",
        start=pd.Timestamp("2024-03-01 20:00", tz="Europe/Paris"),
        tz="Europe/Paris",
        emotes={"KEKW", "ponceJAM"},
        skipped_examples=[(3, "no time")],
        lines_skipped=1,
    )


@pytest.mark.parametrize(
    "column, values",
    [
        ("text", ["a", None, "c"]),  # not a str
        ("text", ["a", float("nan"), "c"]),
        ("emotes", [[], ["Kappa", 3], []]),  # a list with a number
        ("emotes", [(), [], []]),  # a tuple is not a list
        ("user", pd.array(["a", "b", "c"], dtype="string")),  # an extension dtype
    ],
)
def test_what_the_entry_cannot_hold_exactly_is_not_cached(column, values) -> None:
    messages = pd.DataFrame(
        {
            "index": np.arange(3, dtype=np.int64),
            "time": pd.to_datetime([0, 1, 2], unit="s"),
            "user": objects(["a", "b", "c"]),
            "text": objects(["a", "b", "c"]),
            "emotes": objects([[], [], []]),
        }
    )
    messages[column] = pd.Series(values, dtype=getattr(values, "dtype", object))
    assert logs.encode_log(ChatLog(messages=messages, info=read_log_info())) is None


def test_a_damaged_entry_is_removed_and_the_log_read_again(tmp_path: Path, counting_format) -> None:
    log, cache = tmp_path / "log.txt", tmp_path / "cache"
    log.write_text("COUNTED\nhello\n", encoding="utf-8")
    logs.read_log_cached(log, cache_dir=cache)
    (entry,) = (cache / "logs").glob("*.npz")
    entry.write_bytes(entry.read_bytes()[:100])
    again = logs.read_log_cached(log, cache_dir=cache)
    assert again.messages["text"].tolist() == ["hello"]
    assert len(counting_format) == 2
    assert entry.stat().st_size > 100  # healed


def test_an_entry_with_codes_out_of_range_is_refused(tmp_path: Path, counting_format) -> None:
    log, cache = tmp_path / "log.txt", tmp_path / "cache"
    log.write_text("COUNTED\nhello\n", encoding="utf-8")
    logs.read_log_cached(log, cache_dir=cache)
    (entry,) = (cache / "logs").glob("*.npz")
    with np.load(entry, allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}
    text_codes = [name for name in arrays if name.endswith(".codes")]
    arrays[text_codes[0]] = arrays[text_codes[0]] + 5
    with entry.open("wb") as handle:
        np.savez(handle, **arrays)
    assert logs.read_log_cached(log, cache_dir=cache).messages["text"].tolist() == ["hello"]
    assert len(counting_format) == 2


def test_no_cache_reads_the_log_and_writes_no_entry(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TWITCHTOPICS_CACHE_DIR", str(tmp_path / "cache"))
    log = tmp_path / "chat.csv"
    log.write_text(CSV, encoding="utf-8")
    read_chat_log(log, ClusterOptions(use_cache=False))
    assert not (tmp_path / "cache" / "logs").exists()
    cached = read_chat_log(log, ClusterOptions())
    assert list((tmp_path / "cache" / "logs").glob("*.npz"))
    assert_same_log(read_chat_log(log, ClusterOptions()), cached)


def test_read_errors_are_the_same_one_line_errors(tmp_path: Path) -> None:
    from twitchtopics.errors import ReadError

    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    cases = [(tmp_path / "missing.csv", None), (tmp_path, None), (empty, None)]
    cases.append((tmp_path / "missing.csv", "no-such-format"))
    for path, fmt in cases:
        with pytest.raises(ReadError) as cached:
            logs.read_log_cached(path, fmt, cache_dir=tmp_path / "cache")
        with pytest.raises(ReadError) as direct:
            read_log(path, fmt)
        assert str(cached.value) == str(direct.value)


def test_prune_removes_the_entries_used_longest_ago(tmp_path: Path) -> None:
    import os

    paths = []
    for i in range(4):
        path = tmp_path / f"{i}.npz"
        path.write_bytes(b"x" * 100)
        os.utime(path, ns=(10**9 * (i + 1), 10**9 * (i + 1)))
        paths.append(path)
    (tmp_path / "other.txt").write_bytes(b"y" * 1000)  # not an entry: never counted or removed
    logs.prune(tmp_path, 250, keep=paths[0])  # the oldest was just written: it stays
    assert [p.exists() for p in paths] == [True, False, False, True]
    assert (tmp_path / "other.txt").exists()
    logs.prune(tmp_path, 1000, keep=paths[0])
    assert [p.exists() for p in paths] == [True, False, False, True]


def test_a_hit_marks_its_entry_as_used(tmp_path: Path, counting_format) -> None:
    import os

    log, cache = tmp_path / "log.txt", tmp_path / "cache"
    log.write_text("COUNTED\nhello\n", encoding="utf-8")
    logs.read_log_cached(log, cache_dir=cache)
    (entry,) = (cache / "logs").glob("*.npz")
    os.utime(entry, ns=(10**9, 10**9))
    logs.read_log_cached(log, cache_dir=cache)
    assert entry.stat().st_mtime_ns > 10**9 and len(counting_format) == 1
