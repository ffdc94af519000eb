"""`report --level`: moments or themes, the default by window length, old bundles."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.bundle_factory import make_bundle
from twitchtopics.bundle import load_bundle
from twitchtopics.bundle_view import bundle_window, stream_clock
from twitchtopics.cli import cli
from twitchtopics.report.levels import MOMENTS_MAX_WINDOW_S, default_level, theme_view
from twitchtopics.report.window import window_report
from twitchtopics.runs import ClusterOptions, cluster_log


@pytest.fixture
def themed_bundle(fake_embedder, topic_log, tmp_path):
    result = cluster_log(
        topic_log, ClusterOptions(use_cache=False), out=tmp_path / "stream.twitchtopics"
    )
    return load_bundle(result.path)


def test_theme_view_ranks_themes(themed_bundle):
    view = theme_view(themed_bundle)
    assert [t["id"] for t in view.topics] == [t["id"] for t in themed_bundle.themes]
    assert (view.messages["topic"] == themed_bundle.messages["theme"]).all()
    data = window_report(view, None, top=50)
    sizes = {t["id"]: t["size"] for t in themed_bundle.themes}
    for group in data["groups"]:
        assert group["count"] == sizes[group["topic"]]
        assert group["category"] != "?"


def test_default_level_follows_the_window_length(themed_bundle):
    duration = stream_clock(themed_bundle)[1]
    assert duration > MOMENTS_MAX_WINDOW_S  # the test log lasts an hour
    whole = bundle_window(themed_bundle, None)
    short = bundle_window(themed_bundle, "0:10:00-0:20:00")
    assert default_level(themed_bundle, whole, duration) == "themes"
    assert default_level(themed_bundle, short, duration) == "moments"


def test_report_level_option(themed_bundle, tmp_path):
    runner = CliRunner()
    path = str(themed_bundle.path)
    moments = runner.invoke(cli, ["report", path, "--json", "--level", "moments"])
    themes = runner.invoke(cli, ["report", path, "--json", "--level", "themes"])
    assert moments.exit_code == 0 and themes.exit_code == 0, moments.output + themes.output
    assert json.loads(moments.output)["level"] == "moments"
    assert json.loads(themes.output)["level"] == "themes"
    page = tmp_path / "page.html"
    html = runner.invoke(cli, ["report", path, "--html", str(page), "--window", "0:10:00-0:20:00"])
    assert html.exit_code == 0, html.output
    text = page.read_text(encoding="utf-8")
    assert 'id="fold"' in text and 'id="timeline-alt"' in text


def test_old_bundles_have_moments_only(tmp_path):
    path = make_bundle(tmp_path)
    bundle = load_bundle(path)
    assert bundle.themes == []
    assert theme_view(bundle) is bundle
    runner = CliRunner()
    ok = runner.invoke(cli, ["report", str(path), "--json"])
    assert ok.exit_code == 0 and json.loads(ok.output)["level"] == "moments"
    refused = runner.invoke(cli, ["report", str(path), "--level", "themes"])
    assert refused.exit_code == 1
    assert "no themes" in refused.output
