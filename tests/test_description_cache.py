"""The on-disk cache of descriptions: keys, damaged entries, and the same bundle either way."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from twitchtopics.cache import descriptions
from twitchtopics.cache.descriptions import (
    description_key,
    entry_path,
    load_description,
    save_description,
)


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "time": pd.to_datetime(["2024-01-01 18:00", "2024-01-01 18:01", None], utc=True),
            "offset_s": [0.0, 60.0, 61.5],
            "user": ["ann", "bob", ""],
            "text": ["le boss KEKW", "le boss", "🔥 emoji"],
            "kind": ["chat", "chat", "system"],
            "emotes": [["KEKW"], [], []],
            "topic": [0, 0, -1],
            "silhouette": [0.5, np.nan, np.nan],
        }
    )


def test_key_depends_on_every_column_emotes_and_count() -> None:
    base = _table()
    keys = {description_key(base, frozenset(), 10)}
    for column, value in (
        ("time", pd.Timestamp("2024-01-01 19:00", tz="UTC")),
        ("offset_s", 1.0),
        ("user", "zed"),
        ("text", "le boss!"),
        ("kind", "action"),
        ("emotes", ["LUL"]),
        ("topic", 1),
        ("silhouette", 0.25),
    ):
        changed = base.copy()
        changed.at[0, column] = value
        keys.add(description_key(changed, frozenset(), 10))
    keys.add(description_key(base.assign(extra=1), frozenset(), 10))  # a new column
    keys.add(description_key(base, frozenset({"KEKW"}), 10))
    keys.add(description_key(base, frozenset(), 5))
    assert len(keys) == 12
    assert description_key(base, frozenset(), 10) == description_key(_table(), frozenset(), 10)


def _general_bytes(values: pd.Series) -> list[bytes]:
    """`_column_bytes`' rule for object columns, value by value (before its fast paths)."""
    items = values.to_numpy().tolist()
    texts = [v if isinstance(v, str) else descriptions._other(v) for v in items]
    kinds = np.array([isinstance(v, str) for v in items], dtype=np.bool_)
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    return [kinds.tobytes(), lengths.tobytes(), "".join(texts).encode("utf-8", "surrogatepass")]


@pytest.mark.parametrize(
    "values",
    [
        ["le boss", "", "🔥", "été"],  # all strings
        ["\ud800 lone", "x"],  # a lone surrogate: object columns only
        [["KEKW"], [], np.array(["LUL", "Kappa"], dtype=object), np.array([], dtype=object)],
        [[], ["KEKW"], "[]", None],  # mixed: the general rule
        [np.array(3), [], "x"],  # a 0-d array has no len
        [None, float("nan"), 3, "3"],
    ],
)
def test_column_bytes_fast_paths_give_the_general_bytes(values) -> None:
    column = pd.Series(values, dtype=object)
    assert descriptions._column_bytes(column) == _general_bytes(column)
    if all(isinstance(v, str) and v.isprintable() for v in values):
        assert descriptions._column_bytes(column.astype("string")) == _general_bytes(column)


def test_key_depends_on_the_describe_code(monkeypatch) -> None:
    before = description_key(_table(), frozenset(), 10)
    monkeypatch.setattr(descriptions, "code_fingerprint", lambda: "another version")
    assert description_key(_table(), frozenset(), 10) != before
    monkeypatch.setattr(descriptions, "code_fingerprint", lambda: None)  # no sources: no cache
    assert description_key(_table(), frozenset(), 10) is None


def test_round_trip_and_damaged_entries(tmp_path) -> None:
    topics = [{"id": 0, "label": "boss \ud83d", "keywords": [["boss", 0.123456789]], "x": None}]
    themes = [{"id": 0, "label": "boss"}]
    save_description(tmp_path, "k", topics, themes)
    assert load_description(tmp_path, "k") == (topics, themes)
    entry_path(tmp_path, "k").write_text('{"topics": [')
    assert load_description(tmp_path, "k") is None
    assert not entry_path(tmp_path, "k").exists()  # healed: the next run rewrites it
    entry_path(tmp_path, "k").write_text(json.dumps({"topics": [1], "themes": []}))
    assert load_description(tmp_path, "k") is None
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    save_description(blocker, "k", topics, themes)  # an unwritable cache only costs speed
    save_description(tmp_path, "np", [{"n": np.int64(1)}], [])  # not JSON: left uncached
    assert load_description(tmp_path, "np") is None


@pytest.mark.usefixtures("fake_embedder")
def test_the_bundle_is_the_same_whatever_the_cache_holds(topic_log, monkeypatch, tmp_path) -> None:
    from twitchtopics import pipeline, runs

    # a cache of its own: the session's would then serve this log's grouping to other tests
    monkeypatch.setenv("TWITCHTOPICS_CACHE_DIR", str(tmp_path / "cache"))

    def run(**options):
        result = runs.cluster_log(
            topic_log, runs.ClusterOptions(model="test-hashing", **options), save=False
        )
        return json.loads(json.dumps({"topics": result.topics, "themes": result.themes}))

    uncached = run(use_cache=False)
    first = run()  # computes and stores
    calls = []
    real = pipeline._describe
    monkeypatch.setattr(pipeline, "_describe", lambda *a: calls.append(1) or real(*a))
    second = run()  # from the cache
    assert calls == []
    assert uncached == first == second
    monkeypatch.setattr(descriptions, "code_fingerprint", lambda: "changed code")
    assert run() == uncached and calls == [1]  # another describe code: computed again
    assert run(keywords=3) != uncached and calls == [1, 1]
