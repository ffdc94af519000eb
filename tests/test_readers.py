"""Readers: every format on hand-written fixtures, then every real log with exact counts."""

from __future__ import annotations

import bz2
import gzip
import lzma
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import chatlog

from twitchtopics.errors import ReadError
from twitchtopics.readers import FORMATS, ChatLog, LogInfo, detect_format, read_log, register

FIX = Path(__file__).parent / "fixtures" / "logs"
COLUMNS = ["index", "time", "offset_s", "user", "text", "kind", "emotes"]


def check_table(log: ChatLog) -> None:
    """The messages-table contract of docs/architecture.md."""
    df = log.messages
    assert list(df.columns) == COLUMNS
    assert df["index"].dtype == "int64"
    assert sorted(df["index"]) == list(range(len(df)))
    assert str(df["time"].dtype) in ("datetime64[ns, UTC]", "datetime64[ns]")
    assert df["offset_s"].dtype == "float64" and not df["offset_s"].isna().any()
    assert df["user"].dtype == object and df["text"].dtype == object
    assert all(isinstance(t, str) for t in df["text"])
    assert all(isinstance(u, str) for u in df["user"])
    assert set(df["kind"]) <= {"chat", "action", "command", "bot", "system"}
    assert all(isinstance(e, list) for e in df["emotes"])
    if df["time"].notna().all():
        assert df["time"].is_monotonic_increasing
    else:
        assert df["offset_s"].is_monotonic_increasing
    assert isinstance(log.info, LogInfo)


def read(name: str, **kw) -> ChatLog:
    log = read_log(FIX / name, **kw)
    check_table(log)
    return log


def kinds(log: ChatLog) -> dict[str, int]:
    return log.messages["kind"].value_counts().to_dict()


# ------------------------------------------------------------------------------- registry


def test_registry_names_and_descriptions() -> None:
    expected = {
        "twitchdownloader-json",
        "twitch-gql",
        "chat-downloader",
        "twitchdownloader-text",
        "tcd-irc",
        "chatty",
        "chatterino",
        "irc",
        "csv",
        "tsv",
        "json-table",
        "jsonl-table",
        "parquet",
    }
    assert set(FORMATS) == expected
    for reader in FORMATS.values():
        assert reader.description and "\n" not in reader.description


def test_register_adds_a_format(tmp_path: Path) -> None:
    from twitchtopics.readers import Rows

    def sniff(source) -> float:
        return 1.0 if source.text.startswith("MYFMT") else 0.0

    @register("test-myfmt", sniff=sniff, description="test format")
    def read_mine(source, *, columns=None) -> Rows:
        rows = Rows()
        for i, line in enumerate(source.lines[1:]):
            if line:
                rows.add("u", line, offset=float(i))
        return rows

    try:
        path = tmp_path / "x.txt"
        path.write_text("MYFMT\nhello\nworld\n")
        assert detect_format(path) == "test-myfmt"
        assert list(read_log(path).messages["text"]) == ["hello", "world"]
    finally:
        FORMATS.pop("test-myfmt")


# -------------------------------------------------------------------------------- formats


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("td_relative.txt", "twitchdownloader-text"),
        ("td_utc.txt", "twitchdownloader-text"),
        ("td.json", "twitchdownloader-json"),
        ("gql.json", "twitch-gql"),
        ("chat_downloader.json", "chat-downloader"),
        ("chat_downloader.jsonl", "chat-downloader"),
        ("tcd.tcd", "tcd-irc"),
        ("chatty_sessions.log", "chatty"),
        ("mychannel-2021-11-04.log", "chatterino"),
        ("chatterino_undated.log", "chatterino"),
        ("irc_tags.log", "irc"),
        ("irc_prefix.log", "irc"),
        ("table.csv", "csv"),
        ("table.tsv", "tsv"),
        ("table.json", "json-table"),
        ("table.jsonl", "jsonl-table"),
    ],
)
def test_detect(name: str, fmt: str) -> None:
    assert detect_format(FIX / name) == fmt
    assert read(name).info.format == fmt


def test_td_relative_offsets_only_sorted_and_skipped() -> None:
    log = read("td_relative.txt")
    df, info = log.messages, log.info
    assert len(df) == 9 and df["time"].isna().all() and info.start is None
    assert info.lines_skipped == 1 and info.skipped_examples[0][0] == 8
    assert list(df["offset_s"][:4]) == [5.0, 9.0, 12.0, 18.0]
    assert df.loc[3, "index"] == 5  # the late line moved up, keeps its position
    assert kinds(log) == {"chat": 5, "bot": 2, "command": 1, "system": 1}
    assert df.loc[df["text"] == "!uptime", "kind"].item() == "command"


def test_td_relative_with_start_override() -> None:
    log = read("td_relative.txt", start="2023-11-07 20:00")
    df = log.messages
    assert str(df["time"].dtype) == "datetime64[ns]" and log.info.tz is None
    assert df["time"].iloc[0] == pd.Timestamp("2023-11-07 20:00:05")
    log = read("td_relative.txt", start="2023-11-07 20:00", tz="Europe/Paris")
    assert str(log.messages["time"].dtype) == "datetime64[ns, UTC]"
    assert log.messages["time"].iloc[0] == pd.Timestamp("2023-11-07 19:00:05", tz="UTC")
    assert log.info.tz == "Europe/Paris"


def test_td_utc_text() -> None:
    log = read("td_utc.txt")
    assert log.info.tz == "UTC" and log.info.start == pd.Timestamp("2024-05-17 15:03:39", tz="UTC")
    assert list(log.messages["offset_s"]) == [0.0, 2.0, 21.0, 91.0]
    assert kinds(log) == {"chat": 2, "system": 1, "bot": 1}
    assert read("td_utc.txt", tz="Europe/Paris").info.tz == "Europe/Paris"


def test_twitchdownloader_json() -> None:
    log = read("td.json")
    df, info = log.messages, log.info
    assert info.start == pd.Timestamp("2024-05-17 18:00:00", tz="UTC")
    assert info.title == "Soirée quiz et discussions" and info.channel == "LaCouette"
    assert info.emotes == {"KEKW", "catJAM", "Kappa"}
    assert info.chapters == [(0.0, "Just Chatting"), (3600.0, "Quiz")]
    assert info.lines_skipped == 1
    assert len(df) == 6
    by_text = df.set_index("text")
    assert by_text.loc["salut KEKW", "emotes"] == ["KEKW"]
    assert by_text.loc["Kappa bonsoir", "emotes"] == ["Kappa"]
    # no created_at: video start + offset
    assert by_text.loc["arrivé avant Poire", "time"] == pd.Timestamp(
        "2024-05-17 18:00:15", tz="UTC"
    )
    assert by_text.loc["danse", "kind"] == "action"
    assert by_text.loc["!quiz -> la réponse est 42", "kind"] == "bot"
    assert kinds(log)["system"] == 1


def test_gql_plain_and_gzipped(tmp_path: Path) -> None:
    plain = read("gql.json")
    gz = tmp_path / "verbose_chat.json.gz"
    gz.write_bytes(gzip.compress((FIX / "gql.json").read_bytes()))
    log = read_log(gz)
    check_table(log)
    assert log.info.format == "twitch-gql"
    pd.testing.assert_frame_equal(log.messages, plain.messages)
    assert kinds(log) == {"chat": 2, "bot": 1, "system": 1}
    assert log.messages["emotes"].iloc[2] == ["couetteHype"]


def test_chat_downloader_json_and_jsonl() -> None:
    a, b = read("chat_downloader.json"), read("chat_downloader.jsonl")
    pd.testing.assert_frame_equal(a.messages, b.messages)
    assert b.info.lines_skipped == 1  # the truncated last line
    df = a.messages
    assert list(df["kind"]) == ["chat", "system", "command", "chat"]
    assert df["text"].iloc[3] == "NA"
    assert df["emotes"].iloc[0] == ["Kappa"]
    assert list(df["offset_s"]) == [3.5, 10.0, 12.0, 13.0]
    assert df["time"].iloc[0] == pd.Timestamp(1623456789123456, unit="us", tz="UTC")


def test_tcd() -> None:
    log = read("tcd.tcd")
    df = log.messages
    assert list(df["user"]) == [
        "PixelMoine",
        "Brindille",
        "Ciboulette",
        "Moobot",
        "Brindille",
        "Streamerino",
    ]
    assert kinds(log) == {"chat": 4, "bot": 1, "action": 1}


def test_chatty_sessions_midnight_system_lines() -> None:
    log = read("chatty_sessions.log")
    df, info = log.messages, log.info
    assert info.tz == "+08:00"
    assert info.start == pd.Timestamp("2016-09-16 15:58:47", tz="UTC")
    assert info.lines_skipped == 0  # the "-" after "# Log closed", Joining/MOD/... not skipped
    assert len(df) == 10
    ts = df.set_index("text")["time"]
    assert ts["minuit passé"] == pd.Timestamp("2016-09-17 00:00:03+08:00")
    assert ts["message un peu en retard"] < ts["minuit passé"]
    assert ts["deuxième session"] == pd.Timestamp("2016-09-18 10:00:05+08:00")
    assert kinds(log) == {"chat": 5, "bot": 1, "action": 1, "command": 1, "system": 2}
    assert "Ottarine" in set(df["user"]) and "%Ottarine" not in set(df["user"])


def test_chatty_display_zone_override() -> None:
    log = read("chatty_sessions.log", tz="Europe/Paris")
    assert log.info.tz == "Europe/Paris"
    assert log.messages["time"].iloc[0] == pd.Timestamp("2016-09-16 15:58:49", tz="UTC")


def test_chatterino_dated_by_header_and_name(tmp_path: Path) -> None:
    log = read("mychannel-2021-11-04.log")
    df = log.messages
    assert log.info.start == pd.Timestamp("2021-11-04 20:10:00") and log.info.tz is None
    assert df["time"].iloc[-1] == pd.Timestamp("2021-11-05 00:00:04")
    assert df["user"].iloc[3] == "小龍 (petitdragon)"
    assert kinds(log) == {"chat": 5, "system": 1}
    # no header: the date comes from the file name
    lines = (FIX / "mychannel-2021-11-04.log").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "otherchan-2022-01-02.log"
    path.write_text("\n".join(ln for ln in lines if not ln.startswith("#")), encoding="utf-8")
    assert read_log(path).messages["time"].iloc[0] == pd.Timestamp("2022-01-02 20:10:22")


def test_chatterino_undated_and_start() -> None:
    log = read("chatterino_undated.log")
    assert log.messages["time"].isna().all()
    assert list(log.messages["offset_s"]) == [0.0, 8.0, 128.0]
    log = read("chatterino_undated.log", start="2021-11-04 20:00")
    assert log.messages["time"].iloc[0] == pd.Timestamp("2021-11-04 20:10:22")
    assert list(log.messages["offset_s"]) == [622.0, 630.0, 750.0]


def test_irc_v3_tags() -> None:
    log = read("irc_tags.log")
    df, info = log.messages, log.info
    assert info.tz == "UTC" and info.channel == "lacouette" and info.lines_skipped == 0
    assert df["time"].iloc[0] == pd.Timestamp(1700000000000, unit="ms", tz="UTC")
    assert df["emotes"].iloc[0] == ["Kappa", "Kappa"]
    by_text = df.set_index("text")
    assert by_text.loc["vole dans la nuit", "kind"] == "action"
    assert by_text.loc["!discord -> https://example.org", "kind"] == "bot"
    assert by_text.loc["Merle subscribed with Prime.", "kind"] == "system"
    assert by_text.loc["vilainbot has been timed out for 600s", "kind"] == "system"
    assert by_text.loc["null", "kind"] == "chat"
    assert df["index"].iloc[1] == 3  # "arrivé avant" sorted by tmi-sent-ts


def test_irc_timestamp_prefix_blocks() -> None:
    log = read("irc_prefix.log")
    df, info = log.messages, log.info
    assert info.lines_skipped == 2  # logger notes; numerics are protocol, not skipped
    assert str(df["time"].dtype) == "datetime64[ns]" and info.tz is None
    assert list(df["user"]) == ["renard", "lapin", "moobot", "renard"]
    assert df["time"].iloc[2] == pd.Timestamp("2019-04-30 08:57:03")  # block continuation
    assert list(df["kind"]) == ["chat", "command", "bot", "action"]


def test_csv_na_strings_and_bad_rows() -> None:
    log = read("table.csv")
    df, info = log.messages, log.info
    assert list(df["text"]) == [
        "bonjour",
        "NA",
        "null",
        "nan",
        "",
        "une virgule, ici",
        "sans guillemets, avec virgule",
    ]
    assert info.lines_skipped == 2 and {n for n, _ in info.skipped_examples} == {8, 10}
    assert info.tz is None and str(df["time"].dtype) == "datetime64[ns]"
    assert df["time"].iloc[0] == pd.Timestamp("2021-11-04 19:17:12")


def test_csv_tz_localizes_naive_times() -> None:
    log = read("table.csv", tz="Europe/Paris")
    assert str(log.messages["time"].dtype) == "datetime64[ns, UTC]"
    assert log.messages["time"].iloc[0] == pd.Timestamp("2021-11-04 18:17:12", tz="UTC")
    assert log.info.tz == "Europe/Paris"


def test_tables_tsv_json_jsonl() -> None:
    tsv = read("table.tsv")
    assert list(tsv.messages["text"]) == ["salut", "NA"] and tsv.info.tz == "UTC"
    js = read("table.json")
    assert list(js.messages["text"]) == ["bonjour à tous", "None", ""]
    jl = read("table.jsonl")
    assert jl.info.tz == "+02:00" and jl.info.lines_skipped == 1
    assert jl.messages["time"].iloc[0] == pd.Timestamp("2024-05-17 13:03:39", tz="UTC")


def test_columns_override(tmp_path: Path) -> None:
    path = tmp_path / "custom.csv"
    path.write_text("quand;qui;quoi\n12;Kiwizz;bonjour\n5;Poire;salut\n", encoding="utf-8")
    with pytest.raises(ReadError, match="time column"):
        read_log(path)
    log = read_log(path, columns={"time": "quand", "user": "qui", "text": "quoi"})
    check_table(log)
    assert list(log.messages["text"]) == ["salut", "bonjour"]
    assert list(log.messages["offset_s"]) == [5.0, 12.0]
    with pytest.raises(ReadError, match="no column 'nope'"):
        read_log(path, columns={"time": "nope", "text": "quoi"})


def test_parquet(tmp_path: Path) -> None:
    df = pd.DataFrame(
        {
            "timestamp": pd.to_datetime(["2024-01-01 10:00:05", "2024-01-01 10:00:01"], utc=True),
            "author": ["Kiwizz", "Poire"],
            "message": ["NA", None],
        }
    )
    path = tmp_path / "chat.parquet"
    df.to_parquet(path)
    log = read_log(path)
    check_table(log)
    assert log.info.format == "parquet" and log.info.tz == "UTC"
    assert list(log.messages["text"]) == ["", "NA"]


def test_format_override(tmp_path: Path) -> None:
    path = tmp_path / "chat.dat"
    shutil.copy(FIX / "tcd.tcd", path)
    assert read_log(path, format="tcd-irc").info.format == "tcd-irc"
    with pytest.raises(ReadError, match="no parsable message as chatty"):
        read_log(path, format="chatty")  # tcd lines are not Chatty lines
    with pytest.raises(ReadError, match="unknown format"):
        read_log(path, format="nope")


# --------------------------------------------------------------------- encodings, errors


@pytest.mark.parametrize("compress", [gzip.compress, bz2.compress, lzma.compress])
def test_compressed_any_extension(tmp_path: Path, compress) -> None:
    path = tmp_path / "chat.log"  # no compression extension: found by magic bytes
    path.write_bytes(compress((FIX / "chatty_sessions.log").read_bytes()))
    log = read_log(path)
    assert log.info.format == "chatty" and len(log.messages) == 10


def test_bom_crlf_and_decode_errors(tmp_path: Path) -> None:
    raw = (FIX / "td_relative.txt").read_bytes().replace(b"\n", b"\r\n")
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + raw.replace(b"salut salut", b"salut \xff\xfe salut"))
    log = read_log(path)
    check_table(log)
    assert log.messages["user"].iloc[0] == "PatateDouce"  # BOM gone
    assert not any(t.endswith("\r") for t in log.messages["text"])
    assert log.info.decode_errors == 2
    assert "salut \ufffd\ufffd salut" in set(log.messages["text"])


def test_truncated_gzip_and_json(tmp_path: Path) -> None:
    gz = tmp_path / "a.json.gz"
    gz.write_bytes(gzip.compress((FIX / "gql.json").read_bytes())[:-30])
    with pytest.raises(ReadError, match="truncated gzip"):
        read_log(gz)
    js = tmp_path / "b.json"
    js.write_text((FIX / "td.json").read_text(encoding="utf-8")[:-100], encoding="utf-8")
    with pytest.raises(ReadError, match="truncated JSON"):
        read_log(js)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (None, "no such file"),
        ("DIR", "directory"),
        (b"", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        (b"just some words\nnothing like a chat log\n", "unknown log format"),
        (b":tmi.twitch.tv 001 me :Welcome\nPING :tmi.twitch.tv\n", "only system"),
        (b"# Log started: 2016-09-16 15:38:47 +0800\n[15:38:47] Joining #x..\n", "only system"),
        (b"[0:00:01] Merle: Merle subscribed with Prime.\n", "only system"),
    ],
)
def test_errors(tmp_path: Path, content, match: str) -> None:
    path = tmp_path / "log.txt"
    if content == "DIR":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(ReadError, match=match):
        read_log(path)


def test_bad_start_and_tz() -> None:
    with pytest.raises(ReadError, match="invalid start"):
        read_log(FIX / "td_relative.txt", start="pas une date")
    with pytest.raises(ReadError, match="unknown time zone"):
        read_log(FIX / "td_relative.txt", tz="Mars/Olympus")


def test_extra_bots() -> None:
    log = read("tcd.tcd", bots=["Brindille"])
    assert set(log.messages.loc[log.messages["user"] == "Brindille", "kind"]) == {"bot"}


# ------------------------------------------------------------------------------ real logs
# Expected counts were made independently of the readers (grep/awk on the text files,
# Python's csv/json modules on the others):
# - TwitchDownloader text: `grep -c '^\[[0-9]*:[0-9][0-9]:[0-9][0-9]\] [^ :]*: '` == wc -l;
#   system = lines matching `: <name> (subscribed (with|at) |gifted (a|N) Tier|is gifting N|
#   converted from|is continuing the Gift|is paying forward)` or `: N raiders from`;
#   bot = `grep -ciE '^\[[0-9:]+\] (nightbot|streamelements|moobot|...): '`;
#   command = non-bot lines whose message starts with `!`.
# - tcd: same greps on `[h:mm:ss] <badges user> message`.
# - Chatty: `grep -cE '^\[..:..:..\] <'` = 14,167 user lines (+ 4 `[Notification]` and 21
#   `BAN:` system rows = 14,192); bots/actions (`<user>*`)/commands by grep; skipped: the
#   final `-` line.
# - raw IRC: `grep -c ' PRIVMSG #'` = 28,844; moobot lines 148; `\x01ACTION` 93; `:!` 1,994, of which
#   5 are `!!`-style exclamations, not commands (`!` then a word character is a command);
#   skipped = non-blank lines that are not IRC (logger notes, appended debug output) = 117.
# - CSV/JSON: csv.DictReader / json.load, same classification rules.
REAL = {
    "fr_twitchdownloader_relative_1699408450.txt": (
        "twitchdownloader-text",
        5969,
        {"chat": 5762, "system": 75, "bot": 93, "command": 39},
        0,
    ),
    "fr_twitchdownloader_relative_chat.txt": (
        "twitchdownloader-text",
        4819,
        {"chat": 4682, "system": 116, "bot": 13, "command": 8},
        0,
    ),
    "fr_csv_samueletienne.csv": ("csv", 353, {"chat": 350, "bot": 3}, 0),
    "fr_json_samueletienne.json": ("json-table", 353, {"chat": 350, "bot": 3}, 0),
    "en_twitch_api_v5_1087079172.json": (
        "twitchdownloader-json",
        3090,
        {"chat": 2989, "bot": 42, "command": 38, "system": 21},
        0,
    ),
    "en_twitch_archiver_gql_2040989125.json.gz": (
        "twitch-gql",
        3919,
        {"chat": 3854, "command": 26, "bot": 23, "system": 16},
        0,
    ),
    "en_chatty_hsdogdog3.log": (
        "chatty",
        14192,
        {"chat": 13839, "command": 170, "bot": 109, "action": 49, "system": 25},
        0,  # the "-" after "# Log closed" is Chatty's separator, not an unreadable line
    ),
    "en_tcd_irc_0511875486.tcd": (
        "tcd-irc",
        13676,
        {"chat": 13571, "command": 36, "system": 37, "bot": 32},
        0,
    ),
    "en_raw_irc_admiralbulldog.log": (
        "irc",
        28844,
        # bot: 187 known bots + admiralbullbot's 324 (an announcer: 251 chat, 73 /me lines)
        {"chat": 26324, "command": 1989, "bot": 511, "action": 20},
        117,
    ),
    "en_csv_admiralbulldog.csv": ("csv", 26323, {"chat": 26119, "bot": 184, "action": 20}, 0),
}


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_log(name: str) -> None:
    fmt, total, by_kind, skipped = REAL[name]
    path = chatlog(name)
    assert detect_format(path) == fmt
    log = read_log(path)
    check_table(log)
    assert len(log.messages) == total
    assert kinds(log) == by_kind
    assert log.info.lines_skipped == skipped
    assert log.info.decode_errors == 0


def test_real_log_metadata() -> None:
    v5 = read_log(chatlog("en_twitch_api_v5_1087079172.json")).info
    assert v5.start == pd.Timestamp("2021-07-15T01:59:24Z") and v5.tz == "UTC"
    assert v5.title == "The Lads Do Be Falling (Fall Guys)"
    chatty = read_log(chatlog("en_chatty_hsdogdog3.log"))
    assert chatty.info.tz == "+08:00"
    assert chatty.info.start == pd.Timestamp("2016-09-21 08:17:05+08:00")
    irc = read_log(chatlog("en_raw_irc_admiralbulldog.log"))
    assert irc.info.channel == "admiralbulldog" and irc.info.tz is None
    assert irc.messages["time"].iloc[0] == pd.Timestamp("2019-04-30 08:56:59")


def test_raw_irc_reads_every_privmsg() -> None:
    """Every PRIVMSG line of the real raw IRC log is a row (its speed is measured in
    benchmarks/speed.py, never asserted in a test: machines here are noisy)."""
    path = chatlog("en_raw_irc_admiralbulldog.log")
    with open(path, encoding="utf-8", errors="replace") as handle:
        privmsgs = sum(" PRIVMSG #" in line for line in handle)
    log = read_log(path)
    assert len(log.messages) == privmsgs > 0
