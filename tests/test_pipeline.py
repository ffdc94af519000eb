import numpy as np
import pytest

from tests.conftest import chatlog
from twitchtopics.bundle import load_bundle
from twitchtopics.errors import TwitchTopicsError
from twitchtopics.runs import ClusterOptions, cluster_log


def run(path, tmp_path, **options):
    opts = ClusterOptions(use_cache=False, **options)
    return cluster_log(path, opts, out=tmp_path / "out.twitchtopics")


def test_every_message_read_is_in_the_bundle(fake_embedder, topic_log, tmp_path):
    result = run(topic_log, tmp_path)
    bundle = load_bundle(result.path)
    n_lines = len(topic_log.read_text().splitlines())
    assert len(bundle.messages) == n_lines
    assert sorted(bundle.messages["index"]) == list(range(n_lines))
    assert "NA" in set(bundle.messages["text"])
    kinds = dict(zip(bundle.messages["text"], bundle.messages["kind"], strict=True))
    assert kinds["!drop"] == "command"
    # commands and bots are kept but not clustered
    assert (bundle.messages.loc[bundle.messages["kind"] != "chat", "topic"] == -1).all()


def test_topics_found_and_described(fake_embedder, topic_log, tmp_path):
    result = run(topic_log, tmp_path)
    assert len(result.topics) >= 3
    ids = [t["id"] for t in result.topics]
    assert ids == sorted(ids)
    firsts = [t["first_offset_s"] for t in result.topics]
    assert firsts == sorted(firsts)  # ids in order of first appearance
    words = {w for t in result.topics for w, _ in t["keywords"]}
    assert {"pâtes", "nucléaire"} <= words
    for topic in result.topics:
        assert topic["category"]
        assert topic["representatives"]
        assert topic["size"] == int((result.messages["topic"] == topic["id"]).sum())
    clustered = result.messages[result.messages["topic"] >= 0]
    assert clustered["silhouette"].notna().all()
    assert result.messages.loc[result.messages["topic"] < 0, "silhouette"].isna().all()


def test_moments_nest_in_themes(fake_embedder, topic_log, tmp_path):
    """A slow topic (2.4 messages a minute for 16 minutes) may come out as several moments;
    one theme gathers them (never across topics), and the bundle says so at both levels."""
    result = run(topic_log, tmp_path)
    bundle = load_bundle(result.path)
    chat = bundle.messages[bundle.messages["topic"] >= 0]
    pasta = chat[chat["clean"].str.contains("pâtes")]
    nuclear = chat[chat["clean"].str.contains("nucléaire")]
    assert pasta["theme"].nunique() == 1 <= pasta["topic"].nunique()
    assert set(pasta["theme"]).isdisjoint(set(nuclear["theme"]))
    themes = {t["id"]: t for t in bundle.themes}
    for topic in bundle.topics:
        theme = themes[topic["theme"]]
        assert topic["id"] in theme["topics"]
        assert (chat.loc[chat["topic"] == topic["id"], "theme"] == topic["theme"]).all()
    for theme in bundle.themes:
        members = chat[chat["theme"] == theme["id"]]
        assert (
            theme["size"]
            == len(members)
            == sum(t["size"] for t in bundle.topics if t["theme"] == theme["id"])
        )
        assert theme["first_offset_s"] == members["offset_s"].min()
        assert theme["label"] and theme["keywords"]
    assert (bundle.messages.loc[bundle.messages["topic"] < 0, "theme"] == -1).all()


def test_time_splits_the_same_words(fake_embedder, tmp_path):
    lines = [f"[0:{m:02d}:00] u{m}: le nucléaire c'est l'avenir" for m in range(0, 20)]
    lines += [f"[1:{m:02d}:00] v{m}: le nucléaire c'est l'avenir" for m in range(30, 50)]
    path = tmp_path / "two.txt"
    path.write_text("\n".join(lines) + "\n")
    with_time = run(path, tmp_path, min_cluster_size=5, time_scale=600)
    assert with_time.messages["topic"].nunique() == 2
    assert set(with_time.messages["topic"][:20]).isdisjoint(set(with_time.messages["topic"][20:]))
    text_only = run(path, tmp_path, min_cluster_size=5, time_scale=None)
    assert text_only.messages["topic"].nunique() == 1


def test_same_seed_same_output(fake_embedder, topic_log, tmp_path):
    a = run(topic_log, tmp_path, seed=5)
    b = run(topic_log, tmp_path, seed=5)
    assert np.array_equal(a.messages["topic"], b.messages["topic"])
    assert a.topics == b.topics


def test_meta_records_everything(fake_embedder, topic_log, tmp_path):
    meta = load_bundle(run(topic_log, tmp_path).path).meta
    assert meta["input"]["format"]
    assert len(meta["input"]["sha256"]) == 64
    assert meta["params"]["time_scale"] == "auto"
    assert meta["params"]["time_scale_used"] > 0
    assert meta["model"] == "test-hashing-trigrams"
    assert {"read", "embed", "text features", "reduce", "cluster", "keywords", "silhouette"} <= set(
        meta["timings"]
    )
    counts = meta["counts"]
    assert counts["read"] == counts["considered"] + counts["by_kind"].get("command", 0) + counts[
        "by_kind"
    ].get("bot", 0)
    assert counts["clustered"] + counts["outliers"] == counts["considered"]


def test_fewer_messages_than_min_cluster_size(fake_embedder, tmp_path):
    path = tmp_path / "tiny.txt"
    path.write_text("[0:00:01] a: salut\n[0:00:02] b: yo\n")
    with pytest.raises(TwitchTopicsError, match="fewer than --min-cluster-size"):
        run(path, tmp_path, min_cluster_size=5)


def test_nothing_to_cluster(fake_embedder, tmp_path):
    path = tmp_path / "cmds.txt"
    path.write_text("[0:00:01] a: !drop\n[0:00:02] b: !uptime\n")
    with pytest.raises(TwitchTopicsError, match="no message of kind"):
        run(path, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        "fr_twitchdownloader_relative_1699408450.txt",
        "fr_csv_samueletienne.csv",
        "en_twitch_api_v5_1087079172.json",
    ],
)
def test_real_logs_with_the_real_model(name, tmp_path):
    path = chatlog(name)
    result = cluster_log(path, ClusterOptions(), out=tmp_path / "real.twitchtopics")
    bundle = load_bundle(result.path)
    assert len(bundle.messages) == bundle.meta["counts"]["read"]
    assert bundle.meta["counts"]["groups"] >= 2
    # a packaged model (the default, static since issue 17), not one of conftest's fakes
    assert bundle.meta["model"] in ("static-minilm", "all-MiniLM-L6-v2")
