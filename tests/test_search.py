"""`search`: vectors kept in the bundle, the query alone embedded, messages/groups/rate, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from tests.conftest import chatlog
from twitchtopics.bundle import CENTROIDS_FILE, TEXT_INDEX_FILE, TEXT_VECTORS_FILE, load_bundle
from twitchtopics.cli import cli
from twitchtopics.errors import BundleError
from twitchtopics.moments.render import sparkline
from twitchtopics.moments.search import same_model, search
from twitchtopics.runs import ClusterOptions, cluster_log


@pytest.fixture(scope="module")
def base_bundle(tmp_path_factory):
    """One clustered bundle for the module (clustering is the slow part), made with the
    hashing embedder of conftest."""
    from tests.conftest import FAKE_EMBEDDER, HashingEmbedder, write_topic_log
    from twitchtopics import registry

    folder = tmp_path_factory.mktemp("search")
    log = write_topic_log(folder / "stream.txt")
    with registry.embedders.temporarily(FAKE_EMBEDDER, HashingEmbedder, default=True):
        options = ClusterOptions(use_cache=False)
        return cluster_log(log, options, out=folder / "s.twitchtopics").path


@pytest.fixture
def searchable(fake_embedder, base_bundle, tmp_path):
    """A fresh copy of the module's bundle (tests may break its files)."""
    import shutil

    return Path(shutil.copytree(base_bundle, tmp_path / base_bundle.name))


def test_bundle_keeps_float16_vectors_per_distinct_text(searchable):
    bundle = load_bundle(searchable)
    vectors = np.load(searchable / TEXT_VECTORS_FILE, allow_pickle=False)
    index = np.load(searchable / TEXT_INDEX_FILE, allow_pickle=False)
    centroids = np.load(searchable / CENTROIDS_FILE, allow_pickle=False)
    assert vectors.dtype == np.float16 and centroids.dtype == np.float16
    assert len(index) == len(bundle.messages) and index.dtype == np.int32
    chat = bundle.messages["kind"].isin(["chat", "action"]).to_numpy()
    assert (index[chat] >= 0).all() and (index[~chat] == -1).all()
    # one vector per distinct normalised text, shared by the messages that hold it
    assert len(vectors) == bundle.messages.loc[chat, "clean"].nunique()
    clean = bundle.messages["clean"].to_numpy()
    for row in np.flatnonzero(chat)[:50]:
        same = np.flatnonzero(index == index[row])
        assert len({clean[r] for r in same}) == 1
    n_topics = int(bundle.messages["topic"].max()) + 1
    assert centroids.shape == (n_topics, vectors.shape[1])
    assert np.allclose(np.linalg.norm(centroids.astype(np.float32), axis=1), 1.0, atol=1e-2)
    info = bundle.meta["vectors"]
    assert info["model"] == "test-hashing-trigrams" and info["texts"] == len(vectors)


def test_search_finds_the_topic_by_its_words(searchable, monkeypatch):
    import twitchtopics.pipeline as pipeline

    def no_clustering(*args, **kwargs):
        raise AssertionError("search must not re-cluster")

    monkeypatch.setattr(pipeline, "compute_grouping", no_clustering)
    bundle = load_bundle(searchable)
    result = search(bundle, "recette de pâtes", top=5)
    assert all("pâtes" in hit["text"] for hit in result["messages"])
    assert result["messages"][0]["score"] >= result["messages"][-1]["score"]
    top_group = result["groups"][0]
    assert any("pâtes" in w for w in top_group["keywords"])
    counts = result["rate"]["counts"]
    assert sum(counts) == result["matches"] > 0
    # the pasta topic is talked about from minute 20 on
    assert sum(counts[:20]) == 0
    assert result["messages"][0]["first"].count(":") == 2  # offsets-only log: H:MM:SS


def test_search_is_deterministic_with_or_without_cache(searchable):
    bundle = load_bundle(searchable)
    a = search(bundle, "centrale nucléaire", use_cache=False)
    b = search(bundle, "centrale nucléaire")
    c = search(bundle, "centrale nucléaire")
    assert a == b == c


def test_bundle_made_with_another_model_says_so(searchable):
    result = CliRunner().invoke(cli, ["search", str(searchable), "pâtes", "--model", "static"])
    assert result.exit_code == 1
    assert (
        result.output.count("\n") == 1
        and "made with model 'test-hashing-trigrams'" in result.output
    )


def test_other_version_of_the_model_is_refused(searchable, fake_embedder):
    fake_embedder.fingerprint = "hashing:v1"
    bundle = load_bundle(searchable)
    bundle.meta["vectors"]["fingerprint"] = "something-else:v9"
    with pytest.raises(BundleError, match="another version of model"):
        search(bundle, "pâtes")
    assert same_model("minilm:x:bf16", "minilm:x") and not same_model("a:v1", "a:v2")


def test_old_bundle_without_vectors(searchable):
    (searchable / TEXT_VECTORS_FILE).unlink()
    result = CliRunner().invoke(cli, ["search", str(searchable), "pâtes"])
    assert result.exit_code == 1 and "keeps no message vectors" in result.output
    assert "Traceback" not in result.output


def test_pickled_array_is_refused(searchable):
    np.save(searchable / TEXT_VECTORS_FILE, np.array([{"x": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(BundleError, match="could not be read"):
        search(load_bundle(searchable), "pâtes")


def test_cli_text_json_html(searchable, tmp_path):
    runner = CliRunner()
    text = runner.invoke(cli, ["search", str(searchable), "pâtes au pesto", "--top", "3"])
    assert text.exit_code == 0, text.output
    lines = text.output.splitlines()
    assert lines[0].startswith("\u201cpâtes au pesto\u201d in s")
    assert lines[1].startswith("rate  0:00 ") and "messages" in lines
    js = json.loads(runner.invoke(cli, ["search", str(searchable), "pâtes", "--json"]).output)
    assert set(js) >= {"messages", "groups", "rate", "query", "model"}
    page = tmp_path / "q.html"
    query = "<script>alert(1)</script> pâtes"
    out = runner.invoke(cli, ["search", str(searchable), query, "--html", str(page)])
    assert out.exit_code == 0, out.output
    html = page.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html and "<svg" in html
    for bad in ([str(searchable), ""], [str(searchable), "a", "b"], [str(searchable)]):
        result = runner.invoke(cli, ["search", *bad])
        assert result.exit_code in (1, 2) and "Traceback" not in result.output


def test_sparkline():
    assert sparkline([0, 1, 2, 4]) == " \u2582\u2584\u2588"
    assert sparkline([0, 0]) == "  "


@pytest.mark.slow
def test_real_log_query_is_on_topic(tmp_path):
    """On the Fall Guys stream, chat discussed microphones (SM7B, AT2020, Wave 3...) twice. The
    answer was labelled by reading the log: a message is about microphones when it names a
    mic, a mic brand or model, or mic gear. At least 8 of the top 10 must be."""
    log = chatlog("en_twitch_api_v5_1087079172.json")
    result = cluster_log(log, ClusterOptions(), out=tmp_path / "nl.twitchtopics")
    bundle = load_bundle(result.path)
    found = search(bundle, "which microphone should I buy", top=10)
    mic_words = (
        "mic", "microphone", "sm7b", "at2020", "yeti", "wave 3", "wave3", "rode", "shure",
        "xlr", "quadcast", "modmic", "compressor", "elgato", "re-20",
    )  # fmt: skip
    on_topic = [h for h in found["messages"] if any(w in h["text"].lower() for w in mic_words)]
    assert len(on_topic) >= 8, [h["text"] for h in found["messages"]]
    top_groups = [w for g in found["groups"][:3] for w in g["keywords"]]
    assert {"at2020", "sm7b"} & {w.lower() for w in top_groups}


def test_groups_rank_by_their_best_texts_not_their_centroid():
    """A group where three texts are on the query beside much other talk outranks a group of
    middling texts; a group of one repeated on-query text counts that text alone."""
    from twitchtopics.moments.search import group_scores

    text_sims = np.array([0.9, 0.8, 0.7, 0.1, 0.1, 0.1, 0.1, 0.5, 0.5, 0.6])
    topics = np.array([0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 2, -1])
    text_index = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 0])
    scores, matches = group_scores(topics, text_index, text_sims, threshold=0.55)
    assert scores[0] == pytest.approx(0.8)  # 0.9, 0.8, 0.7: the four 0.1s do not count
    assert scores[1] == pytest.approx(0.5) and scores[2] == pytest.approx(0.6)
    assert matches == {0: 3, 1: 0, 2: 3}  # messages, not texts; the outlier is no group's
