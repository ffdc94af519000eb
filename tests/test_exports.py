"""Exports of moments: YouTube chapters, CSV, JSON and CMX 3600 EDL (parsed back)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from test_moments import synthetic_bundle

from twitchtopics.bundle import load_bundle
from twitchtopics.cli import cli
from twitchtopics.moments.exports import (
    ascii_line,
    chapter_time,
    chapters,
    parse_edl,
    render_chapters,
    render_csv,
    render_edl,
    timecode,
)
from twitchtopics.moments.highlights import find_moments


def moment(rank: int, at: float, title: str, end: float | None = None) -> dict:
    return {
        "rank": rank,
        "title": title,
        "start": "x",
        "end": "y",
        "start_offset_s": at + 15,
        "end_offset_s": (end if end is not None else at + 60),
        "link_offset_s": at,
        "score": 2.0 - rank / 10,
        "messages": 40,
        "chatters": 30,
        "groups": [{"topic": 3, "label": title, "keywords": ["a", "b"]}],
        "why": ["because"],
        "vod_url": None,
    }


def check_youtube_rules(text: str) -> list[tuple[int, str]]:
    """Parse chapter lines and check YouTube's rules; return (seconds, title) pairs."""
    parsed = []
    for line in text.splitlines():
        stamp, title = line.split(" ", 1)
        parts = [int(p) for p in stamp.split(":")]
        seconds = parts[-1] + 60 * parts[-2] + (3600 * parts[0] if len(parts) == 3 else 0)
        assert title.strip() and "\n" not in title
        parsed.append((seconds, title))
    assert parsed[0][0] == 0
    assert all(b[0] - a[0] >= 10 for a, b in zip(parsed, parsed[1:], strict=False))
    return parsed


def test_chapters_follow_youtube_rules():
    moments = [
        moment(1, 3723.4, "the big play"),
        moment(2, 3728.0, "too close to the big play"),
        moment(3, 600.0, "line\nbreak\x1b[31m and control"),
        moment(4, 5.0, "right at the start"),
        moment(5, 1200.0, "x" * 200),
    ]
    text = render_chapters(moments)
    parsed = check_youtube_rules(text)
    titles = [t for _, t in parsed]
    assert titles[0] == "right at the start"
    assert "too close to the big play" not in titles and "the big play" in titles
    assert "line break and control" in " ".join(titles) or "line break [31m and control" in titles
    assert all("\x1b" not in t and len(t) <= 80 for t in titles)
    assert [s for s, _ in parsed] == sorted(s for s, _ in parsed)
    assert text.splitlines()[-1].startswith("1:02:03 ")


def test_chapters_without_moments_is_one_opening_chapter():
    assert chapters([]) == [(0.0, "Stream start")]


def test_chapter_time_and_timecode():
    assert chapter_time(0) == "0:00" and chapter_time(65) == "1:05"
    assert chapter_time(3723.9) == "1:02:03"
    assert timecode(3723.5, 30) == "01:02:03:15"
    assert timecode(0) == "00:00:00:00"


def test_edl_parses_back():
    moments = [moment(2, 3723.5, "Élan — ça passe 🔥", end=3800.0), moment(1, 60.0, "first")]
    text = render_edl(moments, "my stream", fps=30)
    assert text.startswith("TITLE: my stream\nFCM: NON-DROP FRAME\n")
    events = parse_edl(text, fps=30)
    assert [e["event"] for e in events] == [1, 2]
    assert events[0]["record_in"] == pytest.approx(60.0)
    assert events[1]["record_in"] == pytest.approx(3723.5)
    assert events[1]["record_out"] == pytest.approx(3800.0)
    assert all(e["source_in"] == e["record_in"] for e in events)
    assert events[1]["name"] == "#2 Elan ca passe"
    assert text.isascii()
    assert "|M:#1 first |D:" in text
    resolve = parse_edl(render_edl(moments, "s", fps=30, record_start_s=3600.0), fps=30)
    assert resolve[0]["source_in"] == pytest.approx(60.0)
    assert resolve[0]["record_in"] == pytest.approx(3660.0)


def test_csv_round_trip_and_formula_guard():
    moments = [moment(1, 10.0, "=cmd|' /C calc'!A0"), moment(2, 100.0, "plain, with comma")]
    rows = list(csv.DictReader(io.StringIO(render_csv(moments))))
    assert rows[0]["title"].startswith("'=")
    assert rows[1]["title"] == "plain, with comma"
    assert rows[0]["link_offset_s"] == "10.0"
    moments = [moment(1, 10.0, "@SUM(1)"), moment(2, 100.0, "-1")]
    rows = list(csv.DictReader(io.StringIO(render_csv(moments))))
    assert rows[0]["title"] == "'@SUM(1)"  # the tool's one CSV rule (safe_output.csv_cell)
    assert rows[1]["title"] == "-1"  # a number stays a number


def test_ascii_line():
    assert ascii_line("Ça va\tbien 🔥", 60) == "Ca va bien"


def test_cli_formats(tmp_path):
    path = synthetic_bundle(
        tmp_path,
        per_minute=20,
        minutes=60,
        bursts=[(600.0, 60, 50, "first burst"), (2400.0, 50, 40, "second burst")],
        video_id="1087079172",
    )
    runner = CliRunner()
    moments = find_moments(load_bundle(path), top=5)

    chap = runner.invoke(cli, ["highlights", str(path), "--format", "chapters", "-n", "5"])
    assert chap.exit_code == 0, chap.output
    check_youtube_rules(chap.output.strip())

    edl = runner.invoke(cli, ["highlights", str(path), "--format", "edl", "--fps", "25"])
    events = parse_edl(edl.output, fps=25)
    every = find_moments(load_bundle(path))
    assert len(events) == len(every)
    assert [e["record_in"] for e in events] == pytest.approx(
        sorted(round(m["link_offset_s"] * 25) / 25 for m in every)
    )

    out = runner.invoke(cli, ["highlights", str(path), "--format", "csv", "-n", "5"])
    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert len(rows) == len(moments)
    assert rows[0]["vod_url"] == moments[0]["vod_url"]

    js = json.loads(runner.invoke(cli, ["highlights", str(path), "--format", "json"]).output)
    assert js["moments"][0]["rank"] == 1
