"""Bad logs: every line that cannot be trusted is skipped and counted, never fatal, never
silently merged, and never allowed to corrupt the times of the others (issue 16)."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.faults.helpers import (
    assert_one_line_error,
    invoke,
    irc_line,
    td_abs_lines,
    td_json,
    td_lines,
)
from twitchtopics.errors import ReadError
from twitchtopics.readers import read_log
from twitchtopics.report.inspect import inspect_log

# ------------------------------------------------------------------ impossible times


@pytest.mark.parametrize("year", ["9999", "0001", "1600", "2262", "2263"])
def test_one_absurd_year_is_one_skipped_line(tmp_path: Path, year: str) -> None:
    lines = td_abs_lines(600)
    lines[300] = lines[300].replace("2024", year, 1)
    path = tmp_path / "abs.txt"
    path.write_text("\n".join(lines) + "\n")
    log = read_log(path)
    assert len(log.messages) == 599
    assert log.info.lines_skipped == 1 and log.info.skipped_examples[0][0] == 301
    assert log.messages["time"].min() == pd.Timestamp("2024-05-17 15:00:00", tz="UTC")
    inspect_log(log)  # no overflow in the per-minute table


@pytest.mark.parametrize("offset", ["1e18", "-1e18", "inf", "nan", "99999999"])
def test_absurd_offset_is_one_skipped_record(tmp_path: Path, offset: str) -> None:
    rows = [f"{i * 5},viewer{i},message {i}" for i in range(60)]
    rows[30] = f"{offset},viewer30,message 30"
    path = tmp_path / "offsets.csv"
    path.write_text("offset,user,message\n" + "\n".join(rows) + "\n")
    log = read_log(path)
    assert len(log.messages) == 59 and log.info.lines_skipped == 1
    assert log.messages["offset_s"].max() == 59 * 5
    summary = inspect_log(log)
    assert len(summary["messages_per_minute"]) == 5


def test_absurd_offset_gives_a_bundle_report_can_read(tmp_path, fake_embedder, monkeypatch):
    rows = [f"{i * 20},viewer{i % 9},bonjour le chat numero {i % 4}" for i in range(80)]
    rows[5] = "1e18,viewer5,bonjour le chat"
    log = tmp_path / "big.csv"
    log.write_text("offset,user,message\n" + "\n".join(rows) + "\n")
    monkeypatch.chdir(tmp_path)
    assert invoke("cluster", str(log), "--quiet", "--no-cache").exit_code == 0
    result = invoke("report", "big.twitchtopics")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("stamp", ["[0:99:99]", "[0:60:00]", "[0:00:60]", "[1:59:75]"])
def test_impossible_minutes_or_seconds_are_skipped(tmp_path: Path, stamp: str) -> None:
    lines = td_lines(20)
    lines[4] = f"{stamp} viewer4: message 4"
    path = tmp_path / "rel.txt"
    path.write_text("\n".join(lines) + "\n")
    log = read_log(path)
    assert len(log.messages) == 19 and log.info.lines_skipped == 1
    assert log.info.skipped_examples[0][0] == 5


@pytest.mark.parametrize("start", ["9999-12-31", "0001-01-01", "1900-01-01 00:00"])
def test_start_outside_the_supported_years_is_one_line(tmp_path: Path, start: str) -> None:
    path = tmp_path / "rel.txt"
    path.write_text("\n".join(td_lines(20)) + "\n")
    with pytest.raises(ReadError, match="outside the supported years"):
        read_log(path, start=start)
    assert_one_line_error(invoke("inspect", str(path), "--start", start))


def test_chatty_header_in_year_9999_does_not_refuse_the_log(tmp_path: Path) -> None:
    path = tmp_path / "chatty.log"
    path.write_text(
        "# Log started: 9999-09-21 08:17:05 +0800\n"
        + "\n".join(f"[08:17:{i:02d}] <viewer{i}> hello {i}" for i in range(10))
        + "\n"
    )
    log = read_log(path, format="chatty")
    assert len(log.messages) == 10


# ----------------------------------------------------------------------------- raw IRC


@pytest.mark.parametrize("bad", [None, "99999999999999", "abc", "253402300799000"])
def test_irc_message_without_valid_tmi_sent_ts_keeps_everyone_elses_time(
    tmp_path: Path, bad: str | None
) -> None:
    base = 1_700_000_000_000
    lines = [irc_line(i, base + i * 2000) for i in range(1001)]
    lines[500] = (
        irc_line(500, None)
        if bad is None
        else irc_line(500, 0).replace("tmi-sent-ts=0", f"tmi-sent-ts={bad}")
    )
    path = tmp_path / "raw.log"
    path.write_text("\n".join(lines) + "\n")
    log = read_log(path)
    df = log.messages
    assert len(df) == 1001
    assert df["offset_s"].max() == pytest.approx(2000.0)  # not all zero
    assert df["time"].notna().all()
    assert any("tmi-sent-ts" in note for note in log.info.notes)
    assert "tmi-sent-ts" in inspect_log(log)["notes"][0]


# -------------------------------------------------------------------------- line ends


@pytest.mark.parametrize("end", ["\r", "\r\n", "\n"])
def test_every_line_end_gives_one_row_per_message(tmp_path: Path, end: str) -> None:
    path = tmp_path / "cr.txt"
    path.write_bytes((end.join(td_lines(80)) + end).encode())
    log = read_log(path)
    assert len(log.messages) == 80 and log.info.lines_skipped == 0


def test_cr_only_chatty_log(tmp_path: Path) -> None:
    lines = ["# Log started: 2016-09-21 08:17:05 +0800"]
    lines += [f"[08:17:{i:02d}] <viewer{i}> hello {i}" for i in range(30)]
    path = tmp_path / "chatty.log"
    path.write_bytes("\r".join(lines).encode())
    assert len(read_log(path).messages) == 30


# ------------------------------------------------------------------------- tables


def test_csv_unbalanced_quote_merges_nothing(tmp_path: Path) -> None:
    rows = [f"2024-05-17 19:{i // 60:02d}:{i % 60:02d},viewer{i},message {i}" for i in range(60)]
    rows[10] = '2024-05-17 19:00:10,viewer10,"unbalanced start of a message'
    rows[40] = '2024-05-17 19:00:40,viewer40,"another one'
    path = tmp_path / "q.csv"
    path.write_text("time,user,message\n" + "\n".join(rows) + "\n")
    log = read_log(path)
    assert len(log.messages) == 60
    texts = set(log.messages["text"])
    assert {"message 11", "message 39", "message 59"} <= texts
    assert log.info.notes and "unbalanced quote" in log.info.notes[0]


def test_jsonl_with_a_broken_first_line_reads_the_rest(tmp_path: Path) -> None:
    lines = ['{"time": 0, "user": "a", "message": "trunc']
    lines += [json.dumps({"time": i, "user": f"u{i}", "message": f"m{i}"}) for i in range(1, 50)]
    path = tmp_path / "b.jsonl"
    path.write_text("\n".join(lines) + "\n")
    log = read_log(path)
    assert len(log.messages) == 49 and log.info.lines_skipped == 1


def test_chat_downloader_jsonl_with_a_broken_first_line(tmp_path: Path) -> None:
    item = {"message": "hi", "time_in_seconds": 1.0, "author": {"name": "a"}}
    lines = ["{broken"] + [json.dumps({**item, "time_in_seconds": float(i)}) for i in range(30)]
    path = tmp_path / "cd.jsonl"
    path.write_text("\n".join(lines) + "\n")
    log = read_log(path)
    assert log.info.format == "chat-downloader"
    assert len(log.messages) == 30 and log.info.lines_skipped == 1


def test_csv_without_a_user_column_counts_no_chatters(tmp_path, fake_embedder, monkeypatch):
    rows = [f"{i * 15},bonjour le chat numero {i % 3}" for i in range(90)]
    path = tmp_path / "nouser.csv"
    path.write_text("offset,message\n" + "\n".join(rows) + "\n")
    assert inspect_log(read_log(path))["unique_chatters"] == 0
    monkeypatch.chdir(tmp_path)
    result = invoke("cluster", str(path), "--quiet", "--no-cache", "--json")
    assert result.exit_code == 0, result.output
    from twitchtopics.bundle import load_bundle

    topics = load_bundle(tmp_path / "nouser.twitchtopics").topics
    assert topics and all(t["users"] == 0 for t in topics)


# ---------------------------------------------------------------------- text formats


def test_space_before_the_colon_is_read(tmp_path: Path) -> None:
    lines = td_lines(10)
    lines[3] = "[0:00:15] name : message with a space before the colon"
    path = tmp_path / "space.txt"
    path.write_text("\n".join(lines) + "\n")
    log = read_log(path)
    assert len(log.messages) == 10 and log.info.lines_skipped == 0
    row = log.messages[log.messages["user"] == "name"].iloc[0]
    assert row["text"] == "message with a space before the colon"


def test_chatty_log_closed_footer_is_not_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "chatty.log"
    path.write_text(
        "# Log started: 2016-09-21 08:17:05 +0800\r\n"
        "[08:17:08] <viewer> hello\r\n"
        "# Log closed: 2016-09-21 11:06:39 +0800\r\n-\r\n"
    )
    log = read_log(path)
    assert len(log.messages) == 1 and log.info.lines_skipped == 0


def test_tcd_with_negative_zero_offset(tmp_path: Path) -> None:
    path = tmp_path / "neg.tcd"
    path.write_text("[-0:00:00] <a> hi\n[-0:00:03] <b> early\n[0:00:01] <c> yo\n")
    log = read_log(path)
    assert log.info.format == "tcd-irc"
    assert sorted(log.messages["offset_s"]) == [-3.0, 0.0, 1.0]


def test_created_at_disagreeing_with_offsets_follows_offsets(tmp_path: Path) -> None:
    path = td_json(tmp_path / "vod.json", created_span_s=6, offsets_span_s=2922)
    log = read_log(path)
    times = log.messages["time"]
    span = (times.max() - times.min()).total_seconds()
    assert span == pytest.approx(2922, abs=1)
    assert times.min() == pd.Timestamp("2021-07-15T01:59:24Z")  # video start + offset 0
    summary = inspect_log(log)
    assert any("disagree" in n for n in summary["notes"])
    out = invoke("inspect", str(path)).stdout
    assert "note: message times disagree" in out


def test_created_at_agreeing_with_offsets_is_kept(tmp_path: Path) -> None:
    path = td_json(tmp_path / "vod.json", created_span_s=2925, offsets_span_s=2922)
    log = read_log(path)
    assert not log.info.notes
    assert log.messages["time"].min() == pd.Timestamp("2021-07-15T02:01:44Z")


# ------------------------------------------------------------ compressed and special


@pytest.mark.parametrize("kind", ["gzip", "bz2", "xz"])
def test_decompression_bomb_is_refused_without_expanding_it(tmp_path: Path, kind: str) -> None:
    compress = {"gzip": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}[kind]
    path = tmp_path / f"bomb.{kind}"
    path.write_bytes(compress(b"\0" * (200 << 20)))  # 200 MiB of zeros, a few KiB packed
    with pytest.raises(ReadError, match="decompression bomb"):
        read_log(path)


@pytest.mark.parametrize("kind", ["gzip", "bz2", "xz"])
def test_real_sized_compressed_logs_still_read(tmp_path: Path, kind: str) -> None:
    compress = {"gzip": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}[kind]
    path = tmp_path / f"log.txt.{kind}"
    path.write_bytes(compress(("\n".join(td_lines(3000)) + "\n").encode()))
    assert len(read_log(path).messages) == 3000


def test_oversized_file_is_refused(tmp_path: Path, monkeypatch) -> None:
    from twitchtopics.readers import _io

    monkeypatch.setattr(_io, "MAX_LOG_BYTES", 1000)
    path = tmp_path / "big.txt"
    path.write_text("\n".join(td_lines(200)) + "\n")
    with pytest.raises(ReadError, match="larger than"):
        _io.read_bounded(path, limit=1000)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_devices_are_refused_at_once(device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    with pytest.raises(ReadError, match="device"):
        read_log(device)
    assert_one_line_error(invoke("inspect", device))


def test_fifo_without_writer_does_not_hang(tmp_path: Path, monkeypatch) -> None:
    from twitchtopics.readers import _io

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    monkeypatch.setattr(_io, "FIFO_WAIT_S", 0.5)
    started = time.monotonic()
    with pytest.raises(ReadError, match="empty|no data"):
        read_log(fifo)
    assert time.monotonic() - started < 20


def test_fifo_with_a_silent_writer_times_out(tmp_path: Path, monkeypatch) -> None:
    from twitchtopics.readers import _io

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    monkeypatch.setattr(_io, "FIFO_WAIT_S", 0.5)
    holder: dict[str, int] = {}

    def hold_open() -> None:
        holder["fd"] = os.open(fifo, os.O_WRONLY)  # blocks until the reader opens

    thread = threading.Thread(target=hold_open, daemon=True)
    thread.start()
    try:
        with pytest.raises(ReadError):
            read_log(fifo)
    finally:
        thread.join(5)
        if "fd" in holder:
            os.close(holder["fd"])


def test_fifo_with_a_writer_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    data = ("\n".join(td_lines(50)) + "\n").encode()

    def write() -> None:
        with open(fifo, "wb") as handle:
            handle.write(data)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    log = read_log(fifo)
    thread.join(5)
    assert len(log.messages) == 50


def test_symlink_loop_and_broken_link_are_named(tmp_path: Path) -> None:
    loop = tmp_path / "loop.txt"
    loop.symlink_to(loop)
    with pytest.raises(ReadError, match="symbolic link loop"):
        read_log(loop)
    assert "symbolic link loop" in assert_one_line_error(invoke("cluster", str(loop)))
    broken = tmp_path / "broken.txt"
    broken.symlink_to(tmp_path / "missing.txt")
    with pytest.raises(ReadError, match="broken symbolic link"):
        read_log(broken)


def test_unreadable_file_exits_1(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("\n".join(td_lines(5)) + "\n")
    from twitchtopics.readers import _io

    real_access = os.access
    monkeypatch.setattr(
        _io.os, "access", lambda p, mode, **k: False if Path(p) == path else real_access(p, mode)
    )
    for command in ("inspect", "cluster"):
        err = assert_one_line_error(invoke(command, str(path)), code=1)
        assert "Permission denied" in err


def test_proc_self_is_a_directory_not_a_log() -> None:
    if not os.path.isdir("/proc/self"):
        pytest.skip("no /proc")
    assert "directory" in assert_one_line_error(invoke("inspect", "/proc/self"))


# ------------------------------------------------------------------------ property


def test_random_offsets_never_raise(tmp_path_factory) -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    folder = tmp_path_factory.mktemp("fuzz")

    @settings(max_examples=60, deadline=None)
    @given(
        st.lists(
            st.one_of(
                st.floats(allow_nan=True, allow_infinity=True),
                st.integers(min_value=-(10**20), max_value=10**20),
            ),
            min_size=1,
            max_size=30,
        )
    )
    def check(values: list) -> None:
        path = folder / "fuzz.csv"
        path.write_text(
            "offset,user,message\n"
            + "\n".join(f"{v},u{i},m{i}" for i, v in enumerate(values))
            + "\n"
        )
        try:
            log = read_log(path)
        except ReadError:
            return
        assert len(log.messages) + log.info.lines_skipped == len(values)
        assert np.isfinite(log.messages["offset_s"]).all()
        inspect_log(log)

    check()


def test_random_time_stamps_never_raise(tmp_path_factory) -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    folder = tmp_path_factory.mktemp("fuzz")
    stamp = st.tuples(
        st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99), st.integers(0, 99)
    )

    @settings(max_examples=80, deadline=None)
    @given(st.lists(stamp, min_size=1, max_size=20), st.booleans())
    def check(stamps: list, absolute: bool) -> None:
        lines = ["[2024-05-17 15:00:00 UTC] u: first" if absolute else "[0:00:00] u: first"]
        for i, (a, b, c, d) in enumerate(stamps):
            if absolute:
                lines.append(f"[{a:04d}-05-17 {b:02d}:{c:02d}:{d:02d} UTC] u{i}: m{i}")
            else:
                lines.append(f"[{a % 1000}:{c:02d}:{d:02d}] u{i}: m{i}")
        path = folder / "fuzz.txt"
        path.write_text("\n".join(lines) + "\n")
        log = read_log(path, format="twitchdownloader-text")  # one good line: never refused
        assert len(log.messages) + log.info.lines_skipped == len(stamps) + 1
        inspect_log(log)

    check()
