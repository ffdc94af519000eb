"""`twitchtopics season`: streams clustered into distinct bundles, themes linked, reruns,
failures, the season report; fast (the hashing embedder, no real model)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from twitchtopics.cli import cli
from twitchtopics.pipeline import ClusterOptions
from twitchtopics.season import SEASON_FILE, run_season
from twitchtopics.season.linking import link_units

PASTA = ["les pâtes carbonara", "recette des pâtes", "pâtes au pesto", "des pâtes ce soir"]
NUKE = ["le nucléaire c'est l'avenir", "centrale nucléaire", "nucléaire ou éolien"]
CATS = ["mon chat dort", "les chats noirs", "un chaton mignon", "le chat du voisin"]
FOOT = ["le match de foot", "quel but incroyable", "arbitre nul ce soir", "penalty pour nous"]
LAUGH = ["mdr", "ptdr", "MDR", "xD"]


def write_stream(path: Path, blocks: list[list[str]], *, seed: int = 1) -> Path:
    """A TwitchDownloader text log: one block of 40 messages every 20 minutes."""
    rng = random.Random(seed)
    lines = []
    for b, texts in enumerate(blocks):
        for i in range(40):
            second = b * 1200 + i * 25
            h, m, s = second // 3600, second % 3600 // 60, second % 60
            lines.append(f"[{h}:{m:02d}:{s:02d}] viewer{rng.randrange(30)}: {rng.choice(texts)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def options(**kw) -> ClusterOptions:
    return ClusterOptions(model="hashing", use_cache=False, **kw)


@pytest.fixture
def season_logs(tmp_path) -> list[Path]:
    return [
        write_stream(tmp_path / "a" / "chat.txt", [PASTA, LAUGH, NUKE], seed=1),
        write_stream(tmp_path / "b" / "chat.txt", [NUKE, PASTA, LAUGH], seed=2),
        write_stream(tmp_path / "c.txt", [CATS, FOOT], seed=3),
    ]


def theme_streams(season: dict, word: str) -> set[str]:
    """Bundles of the season themes whose keywords hold `word`."""
    found = set()
    for theme in season["themes"]:
        if any(w == word for w, _ in theme["keywords"]):
            found.update(e["bundle"] for e in theme["streams"])
    return found


def test_season_links_recurring_themes_and_keeps_streams_apart(season_logs, tmp_path):
    run = run_season(season_logs, tmp_path / "out", options(), in_process=True, quiet=True)
    season = json.loads((tmp_path / "out" / SEASON_FILE).read_text())
    bundles = [s["bundle"] for s in season["streams"]]
    assert sorted(bundles) == ["a-chat.twitchtopics", "b-chat.twitchtopics", "c.twitchtopics"]
    for name in bundles:
        assert (tmp_path / "out" / name / "centroids.npy").is_file()
    assert theme_streams(season, "pâtes") == {"a-chat.twitchtopics", "b-chat.twitchtopics"}
    assert theme_streams(season, "nucléaire") == {"a-chat.twitchtopics", "b-chat.twitchtopics"}
    assert "c.twitchtopics" not in theme_streams(season, "pâtes")
    laughs = [t for t in season["themes"] if t["category"] == "laughter"]
    assert laughs and laughs[0]["n_streams"] == 2  # linked by text
    assert season["themes"][0]["n_streams"] == 2  # most streams first
    for theme in season["themes"]:
        for entry in theme["streams"]:
            assert 0 < entry["share"] <= 1 and entry["topics"]
    # every clustered message of every stream is in exactly one season theme
    for s, stream in enumerate(season["streams"]):
        total = sum(
            e["messages"] for t in season["themes"] for e in t["streams"] if e["stream"] == s
        )
        assert total == stream["clustered"] <= stream["chat"]
    assert run.failed == []


def test_rerun_skips_up_to_date_bundles_and_redoes_changed_ones(season_logs, tmp_path):
    out = tmp_path / "out"
    first = run_season(season_logs, out, options(), in_process=True, quiet=True)
    assert {r["status"] for r in first.records} == {"clustered"}
    text = (out / SEASON_FILE).read_text()
    second = run_season(season_logs, out, options(), in_process=True, quiet=True)
    assert {r["status"] for r in second.records} == {"up to date"}
    assert (out / SEASON_FILE).read_text() == text
    write_stream(season_logs[2], [CATS, FOOT, CATS], seed=4)
    third = run_season(season_logs, out, options(), in_process=True, quiet=True)
    assert [r["status"] for r in third.records] == ["up to date", "up to date", "clustered"]
    fourth = run_season(season_logs, out, options(seed=7), in_process=True, quiet=True)
    assert {r["status"] for r in fourth.records} == {"clustered"}


def test_one_failing_stream_is_reported_and_the_others_complete(season_logs, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    logs = [*season_logs, empty, tmp_path / "missing.txt"]
    result = CliRunner().invoke(
        cli,
        [
            "season",
            *map(str, logs),
            "--out",
            str(tmp_path / "out"),
            "--model",
            "hashing",
            "--no-cache",
            "--jobs",
            "1",
            "--quiet",
        ],
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "failed: " in result.stderr and "missing.txt" in result.stderr
    assert "2 of 5 streams failed" in result.stderr
    season = json.loads((tmp_path / "out" / SEASON_FILE).read_text())
    assert len(season["streams"]) == 3
    assert sorted(f["bundle"] for f in season["failed"]) == [
        "empty.twitchtopics",
        "missing.twitchtopics",
    ]
    assert all(f["reason"] for f in season["failed"])


def test_no_stream_clustered_is_one_line(tmp_path):
    result = CliRunner().invoke(
        cli, ["season", str(tmp_path / "nope.txt"), "--out", str(tmp_path / "o"), "-q"]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Error:") and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("how", ["not installed", "broken"])
def test_scheduler_without_dask_names_the_extra(how, season_logs, tmp_path, monkeypatch):
    import sys

    from twitchtopics import extras

    if how == "not installed":
        monkeypatch.setattr(extras, "_find", lambda module: None)
    else:
        monkeypatch.setitem(sys.modules, "dask.distributed", None)
    result = CliRunner().invoke(
        cli,
        [
            "season",
            str(season_logs[0]),
            "--out",
            str(tmp_path / "o"),
            "-q",
            "--scheduler",
            "tcp://127.0.0.1:1",
        ],
    )
    assert result.exit_code == 1
    assert "twitchtopics[distributed]" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unreachable_scheduler_is_one_line(season_logs, tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "tcp://127.0.0.1:9")
    monkeypatch.setattr("twitchtopics.season.runners.CONNECT_TIMEOUT_S", 2)
    result = CliRunner().invoke(
        cli, ["season", str(season_logs[0]), "--out", str(tmp_path / "o"), "-q"]
    )
    assert result.exit_code == 1
    assert "Dask scheduler at tcp://127.0.0.1:9" in result.stderr


def test_dask_cluster_gives_the_same_season_as_local_processes(season_logs, tmp_path):
    distributed = pytest.importorskip("distributed")
    local = run_season(season_logs, tmp_path / "local", options(), jobs=2, quiet=True)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        remote = run_season(
            season_logs, tmp_path / "dask", options(), scheduler=cluster, quiet=True
        )
    assert [r["status"] for r in remote.records] == ["clustered"] * 3
    assert (tmp_path / "dask" / SEASON_FILE).read_bytes() == local.path.read_bytes()


def test_season_report_text_json_html_png(season_logs, tmp_path, monkeypatch):
    out = tmp_path / "out"
    logs = [*season_logs, write_stream(tmp_path / "x.txt", [["<script>alert(1)</script> mdr"] * 4])]
    run_season(logs, out, options(), in_process=True, quiet=True)
    runner = CliRunner()
    text = runner.invoke(cli, ["report", str(out)])
    assert text.exit_code == 0, text.output
    assert "recurring themes" in text.stdout and "2/4 streams" in text.stdout
    data = json.loads(runner.invoke(cli, ["report", str(out), "--json"]).stdout)
    assert data["recurring"][0]["n_streams"] == 2
    assert len(data["streams"]) == 4
    html, png = tmp_path / "s.html", tmp_path / "s.png"
    result = runner.invoke(cli, ["report", str(out), "--html", str(html), "--png", str(png)])
    assert result.exit_code == 0, result.output
    page = html.read_text()
    assert "<script>alert" not in page and 'data-k="0:' in page
    assert '"busiest":[["0:' in page  # each moment's busiest minutes, in VOD time
    assert png.read_bytes()[:4] == b"\x89PNG"
    window = runner.invoke(cli, ["report", str(out), "--window", "0:10-0:20"])
    assert window.exit_code == 2 and "one stream" in window.output
    monkeypatch.chdir(out)  # inside the season folder, `report` alone is the season's
    assert runner.invoke(cli, ["report"]).stdout == text.stdout


def test_same_name_logs_get_distinct_bundles_in_a_season(tmp_path):
    logs = [write_stream(tmp_path / d / "x.txt", [PASTA, NUKE], seed=i) for i, d in enumerate("pq")]
    run = run_season(logs, tmp_path / "out", options(), in_process=True, quiet=True)
    assert sorted(s["bundle"] for s in run.season["streams"]) == [
        "p-x.twitchtopics",
        "q-x.twitchtopics",
    ]


def test_text_links_only_textual_units_and_never_inside_a_themed_stream():
    stream_of = np.array([0, 1, 1, 2])
    texts = [[["mdr", 8], ["ptdr", 2]], [["mdr", 5], ["xd", 5]], [["mdr", 9]], [["mdr", 9]]]
    cats = ["laughter", "laughter", "laughter", "discussion"]
    groups = link_units(stream_of, None, texts, cats, same_stream=False)
    assert groups[0] == groups[1] == groups[2]  # 0.5 and 0.8 overlaps
    assert groups[3] != groups[0]  # a discussion is linked by meaning only
    alone = link_units(np.array([0, 0]), None, texts[:2], cats[:2], same_stream=False)
    assert alone[0] != alone[1]


def test_meaning_links_are_centred_and_mutual():
    rng = np.random.default_rng(0)
    common = rng.normal(size=32)
    a, b = rng.normal(size=32), rng.normal(size=32)
    rows = [
        common * 3 + a,
        common * 3 + a + 0.1 * rng.normal(size=32),
        common * 3 + b,
        common * 3 - a,
    ]
    centroids = np.array([r / np.linalg.norm(r) for r in rows], dtype=np.float32)
    # raw cosines are all high (the shared direction); centred, only 0 and 1 agree
    assert (centroids @ centroids.T).min() > 0.5
    groups = link_units(np.array([0, 1, 2, 3]), centroids, [[]] * 4, [None] * 4, same_stream=False)
    assert groups[0] == groups[1] and len(set(groups.tolist())) == 3


def test_a_streams_own_look_does_not_glue_its_groups():
    """Six groups of one stream share a strong offset (its language): centred on the stream's
    own mean they stay apart, and each still finds its twin in the other stream."""
    rng = np.random.default_rng(1)
    topics = rng.normal(size=(6, 48))
    accent = rng.normal(size=48) * 4
    rows = np.vstack([topics + accent, topics + 0.2 * rng.normal(size=(6, 48))])
    centroids = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
    stream_of = np.array([0] * 6 + [1] * 6)
    groups = link_units(stream_of, centroids, [[]] * 12, [None] * 12, same_stream=True)
    assert len(set(groups[:6].tolist())) == 6
    assert (groups[:6] == groups[6:]).all()


def test_a_unit_close_to_two_different_units_of_one_stream_joins_only_one():
    """A generic unit of stream 0 is near two units of stream 1 that differ from each other:
    the average over the group (pairs inside stream 1 included) keeps it from gathering both."""
    from twitchtopics.season.linking import MEANING_THRESHOLD, centred

    basis = np.eye(80, dtype=np.float32)
    rows = [basis[0] + basis[1]] + [basis[10 + k] for k in range(29)]  # stream 0: the hub
    rows += [basis[0] + 0.1 * basis[2], basis[1] + 0.1 * basis[3]]  # stream 1: two of its halves
    rows += [basis[40 + k] for k in range(28)]
    centroids = np.array([r / np.linalg.norm(r) for r in rows], dtype=np.float32)
    stream_of = np.array([0] * 30 + [1] * 30)
    x = centred(centroids, stream_of)
    assert x[0] @ x[30] >= MEANING_THRESHOLD and x[0] @ x[31] >= MEANING_THRESHOLD
    assert x[30] @ x[31] < 0.1  # stream 1 keeps them apart
    groups = link_units(stream_of, centroids, [[]] * 60, [None] * 60, same_stream=False)
    assert (groups[0] == groups[30]) != (groups[0] == groups[31])  # one of them, not both


def test_the_largest_log_is_started_first(tmp_path):
    from twitchtopics.season.runners import largest_first

    sizes = {"a": 10, "b": 300, "c": 10, "d": 50}
    logs = []
    for name, size in sizes.items():
        (tmp_path / name).write_text("x" * size)
        logs.append(str(tmp_path / name))
    logs.append(str(tmp_path / "missing"))
    assert largest_first(logs) == [1, 3, 0, 2, 4]


def test_a_bundle_from_other_grouping_rules_is_clustered_again(season_logs, tmp_path, monkeypatch):
    """Grouping changes bump GROUPING_VERSION, not the tool version: a season rerun after one
    must not keep the bundles the old rules made."""
    import twitchtopics.cache.groupings as groupings

    out = tmp_path / "out"
    run_season(season_logs[:1], out, options(), in_process=True, quiet=True)
    again = run_season(season_logs[:1], out, options(), in_process=True, quiet=True)
    assert again.records[0]["status"] == "up to date"
    monkeypatch.setattr(groupings, "GROUPING_VERSION", groupings.GROUPING_VERSION + "-next")
    changed = run_season(season_logs[:1], out, options(), in_process=True, quiet=True)
    assert changed.records[0]["status"] == "clustered"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc settings")
def test_a_dask_workers_malloc_trim_threshold_is_undone():
    """Dask's nanny sets MALLOC_TRIM_THRESHOLD_=65536 in its workers, which made the layout
    2.6x slower there; a stream's run sets glibc's thresholds back (and touches nothing in a
    process without that variable)."""
    code = "from twitchtopics.workers import reuse_freed_memory; print(reuse_freed_memory())"
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_TRIM_THRESHOLD_"}
    plain = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert plain.stdout.strip() == "False", plain.stderr
    dask_like = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "MALLOC_TRIM_THRESHOLD_": "65536"},
        capture_output=True,
        text=True,
    )
    assert dask_like.stdout.strip() == "True", dask_like.stderr
