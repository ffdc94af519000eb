"""`report`: window tables, representatives, moments, text/JSON/CSV/PNG/HTML, and the CLI."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import struct
import warnings
from pathlib import Path

import pandas as pd
import pytest
from bundle_factory import EMOJI, XSS, make_bundle, minute
from click.testing import CliRunner

from twitchtopics.bundle import find_latest_bundle, load_bundle
from twitchtopics.bundle_view import bundle_window, representatives, shorten
from twitchtopics.chat.normalize import canonical_form
from twitchtopics.cli import cli
from twitchtopics.describe import CATEGORIES
from twitchtopics.errors import BundleError, WindowError
from twitchtopics.report.colors import CATEGORY_COLORS, category_labels
from twitchtopics.report.html import write_html
from twitchtopics.report.png import write_png
from twitchtopics.report.text import render_report_text, report_rows
from twitchtopics.report.window import window_report


@pytest.fixture(scope="module")
def bundle_dir(tmp_path_factory) -> Path:
    return make_bundle(tmp_path_factory.mktemp("bundles"))


@pytest.fixture(scope="module")
def bundle(bundle_dir):
    return load_bundle(bundle_dir)


@pytest.fixture(scope="module")
def window_30(bundle):
    return window_report(bundle, bundle_window(bundle, "19:30-20:00"), top=10)


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


# --- discovery ------------------------------------------------------------------------------


def test_latest_of_two_bundles(tmp_path, monkeypatch):
    old = make_bundle(tmp_path, "old")
    new = make_bundle(tmp_path, "new")
    os.utime(old / "meta.json", ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    os.utime(new / "meta.json", ns=(2_000_000_000_000_000_000, 2_000_000_000_000_000_000))
    assert find_latest_bundle(tmp_path) == new
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["report", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["stream"]["name"] == "new"


def test_no_bundle_is_a_clear_error(tmp_path, monkeypatch):
    with pytest.raises(BundleError, match="no \\*.twitchtopics bundle"):
        find_latest_bundle(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["report"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: no *.twitchtopics bundle")
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


# --- representatives ------------------------------------------------------------------------


def test_representative_is_the_most_central():
    frame = pd.DataFrame(
        {"text": ["a b c", "most central one", "meh"], "centrality": [0.5, 0.9, 0.1]}
    )
    assert representatives(frame, k=1) == ["most central one"]


def test_representative_prefers_readable_text_over_a_flood():
    frame = pd.DataFrame(
        {
            "text": ["KEKW KEKW KEKW KEKW KEKW", "KEKW that was insane", "\U0001f602\U0001f602"],
            "centrality": [1.0, 0.9, 0.95],
        }
    )
    assert representatives(frame, k=1) == ["KEKW that was insane"]


def test_representatives_are_distinct():
    frame = pd.DataFrame(
        {
            "text": ["LOOOOOL", "lool", "LOL LOL", "lol", "what a play"],
            "centrality": [1.0, 0.99, 0.98, 0.97, 0.5],
        }
    )
    reps = representatives(frame, k=3)
    assert reps[0] == "what a play"  # readable text first, then the laughter flood, once
    assert reps[1] == "LOOOOOL"
    # distinct by the one near-identity rule (report/window.py's own `dedupe_key` is gone)
    assert len({canonical_form(r) for r in reps}) == len(reps) == 2
    assert canonical_form("LOOOOOL") == canonical_form("lool") == canonical_form("LOL LOL")


def test_representative_falls_back_without_centrality():
    frame = pd.DataFrame({"text": ["x", "y"], "silhouette": [0.1, 0.8]})
    assert representatives(frame, k=1) == ["y"]


def test_shorten():
    assert shorten("a  b\nc", 60) == "a b c"
    cut = shorten("x" * 100, 20)
    assert len(cut) == 20 and cut.endswith("\u2026")


def test_representative_comes_from_inside_the_window(bundle):
    # Group 4's most central message (the markup, 19:44) is outside 19:50-20:00.
    d = window_report(bundle, "19:50-20:00")
    g4 = next(g for g in d["groups"] if g["topic"] == 4)
    assert g4["representative"] == "this boss fight is hard"
    d = window_report(bundle, "19:40-19:50")
    # inside 19:40-19:50 both are group 4's; the one carrying its keywords wins
    assert next(g for g in d["groups"] if g["topic"] == 4)["representative"] in (XSS, EMOJI)


# --- the window table -----------------------------------------------------------------------


def test_groups_ranked_and_counted(window_30):
    d = window_30
    groups = d["groups"]
    assert [g["rank"] for g in groups] == list(range(1, len(groups) + 1))
    assert [g["count"] for g in groups] == sorted((g["count"] for g in groups), reverse=True)
    top = groups[0]
    assert top["topic"] == 1 and top["category"] == "laughter"
    assert top["representative"] == "KEKW that was insane"  # not the more central flood
    assert top["keywords"][:3] == ["kekw", "lul", "insane"]
    quiz = next(g for g in groups if g["topic"] == 3)
    assert quiz["count"] == 25  # the !uptime commands tagged 3 are not chat: not counted
    assert quiz["first"] == "19:35:00" and quiz["last"] == "19:39:48"
    assert quiz["silhouette"] == pytest.approx(0.5)
    assert (
        abs(sum(g["share"] for g in groups) - d["totals"]["grouped"] / d["totals"]["chat"]) < 1e-3
    )


def test_totals_count_outliers_and_other_kinds(window_30):
    t = window_30["totals"]
    assert t["messages"] == t["chat"] + t["other"]
    assert t["chat"] == t["grouped"] + t["outliers"]
    assert t["outliers"] > 0 and t["other"] > 0
    assert set(t["by_kind"]) == {"chat", "command", "bot"}
    assert window_30["window"]["minutes"] == 30


def test_missing_category_is_a_question_mark(bundle):
    d = window_report(bundle, "20:05-20:20")
    g5 = next(g for g in d["groups"] if g["topic"] == 5)
    assert g5["category"] == "?"


def test_top_limits_groups(bundle):
    assert len(window_report(bundle, None, top=2)["groups"]) == 2
    assert len(window_report(bundle, None, top=50)["groups"]) == 6


def test_whole_stream_includes_the_last_message(bundle):
    d = window_report(bundle, None)
    assert d["window"]["whole"]
    assert d["totals"]["messages"] == len(bundle.messages)


def test_offsets_only_bundle(tmp_path):
    b = load_bundle(make_bundle(tmp_path, mode="offsets", start=None))
    d = window_report(b, "0:40:00-0:50:00")
    assert d["groups"][0]["topic"] == 1
    assert d["groups"][0]["first"].startswith("0:4")
    assert d["moments"] and d["moments"][0]["start"] == "0:41:57"  # the burst's first message
    with pytest.raises(WindowError, match="offsets"):
        bundle_window(b, "19:30-20:00")


# --- moments --------------------------------------------------------------------------------


def test_moment_found_with_its_driving_group(window_30):
    d = window_30
    assert d["rate"]["stream_median_per_minute"] == 4
    assert "peaks" not in d and "peak_threshold" not in d["rate"]
    first = d["moments"][0]
    assert first["rank"] == 1 and first["start"].startswith("19:42")
    assert first["messages"] >= 60
    assert first["groups"][0]["topic"] == 1
    assert 1 <= len(first["groups"]) <= 3
    assert first["why"] and "chatters in a minute" in first["why"][0]


def test_moments_only_inside_the_window(bundle):
    d = window_report(bundle, "20:00-20:30")
    lo, hi = d["window"]["start_offset_s"], d["window"]["end_offset_s"]
    for m in d["moments"]:
        assert m["end_offset_s"] >= lo - 60 and m["start_offset_s"] < hi
        assert not m["start"].startswith("19:42")


def test_rate(window_30):
    r = window_30["rate"]
    assert r["chat_per_minute"] == pytest.approx(window_30["totals"]["chat"] / 30, abs=0.01)


# --- outputs --------------------------------------------------------------------------------


def test_text_output(window_30):
    text = render_report_text(window_30)
    lines = text.splitlines()
    assert lines[0].startswith(
        "stream \u00b7 window 19:30-20:00 (2024-05-17 19:30:00 \u2013 20:00:00 UTC)"
    )
    first = next(i for i, line in enumerate(lines) if re.match(r"\s+1\s", line))
    # led by the label (the bundle's keywords when it has none), the representative below
    assert re.match(r"\s+1\s+kekw / lul / insane\s+81\s+35\.7%\s+laughter", lines[first])
    assert "KEKW that was insane" in lines[first + 1]
    assert "kekw / lul / insane" in text
    assert "rate: " in text and "19:42" in text and "moments (" in text


def test_text_shortens_long_representatives(bundle):
    d = window_report(bundle, "19:30-20:00")
    d["groups"][0]["representative"] = "word " * 40
    lines = render_report_text(d).splitlines()
    first = next(i for i, li in enumerate(lines) if li.lstrip().startswith("1 "))
    assert "\u2026" in lines[first + 1]


def test_json_and_csv_rows(window_30):
    from twitchtopics.cli._common import render

    data = json.loads(render(window_30, "json"))
    assert data["window"]["label"] == "19:30-20:00" and data["groups"][0]["rank"] == 1
    rows = list(csv.DictReader(io.StringIO(render(report_rows(window_30), "csv"))))
    assert rows[0]["rank"] == "1" and rows[0]["keywords"] == "kekw / lul / insane"
    assert len(rows) == len(window_30["groups"])


def test_png(tmp_path, window_30):
    d = json.loads(json.dumps(window_30))
    d["groups"][1]["representative"] = EMOJI + " \U0001f602\U0001f602 " + "very long " * 20
    d["groups"][2]["representative"] = "\U0001f602\U0001f602\U0001f602"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = write_png(d, tmp_path / "top.png")
    w, h = _png_size(out)
    assert w > 600 and h > 200 and out.stat().st_size > 5000
    d10 = window_report(load_bundle(make_bundle(tmp_path)), None, top=10)
    _, h_all = _png_size(write_png(d10, tmp_path / "all.png"))
    assert h_all > h  # more groups, taller figure


def test_png_without_groups(tmp_path, bundle):
    d = window_report(bundle, "19:30-20:00")
    d["groups"] = []
    assert _png_size(write_png(d, tmp_path / "empty.png"))[0] > 0


def test_html(tmp_path, bundle, window_30):
    out = write_html(bundle, window_30, tmp_path / "s.html")
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert '<table id="window-table">' in page and "KEKW that was insane" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert XSS not in page and "<script>alert" not in page
    assert "<svg" in page and 'class="win"' in page and 'class="cell"' in page
    assert not re.search(
        r"""(src|href)\s*=\s*["']?(https?:)?//""", page
    )  # offline: nothing external
    assert "cdn" not in page.lower()
    block = re.search(
        r'<script type="application/json" id="tt-timeline">(.*?)</script>', page, re.S
    )
    data = json.loads(block.group(1))
    assert XSS in data["cells"].values() or any(XSS in g["reps"] for g in data["groups"].values())
    assert data["bins"] and data["groups"]["1"]["keywords"][:2] == ["kekw", "lul"]


def test_html_escapes_stream_title(tmp_path):
    b = load_bundle(make_bundle(tmp_path, title="<b>bold</b> & <i>co</i>"))
    page = write_html(b, window_report(b, None), tmp_path / "t.html").read_text(encoding="utf-8")
    assert (
        "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;i&gt;co&lt;/i&gt;" in page and "<b>bold</b>" not in page
    )


def test_html_names_its_emoji_for_browsers_without_an_emoji_font(tmp_path):
    b = load_bundle(make_bundle(tmp_path, title="Speedrun night 🤔 </script>"))
    page = write_html(b, window_report(b, None), tmp_path / "t.html").read_text(encoding="utf-8")
    block = re.search(r'<script type="application/json" id="tt-emoji">(.*?)</script>', page)
    assert block is not None
    names = json.loads(block.group(1))
    assert names["🤔"] == ":thinking face:"  # the title's
    assert names.get("🔥") == ":fire:"  # a chat message's (the factory's rows)
    assert "emojiFallback" in page


def test_categories_have_colours():
    assert set(CATEGORIES) | {"?"} == set(CATEGORY_COLORS)
    assert len(set(CATEGORY_COLORS.values())) == len(CATEGORY_COLORS)
    labels = category_labels()
    assert all(labels.get(c) for c in CATEGORY_COLORS)


# --- CLI ------------------------------------------------------------------------------------


def test_help():
    result = CliRunner().invoke(cli, ["report", "--help"])
    assert result.exit_code == 0
    for needle in (
        "--window",
        "--top",
        "--json",
        "--csv",
        "--png",
        "--html",
        "23:45-00:15",
        "1:10:00-1:40:00",
    ):
        assert needle in result.output


def test_cli_text_json_csv(bundle_dir):
    runner = CliRunner()
    text = runner.invoke(cli, ["report", str(bundle_dir), "--window", "19:30-20:00", "--top", "3"])
    assert text.exit_code == 0, text.output
    assert "KEKW that was insane" in text.output and "moments (" in text.output
    js = runner.invoke(cli, ["report", str(bundle_dir), "-w", "1:10:00-1:40:00", "--json"])
    assert js.exit_code == 0, js.output
    data = json.loads(js.output)
    assert data["window"]["start"] == "2024-05-17 20:10:03"
    cs = runner.invoke(cli, ["report", str(bundle_dir), "--csv", "--top", "2"])
    assert cs.exit_code == 0
    assert cs.output.splitlines()[0].startswith(
        "rank,topic,label,count,share,category,answers,moderation,representative"
    )
    assert len(cs.output.splitlines()) == 3


def test_cli_png_and_html(tmp_path, bundle_dir):
    png, page = tmp_path / "top.png", tmp_path / "s.html"
    result = CliRunner().invoke(
        cli,
        [
            "report",
            str(bundle_dir),
            "--window",
            "19:30-20:00",
            "--png",
            str(png),
            "--html",
            str(page),
        ],
    )
    assert result.exit_code == 0, result.output
    assert _png_size(png)[0] > 0 and "&lt;script&gt;" in page.read_text(encoding="utf-8")


def test_cli_accepts_the_log_path(tmp_path):
    make_bundle(tmp_path, "night")
    log = tmp_path / "night.txt"
    log.write_text("whatever\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["report", str(log), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["stream"]["name"] == "night"


@pytest.mark.parametrize(
    ("window", "needle"),
    [
        (
            "21:00-22:00",
            "Error: window 21:00-22:00 is outside the stream (2024-05-17 19:00:03 \u2013 20:44:51 UTC)",
        ),
        ("1:40:00-1:10:00", "ends before it starts"),
        ("nonsense", "malformed"),
    ],
)
def test_cli_window_errors_are_one_line(bundle_dir, window, needle):
    result = CliRunner().invoke(cli, ["report", str(bundle_dir), "--window", window])
    assert result.exit_code == 1
    assert needle in result.output
    assert result.output.count("\n") == 1


def test_cli_missing_bundle_and_unwritable_output(tmp_path, bundle_dir):
    result = CliRunner().invoke(cli, ["report", str(tmp_path / "nope.twitchtopics")])
    assert result.exit_code == 1 and result.output.startswith("Error: no bundle at")
    result = CliRunner().invoke(
        cli, ["report", str(bundle_dir), "--png", str(tmp_path / "no" / "dir.png")]
    )
    assert result.exit_code == 1 and "cannot write" in result.output


def test_cli_json_and_csv_are_exclusive(bundle_dir):
    result = CliRunner().invoke(cli, ["report", str(bundle_dir), "--json", "--csv"])
    assert result.exit_code == 2


def test_peak_minute_offset_helper():
    assert minute(19, 42) == 42 * 60 - 3


def test_representative_prefers_a_message_with_a_few_characters():
    import pandas as pd

    frame = pd.DataFrame({"text": ["o", "bien joué le boss", "?"], "centrality": [1.0, 0.8, 0.95]})
    assert representatives(frame, k=1) == ["bien joué le boss"]


def test_table_columns_line_up_with_emoji_in_labels():
    """A terminal draws 🤔 two columns wide: the report pads by display width, not len()."""
    from twitchtopics.report.text import column
    from twitchtopics.safe_output import display_width

    assert display_width("Kappa 🤔") == 8 and display_width("Kappa") == 5
    assert display_width("e\u0301") == 1  # a combining accent takes no column
    assert column("Kappa 🤔", 12) == "Kappa 🤔    "
    assert display_width(column("🤔" * 20, 11)) <= 11
    rows = [column(text, 10) + "|" for text in ("Kappa 🤔", "Kappa", "🤔🤔🤔🤔🤔🤔")]
    assert {display_width(row) for row in rows} == {11}


def test_printed_messages_are_the_json_views() -> None:
    """The printout builds its lines from columns read once as lists, `--json` from the
    table's rows: both show the same messages of each group, the same times, no escapes."""
    import numpy as np
    import pandas as pd

    from twitchtopics.report.printout import format_groups, groups_as_json

    rng = np.random.default_rng(4)
    n = 300
    words = ["boss", "musique", "KEKW", "le", "jeu", "génial", "\x1b[31mred"]
    texts = [" ".join(rng.choice(words, size=rng.integers(1, 5))) for _ in range(n)]
    silhouette = rng.random(n)
    silhouette[rng.random(n) < 0.2] = np.nan
    messages = pd.DataFrame(
        {
            "time": pd.date_range("2024-05-17 19:00", periods=n, freq="7s", tz="UTC"),
            "offset_s": np.arange(n) * 7.0,
            "user": [f"u{i % 9}" for i in range(n)],
            "text": texts,
            "kind": ["chat"] * n,
            "topic": rng.integers(-1, 6, size=n),
            "silhouette": silhouette,
            "centrality": rng.random(n),
        }
    )
    topics = [
        {"id": t, "label": f"g{t}", "size": int((messages["topic"] == t).sum()), "keywords": []}
        for t in range(6)
    ]
    meta = {
        "stream": {"tz": "UTC"},
        "params": {"include": ["chat"]},
        "counts": {
            "read": n,
            "considered": n,
            "clustered": 0,
            "outliers": 0,
            "groups": 6,
            "by_kind": {"chat": n},
        },
        "timings": {},
    }
    for top in (2, 5, None):
        printed = format_groups(messages, topics, meta, top=top, scores=True)
        data = groups_as_json(messages, topics, meta, top=top)
        for group in data["groups"]:
            block = printed.split(f"#{group['id']} ")[1].split("\n\n")[0]
            shown = [line for line in block.splitlines() if line.startswith("    20")]
            assert len(shown) == len(group["messages"])
            for line, message in zip(shown, group["messages"], strict=True):
                assert line.startswith(f"    {message['time']} ")
                assert "\x1b" not in line
