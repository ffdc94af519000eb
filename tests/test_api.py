"""The Python API: ChatTopics on DataFrames and logs, custom components, the same bundle as
the CLI, option validation, and the lazy package namespace."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from tests.conftest import REPO, HashingEmbedder
from twitchtopics import registry
from twitchtopics.errors import OptionError, TwitchTopicsError


class WordEmbedder:
    """A user's own embedder, as small as the protocol allows: a name and encode()."""

    name = "my-word-embedder"

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts):
        self.calls += 1
        vocabulary = ["pâtes", "nucléaire", "bonsoir", "salut", "recette", "centrale"]
        out = np.zeros((len(texts), len(vocabulary) + 1), dtype=np.float32)
        for row, text in enumerate(texts):
            for col, word in enumerate(vocabulary):
                out[row, col] = float(word in text.lower())
            out[row, -1] = 0.1
        return out / np.linalg.norm(out, axis=1, keepdims=True)


class FirstWordClusterer:
    """A user's own clusterer: scikit-learn's fit(X) + labels_ protocol, no fit_predict."""

    def fit(self, X):
        text = X[:, :-1]  # the last column is time
        self.labels_ = np.argmax(text[:, :-1], axis=1)
        return self


def chat_frame() -> pd.DataFrame:
    """A plain table of chat, as a notebook user would build it."""
    start = pd.Timestamp("2024-05-17 19:00:00", tz="UTC")
    rows = []
    for minute, texts in ((0, ["bonsoir le chat", "salut à tous"]), (20, ["les pâtes", "recette"])):
        for i in range(30):
            rows.append(
                {
                    "timestamp": start + pd.Timedelta(minutes=minute, seconds=20 * i),
                    "author": f"viewer{i % 7}",
                    "message": texts[i % 2],
                }
            )
    rows.append({"timestamp": start, "author": "Nightbot", "message": "follow the channel"})
    return pd.DataFrame(rows)


def test_notebook_fit_on_a_dataframe_with_custom_objects(tmp_path):
    from twitchtopics import ChatTopics, load_bundle

    embedder = WordEmbedder()
    model = ChatTopics(
        embedder=embedder, clusterer=FirstWordClusterer(), time_scale=600, use_cache=False
    )
    model.fit(chat_frame())

    assert embedder.calls >= 1
    messages = model.messages_
    assert len(messages) == 61 and (messages.loc[messages["kind"] == "bot", "topic"] == -1).all()
    info = model.topic_info()
    assert list(info.columns[:3]) == ["Topic", "Count", "Name"]
    assert info["Count"].sum() == (messages["topic"] >= 0).sum() == 60
    greetings = messages.loc[messages["text"] == "bonsoir le chat", "topic"].unique()
    food = messages.loc[messages["text"] == "les pâtes", "topic"].unique()
    assert len(greetings) == 1 and len(food) == 1 and greetings[0] != food[0]
    assert "pâtes" in [w for w, _ in model.get_topic(int(food[0]))]
    assert set(model.topics_["id"]) == set(info["Topic"])
    assert model.meta_["model"] == "my-word-embedder"
    assert model.meta_["params"]["method"] == "FirstWordClusterer"
    assert model.meta_["input"]["format"] == "dataframe"
    assert len(model.meta_["input"]["sha256"]) == 64
    assert model.centroids_.shape == (len(info), 7)

    path = model.save(tmp_path / "notebook.twitchtopics")
    bundle = load_bundle(path)
    assert bundle.topics == json.loads(json.dumps(model.topic_list_))
    centroids = load_bundle(path).array("centroids.npy")
    assert centroids.shape == (len(info), 7)
    np.testing.assert_allclose(centroids, model.centroids_, atol=1e-3)


def test_fit_on_a_messages_table_and_on_the_log_agree(fake_embedder, topic_log):
    from twitchtopics import ChatTopics, read_log

    log = read_log(topic_log)
    on_log = ChatTopics(min_cluster_size=10, use_cache=False).fit(log)
    on_table = ChatTopics(min_cluster_size=10, use_cache=False).fit(log.messages)
    assert np.array_equal(on_log.labels_, on_table.labels_)
    assert on_log.topic_list_ == on_table.topic_list_


def test_reducer_and_fit_predict_estimator(fake_embedder, topic_log):
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA

    from twitchtopics import ChatTopics, read_log

    model = ChatTopics(
        clusterer=KMeans(n_clusters=3, n_init=3, random_state=0),
        reducer=PCA(n_components=4, random_state=0),
        time_scale=None,
        use_cache=False,
    )
    labels = model.fit_transform(read_log(topic_log))
    assert set(labels[labels >= 0]) == {0, 1, 2}
    assert model.meta_["params"]["time_scale_used"] is None


def test_cli_and_library_write_the_same_bundle(fake_embedder, topic_log, tmp_path):
    from twitchtopics import ChatTopics, load_bundle, read_log
    from twitchtopics.cli import cli

    library = ChatTopics(min_cluster_size=10, random_state=7, use_cache=False, time_scale=300)
    library.fit(read_log(topic_log)).save(tmp_path / "lib.twitchtopics")
    result = CliRunner().invoke(
        cli,
        [
            "cluster",
            str(topic_log),
            "--min-cluster-size",
            "10",
            "--seed",
            "7",
            "--time-scale",
            "300",
            "--no-cache",
            "-q",
            "--out",
            str(tmp_path / "cli.twitchtopics"),
        ],
    )
    assert result.exit_code == 0, result.output
    a, b = load_bundle(tmp_path / "lib.twitchtopics"), load_bundle(tmp_path / "cli.twitchtopics")
    pd.testing.assert_frame_equal(a.messages, b.messages)
    assert a.topics == b.topics
    for meta in (a.meta, b.meta):
        meta.pop("created")
        meta.pop("timings")
    assert a.meta == b.meta
    assert np.array_equal(a.array("centroids.npy"), b.array("centroids.npy"))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"random_state": -1}, "random_state"),
        ({"random_state": 2**32}, "random_state"),
        ({"random_state": 1.5}, "random_state"),
        ({"time_scale": float("nan")}, "time_scale"),
        ({"time_scale": float("inf")}, "time_scale"),
        ({"time_scale": -5}, "time_scale"),
        ({"time_scale": "soon"}, "time_scale"),
        ({"min_cluster_size": 1}, "min_cluster_size"),
        ({"n_neighbors": 1}, "n_neighbors"),
        ({"include": "ghosts"}, "unknown kind"),
        ({"clusterer": "kmeans-please"}, "unknown clustering method"),
        ({"clusterer": object()}, "fit_predict"),
        ({"embedder": 42}, None),
        ({"reducer": object()}, "fit_transform"),
        ({"reducer": "x"}, "fit_transform"),
    ],
)
def test_bad_options_raise_option_errors(kwargs, message):
    from twitchtopics import ChatTopics

    if "embedder" in kwargs:  # checked when the embedder is used
        with pytest.raises(OptionError, match="encode"):
            from twitchtopics.components import resolve_embedder

            resolve_embedder(kwargs["embedder"])
        return
    with pytest.raises(OptionError, match=message):
        ChatTopics(**kwargs)


def test_reducer_needs_a_custom_clusterer():
    from sklearn.decomposition import PCA

    from twitchtopics import ChatTopics

    with pytest.raises(OptionError, match="custom clusterers"):
        ChatTopics(reducer=PCA(2))


def test_errors_of_a_custom_clusterer_are_one_line(fake_embedder, topic_log):
    from twitchtopics import ChatTopics, read_log

    class Broken:
        def fit_predict(self, X):
            return np.zeros(3)

    with pytest.raises(OptionError, match="labels for"):
        ChatTopics(clusterer=Broken(), use_cache=False).fit(read_log(topic_log))
    with pytest.raises(TwitchTopicsError, match="not fitted"):
        ChatTopics().topic_info()
    with pytest.raises(OptionError, match="DataFrame"):
        ChatTopics().fit(["a list", "of texts"])


def test_cli_bad_seed_is_one_line(topic_log):
    from twitchtopics.cli import cli

    result = CliRunner().invoke(cli, ["cluster", str(topic_log), "--seed", "-1", "-q"])
    assert result.exit_code == 1
    assert "random_state (seed) must be between 0 and 4294967295" in result.stderr
    assert "Traceback" not in result.output


def test_registry_register_replace_and_snapshot():
    reg = registry.Registry("thing", default="a")
    reg.register("a", HashingEmbedder, aliases=("alias",))
    assert "ALIAS" in reg and reg.names() == ["a"]
    with pytest.raises(OptionError, match="already registered"):
        reg.register("a", WordEmbedder)
    assert isinstance(reg.create("alias"), HashingEmbedder)
    with reg.temporarily("a", WordEmbedder):
        assert isinstance(reg.create(None), WordEmbedder)
    assert isinstance(reg.create(None), HashingEmbedder)
    with pytest.raises(OptionError, match="unknown thing"):
        reg.factory("nope")
    reg.register("lam", lambda: 1)
    with pytest.raises(OptionError, match="module-level"):
        reg.snapshot()
    reg.unregister("lam")
    other = registry.Registry("thing", default="x")
    other.restore(reg.snapshot())
    assert isinstance(other.create(None), HashingEmbedder)


def test_registered_embedder_and_clusterer_names(topic_log):
    from twitchtopics import ChatTopics, read_log

    with (
        registry.embedders.temporarily("words", WordEmbedder),
        registry.clusterers.temporarily("first-word", FirstWordClusterer),
    ):
        model = ChatTopics(embedder="words", clusterer="first-word", use_cache=False)
        model.fit(read_log(topic_log))
    assert model.meta_["model"] == "my-word-embedder"
    assert model.meta_["params"]["method"] == "first-word"
    assert "words" not in registry.embedders


def test_package_namespace_is_lazy():
    code = (
        "import sys, twitchtopics, twitchtopics.cli; "
        "heavy = [m for m in ('pandas', 'torch', 'sklearn', 'numpy') if m in sys.modules]; "
        "assert not heavy, heavy; "
        "from twitchtopics import ChatTopics, read_log, load_bundle, window_report; "
        "assert 'pandas' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_installed_packages_register_through_entry_points(tmp_path, monkeypatch):
    dist = tmp_path / "chatplug-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: chatplug\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[twitchtopics.embedders]\nplugged = chatplug_mod:PluggedEmbedder\n"
    )
    (tmp_path / "chatplug_mod.py").write_text(
        "class PluggedEmbedder:\n    name = 'plugged'\n"
        "    def encode(self, texts):\n        return [[1.0, 0.0] for _ in texts]\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    reg = registry.Registry("embedder", default="x", entry_point_group="twitchtopics.embedders")
    assert "plugged" in reg
    assert reg.create("plugged").name == "plugged"
    assert not reg.is_builtin("plugged")
    assert reg.snapshot()["entries"] == {}  # workers find it themselves


@pytest.mark.parametrize(
    "frame, message",
    [
        (pd.DataFrame(), "no rows"),
        (pd.DataFrame({"text": ["a", "b"]}), "fit\\(df, columns="),
        (pd.DataFrame({"offset_s": [0.0, np.nan], "text": ["a", "b"]}), "offset_s"),
        (pd.DataFrame({"time": ["x"], "user": ["u"], "message": ["a"]}), "not understood"),
    ],
)
def test_bad_dataframes_are_one_line_read_errors(frame, message):
    from twitchtopics import ChatTopics
    from twitchtopics.errors import ReadError

    with pytest.raises(ReadError, match=message):
        ChatTopics(embedder=WordEmbedder(), use_cache=False).fit(frame)
