"""inspect_log / render_inspect on fixtures."""

from __future__ import annotations

import json
from pathlib import Path

from twitchtopics.readers import read_log
from twitchtopics.report.inspect import inspect_log, render_inspect

FIX = Path(__file__).parent / "fixtures" / "logs"


def test_inspect_td_json() -> None:
    d = inspect_log(read_log(FIX / "td.json"))
    json.dumps(d)  # serialisable
    assert d["format"] == "twitchdownloader-json" and d["messages"] == 6
    assert d["by_kind"] == {"chat": 3, "action": 1, "command": 0, "bot": 1, "system": 1}
    assert d["lines_skipped"] == 1 and d["skipped_examples"][0][0] == 7
    assert d["start"] == "2024-05-17T18:00:00+00:00" and d["tz"] == "UTC"
    assert d["title"] == "Soirée quiz et discussions"
    assert d["top_chatters"][0] == ["Kiwizz", 2] or d["top_chatters"][0] == ["Poire", 2]
    assert ["KEKW", 1] in d["top_emotes"] and ["Kappa", 1] in d["top_emotes"]
    assert d["messages_per_minute"] == [6]
    assert d["peak_per_minute"] == 6 and d["duration_s"] == 32.5
    text = render_inspect(d)
    assert "twitchdownloader-json" in text and "Kiwizz" in text


def test_inspect_offsets_only_and_emote_shapes() -> None:
    d = inspect_log(read_log(FIX / "td_relative.txt"))
    json.dumps(d)
    assert d["first_time"] is None and d["start"] is None
    assert d["first_offset_s"] == 5.0 and d["last_offset_s"] == 3723.0
    assert len(d["messages_per_minute"]) == 63 and d["peak_per_minute"] == 6
    assert d["median_per_minute"] == 0.0
    assert "0:00:05 -> 1:02:03" in render_inspect(d)


def test_inspect_fallback_emote_tokens(tmp_path: Path) -> None:
    path = tmp_path / "c.txt"
    path.write_text(
        "[0:00:01] a: massietOLD PogChamp\n[0:00:02] b: PogChamp LUL salut YouTube\n",
        encoding="utf-8",
    )
    d = inspect_log(read_log(path))
    # the rule of chat/emotes.py: LUL is a global emote, YouTube a CamelCase word, not one
    assert d["top_emotes"] == [["PogChamp", 2], ["massietOLD", 1], ["LUL", 1]]
