"""`highlights`: moments scored against the chat around them, on slow and busy chat, and the CLI."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from bundle_factory import make_bundle
from click.testing import CliRunner

from twitchtopics.bundle import load_bundle, save_bundle
from twitchtopics.cli import cli
from twitchtopics.moments.highlights import find_moments, video_url
from twitchtopics.moments.signals import is_reaction_text


def synthetic_bundle(
    folder: Path,
    *,
    per_minute: float,
    minutes: int,
    bursts: list[tuple[float, int, int, str]],
    name: str = "synth",
    video_id: str | None = None,
    seed: int = 1,
) -> Path:
    """A stream with a steady chat (`per_minute` messages from many chatters, one group per
    10 minutes) and bursts `(offset_s, messages, chatters, text)`, each its own group."""
    rng = random.Random(seed)
    rows = []
    n = int(per_minute * minutes)
    for _ in range(n):
        at = rng.uniform(0, minutes * 60)
        rows.append((at, f"viewer{rng.randrange(5000)}", f"talk {int(at // 600)}", int(at // 600)))
    for k, (at, count, chatters, text) in enumerate(bursts):
        for i in range(count):
            rows.append((at + 40.0 * i / count, f"burst{k}_{i % chatters}", text, 100 + k))
    rows.sort(key=lambda r: r[0])
    frame = pd.DataFrame(
        {
            "index": np.arange(len(rows)),
            "time": pd.Series(pd.NaT, index=range(len(rows)), dtype="datetime64[ns]"),
            "offset_s": [r[0] for r in rows],
            "user": [r[1] for r in rows],
            "text": [r[2] for r in rows],
            "kind": "chat",
            "emotes": [[] for _ in rows],
            "clean": [r[2] for r in rows],
            "topic": [r[3] for r in rows],
            "silhouette": 0.3,
            "centrality": 0.5,
        }
    )
    ids = sorted(frame["topic"].unique())
    topics = [
        {
            "id": int(t),
            "size": int((frame["topic"] == t).sum()),
            "keywords": [[f"kw{t}", 1.0]],
            "category": "laughter"
            if t >= 100 and "KEKW" in str(frame[frame["topic"] == t]["text"].iloc[0])
            else "discussion",
            "representatives": [str(frame[frame["topic"] == t]["text"].iloc[0])],
            "first_offset_s": float(frame[frame["topic"] == t]["offset_s"].min()),
            "last_offset_s": float(frame[frame["topic"] == t]["offset_s"].max()),
        }
        for t in ids
    ]
    meta = {
        "stream": {"start": None, "tz": None, "duration_s": minutes * 60.0, "video_id": video_id},
        "params": {"include": ["chat", "action"]},
        "input": {"path": f"/logs/{name}.txt"},
    }
    return save_bundle(folder / f"{name}.twitchtopics", frame, topics, meta)


def three_x_median_minutes(bundle) -> list[int]:
    offsets = bundle.messages["offset_s"].to_numpy()
    per_minute = np.bincount((offsets // 60).astype(int))
    return [int(k) for k in np.flatnonzero(per_minute >= max(3 * np.median(per_minute), 5))]


def test_busy_chat_moment_found_where_3x_median_finds_none(tmp_path):
    # 580 messages a minute, like the esports final of issue 13; a burst to ~1,100/min
    path = synthetic_bundle(
        tmp_path, per_minute=580, minutes=30, bursts=[(900.0, 500, 400, "WHAT A PLAY Pog")]
    )
    bundle = load_bundle(path)
    assert three_x_median_minutes(bundle) == []
    moments = find_moments(bundle, top=3)
    assert moments and 880 <= moments[0]["start_offset_s"] <= 905
    assert moments[0]["groups"][0]["label"] == "WHAT A PLAY Pog"
    assert "chatters in a minute" in moments[0]["why"][0]


def test_slow_chat_moment_found(tmp_path):
    # 2 messages a minute, then 9 people react within 40 s
    path = synthetic_bundle(
        tmp_path, per_minute=2, minutes=120, bursts=[(3600.0, 9, 9, "KEKW KEKW")]
    )
    moments = find_moments(load_bundle(path), top=3)
    first = moments[0]
    assert 3590 <= first["start_offset_s"] <= 3610 and first["end_offset_s"] <= 3650
    assert any("laughter/hype" in reason for reason in first["why"])
    assert first["contributions"]["reactions"] > 0


def test_one_spammer_is_not_a_moment(tmp_path):
    path = synthetic_bundle(
        tmp_path,
        per_minute=10,
        minutes=60,
        bursts=[(600.0, 60, 1, "buy my stuff"), (2400.0, 25, 25, "no way he did that")],
    )
    moments = find_moments(load_bundle(path), top=2)
    assert 2390 <= moments[0]["start_offset_s"] <= 2410
    assert all(not (590 <= m["start_offset_s"] <= 650) for m in moments[:1])


def test_min_gap_top_and_window(tmp_path):
    bursts = [(600.0 + 400.0 * k, 40, 30, f"event {k}") for k in range(6)]
    path = synthetic_bundle(tmp_path, per_minute=10, minutes=60, bursts=bursts)
    bundle = load_bundle(path)
    moments = find_moments(bundle, top=10, min_gap_s=120)
    starts = sorted(m["start_offset_s"] for m in moments)
    assert len(moments) >= 6
    assert all(b - a >= 110 for a, b in zip(starts, starts[1:], strict=False))
    assert [m["rank"] for m in moments] == list(range(1, len(moments) + 1))
    assert all(x["score"] >= y["score"] for x, y in zip(moments, moments[1:], strict=False))
    assert len(find_moments(bundle, top=2)) == 2
    windowed = find_moments(bundle, "0:15:00-0:25:00", top=10)
    assert windowed and all(800 <= m["start_offset_s"] < 1560 for m in windowed)
    assert find_moments(bundle, top=10, min_gap_s=3600)[0]["rank"] == 1


def test_every_moment_explains_itself(tmp_path):
    path = synthetic_bundle(
        tmp_path, per_minute=30, minutes=60, bursts=[(1200.0, 80, 70, "LUL LUL")], video_id="42"
    )
    for m in find_moments(load_bundle(path), top=5):
        assert m["why"] and m["groups"] and m["title"]
        assert set(m["contributions"]) == {"chatters", "reactions", "new_group"}
        assert m["score"] == pytest.approx(sum(m["contributions"].values()), abs=0.01)
        assert m["start_offset_s"] <= m["end_offset_s"]
        assert m["vod_url"].startswith("https://www.twitch.tv/videos/42?t=")


def test_vod_links_use_the_lead():
    assert video_url("1087079172", 3723.9) == "https://www.twitch.tv/videos/1087079172?t=1h02m03s"
    assert video_url("5", 0) == "https://www.twitch.tv/videos/5?t=0h00m00s"
    assert video_url(None, 10) is None


def test_old_bundle_without_clean_label_or_vectors(tmp_path):
    bundle = load_bundle(make_bundle(tmp_path))
    bundle.messages = bundle.messages.drop(columns=["clean"])
    moments = find_moments(bundle, top=3)
    assert moments[0]["start"].startswith("19:4")
    assert moments[0]["vod_url"] is None


def test_labels_from_topics_json_name_the_moment(tmp_path):
    bundle = load_bundle(make_bundle(tmp_path))
    for topic in bundle.topics:
        topic["label"] = f"label of {topic['id']}"
    first = find_moments(bundle, top=1)[0]
    assert first["groups"][0]["label"] == "label of 1"
    assert first["title"].startswith("label of")


def test_reaction_texts():
    for text in ("KEKW", "mdr", "LUL LUL", "Pog", "CLIP IT", "monkaS", "😂😂"):
        assert is_reaction_text(text), text
    for text in ("what game is this", "the lol tournament was great yesterday at home", ""):
        assert not is_reaction_text(text), text


def test_same_bundle_same_moments(tmp_path):
    path = synthetic_bundle(tmp_path, per_minute=20, minutes=40, bursts=[(900.0, 50, 40, "wow")])
    assert find_moments(load_bundle(path)) == find_moments(load_bundle(path))


# --- CLI ------------------------------------------------------------------------------------


@pytest.fixture
def busy_bundle(tmp_path) -> Path:
    return synthetic_bundle(
        tmp_path,
        per_minute=20,
        minutes=60,
        bursts=[(600.0, 60, 50, '=HYPERLINK("x") \x1b[31mred'), (2000.0, 50, 45, "KEKW")],
        video_id="1087079172",
    )


def test_cli_text_and_json(busy_bundle):
    runner = CliRunner()
    text = runner.invoke(cli, ["highlights", str(busy_bundle), "--top", "2"])
    assert text.exit_code == 0, text.output
    assert "#1 " in text.output and "why:" in text.output
    assert "https://www.twitch.tv/videos/1087079172?t=" in text.output
    assert "\x1b" not in text.output  # chat text cannot drive the terminal
    js = runner.invoke(cli, ["highlights", str(busy_bundle), "--format", "json"])
    data = json.loads(js.output)
    assert data["stream"]["video_id"] == "1087079172" and data["moments"]


def test_cli_vod_option_and_bad_values(busy_bundle):
    runner = CliRunner()
    out = runner.invoke(
        cli, ["highlights", str(busy_bundle), "--vod", "https://www.twitch.tv/videos/77", "-n", "1"]
    )
    assert out.exit_code == 0 and "videos/77?t=" in out.output
    for args in (["--vod", "nope"], ["--min-gap", "soon"], ["--lead", "-3"], ["--window", "9:99-"]):
        bad = runner.invoke(cli, ["highlights", str(busy_bundle), *args])
        assert bad.exit_code in (1, 2), args
        assert "Traceback" not in bad.output
        assert "Error" in bad.output


def test_cli_missing_bundle(tmp_path):
    result = CliRunner().invoke(cli, ["highlights", str(tmp_path / "nothing.twitchtopics")])
    assert result.exit_code == 1 and result.output.startswith("Error: no bundle")


@pytest.mark.slow
def test_real_log_highlights_and_vod_links(tmp_path):
    from conftest import chatlog

    from twitchtopics.runs import ClusterOptions, cluster_log

    log = chatlog("en_twitch_api_v5_1087079172.json")
    cluster_log(log, ClusterOptions(), out=tmp_path / "nl.twitchtopics")
    bundle = load_bundle(tmp_path / "nl.twitchtopics")
    assert bundle.meta["stream"]["video_id"] == "1087079172"
    moments = find_moments(bundle, top=10)
    assert len(moments) == 10
    assert all(
        m["vod_url"].startswith("https://www.twitch.tv/videos/1087079172?t=") for m in moments
    )
    # the prank at 7:20 and the ISIS remark at 17:55 (benchmarks/events) are both in the top 5
    starts = [m["start_offset_s"] for m in moments[:5]]
    assert any(abs(s - 440) <= 60 for s in starts) and any(abs(s - 1075) <= 60 for s in starts)


def test_report_html_marks_the_moments(tmp_path):
    from twitchtopics.report.html import write_html
    from twitchtopics.report.window import window_report

    path = synthetic_bundle(
        tmp_path, per_minute=20, minutes=60, bursts=[(900.0, 60, 50, "<b>bold</b>")], video_id="9"
    )
    bundle = load_bundle(path)
    data = window_report(bundle, None)
    page = write_html(bundle, data, tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.count('class="moment"') == len(data["moments"]) > 0
    assert 'href="https://www.twitch.tv/videos/9?t=' in page
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page


def test_a_window_whose_busy_part_lies_past_the_report_window_is_not_picked() -> None:
    """Scoring windows start inside the span, but the moment grown from one must overlap it."""
    import numpy as np

    from twitchtopics.moments.scoring import BinScores, extent, pick_windows

    n = 30
    counts = np.ones(n)
    counts[20:23] = 40.0  # a burst at 200-230 s
    zeros = np.zeros(n)
    score = np.zeros(n)
    score[15] = 5.0  # the window starting at 150 s holds the burst in its last 60 s
    scores = BinScores(
        score=score,
        count=zeros,
        count_base=np.full(n, 6.0),
        chatters=zeros,
        chatters_base=zeros,
        reaction_share=zeros,
        reaction_base=zeros,
        new_group_share=zeros,
        new_group_base=zeros,
        new_group=np.full(n, -1),
        bin_counts=counts,
    )
    first, _ = extent(scores, 15)
    assert first * 10.0 >= 180.0  # trimmed to the burst, past a window ending at 180 s
    assert pick_windows(scores, 5, 60.0, 0.0, 180.0) == []
    assert pick_windows(scores, 5, 60.0, 0.0, 300.0) == [15]
