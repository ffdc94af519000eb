"""`twitchtopics export --bertopic`: BERTopic.load on the folder shows the same groups."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from twitchtopics.errors import BundleError


@pytest.fixture
def bundle_path(fake_embedder, topic_log, tmp_path):
    from twitchtopics import ChatTopics, read_log

    model = ChatTopics(min_cluster_size=10, use_cache=False).fit(read_log(topic_log))
    return model.save(tmp_path / "stream.twitchtopics")


def test_bertopic_load_shows_the_same_topics_and_keywords(bundle_path, tmp_path):
    bertopic = pytest.importorskip("bertopic")
    from twitchtopics.bundle import load_bundle
    from twitchtopics.cli import cli

    out = tmp_path / "bt"
    result = CliRunner().invoke(cli, ["export", str(bundle_path), "--bertopic", str(out)])
    assert result.exit_code == 0, result.output
    for name in (
        "config.json",
        "topics.json",
        "topic_embeddings.safetensors",
        "ctfidf.safetensors",
        "ctfidf_config.json",
    ):
        assert (out / name).is_file()

    bundle = load_bundle(bundle_path)
    model = bertopic.BERTopic.load(str(out))
    info = model.get_topic_info()
    clustered = bundle.messages[bundle.messages["kind"].isin(["chat", "action"])]
    expected = clustered["topic"].value_counts().sort_index()
    assert info["Topic"].tolist() == expected.index.tolist()
    assert info["Count"].tolist() == expected.tolist()
    for topic in bundle.topics:
        words = model.get_topic(topic["id"])
        assert [w for w, _ in words] == [w for w, _ in topic["keywords"]]
        np.testing.assert_allclose([s for _, s in words], [s for _, s in topic["keywords"]])
        row = info[info["Topic"] == topic["id"]].iloc[0]
        assert row["Representation"] == [w for w, _ in topic["keywords"]]
    ids = sorted(t["id"] for t in bundle.topics)
    offset = 1 if -1 in expected.index else 0
    np.testing.assert_allclose(
        model.topic_embeddings_[offset:], bundle.array("centroids.npy"), atol=1e-6
    )
    assert model.c_tf_idf_.shape[0] == len(ids) + offset
    assert len(model.topics_) == len(clustered)
    figure = model.visualize_barchart(top_n_topics=len(ids))
    shown = {w.strip() for trace in figure.data for w in trace.y}
    assert shown >= {w for w, _ in bundle.topics[0]["keywords"][:5]}


def test_export_refuses_a_foreign_folder_and_old_bundles(bundle_path, tmp_path):
    from twitchtopics.report.bertopic_export import export_bertopic

    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    with pytest.raises(BundleError, match="not a BERTopic export"):
        export_bertopic(bundle_path, foreign)
    assert (foreign / "notes.txt").read_text() == "keep me"
    again = export_bertopic(bundle_path, tmp_path / "bt")
    assert export_bertopic(bundle_path, again) == again  # an earlier export is replaced
    (bundle_path / "centroids.npy").unlink()
    with pytest.raises(BundleError, match="no centroids.npy"):
        export_bertopic(bundle_path, tmp_path / "bt2")


def test_export_without_a_target_is_one_line(bundle_path):
    from twitchtopics.cli import cli

    result = CliRunner().invoke(cli, ["export", str(bundle_path)])
    assert result.exit_code == 1 and "--bertopic" in result.stderr


def test_exported_topics_json_is_plain_json(bundle_path, tmp_path):
    from twitchtopics.report.bertopic_export import export_bertopic

    out = export_bertopic(bundle_path, tmp_path / "bt")
    topics = json.loads((out / "topics.json").read_text(encoding="utf-8"))
    assert set(topics["topic_sizes"]) == set(topics["topic_representations"])
    assert sum(topics["topic_sizes"].values()) == len(topics["topics"])
