"""The Twitch video a log belongs to: read into LogInfo and the bundle, for VOD links."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import chatlog
from twitchtopics.readers import read_log
from twitchtopics.readers._base import twitch_video_id

FIXTURES = Path(__file__).parent / "fixtures" / "logs"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("td.json", "999"),
        ("gql.json", "999"),
        ("chat_downloader.json", None),
        ("td_relative.txt", None),
        ("irc_tags.log", None),
    ],
)
def test_video_id_from_fixtures(name, expected):
    assert read_log(FIXTURES / name).info.video_id == expected


def test_chat_downloader_url(tmp_path):
    items = [
        {
            "message": "hello",
            "time_in_seconds": 3.0,
            "author": {"name": "a"},
            "message_type": "text_message",
            "url": "https://www.twitch.tv/videos/2040989125",
        }
    ]
    path = tmp_path / "cd.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    assert read_log(path).info.video_id == "2040989125"


def test_twitch_video_id_values():
    assert twitch_video_id("https://www.twitch.tv/videos/1087079172?t=1h") == "1087079172"
    assert twitch_video_id("v1087079172") == "1087079172"
    assert twitch_video_id(1087079172) == "1087079172"
    for bad in (None, True, "", "abc", "https://www.youtube.com/watch?v=1", -3, 1.5):
        assert twitch_video_id(bad) is None


def test_real_logs_name_their_video():
    assert read_log(chatlog("en_twitch_api_v5_1087079172.json")).info.video_id == "1087079172"
    gql = read_log(chatlog("en_twitch_archiver_gql_2040989125.json.gz"))
    assert gql.info.video_id == "2040989125"
    assert read_log(chatlog("fr_twitchdownloader_relative_chat.txt")).info.video_id is None
