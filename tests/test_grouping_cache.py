"""The on-disk cache of groupings: keys, round trips, damaged entries, and a second run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from twitchtopics.cache.groupings import (
    Grouping,
    entry_path,
    grouping_key,
    load_grouping,
    save_grouping,
)

TEXTS = ["bonjour", "le boss", "KEKW"]
EMB = np.eye(3, dtype=np.float32)
INVERSE = np.array([0, 1, 1, 2])
OFFSETS = np.array([0.0, 10.0, 12.5, 30.0])


def _key(**change) -> str:
    args = {
        "texts": TEXTS,
        "embeddings": EMB,
        "inverse": INVERSE,
        "offsets": OFFSETS,
        "settings": {"seed": 42},
        "version": "1",
    }
    args.update(change)
    return grouping_key(**args)


def _grouping() -> Grouping:
    return Grouping(
        labels=np.array([0, 1, 1, -1]),
        silhouette=np.array([0.1234567890123, 0.5, 0.25, np.nan]),
        centrality=np.array([1.0, 0.3, 0.7, np.nan]),
        silhouette_method="exact",
        time_scale=30.0,
        min_cluster_size=2,
    )


def test_key_depends_on_every_input() -> None:
    keys = {
        _key(),
        _key(texts=["bonjour", "le boss", "kekw"]),
        _key(embeddings=EMB * 0.5),
        _key(inverse=np.array([0, 1, 2, 2])),
        _key(offsets=OFFSETS + 1),
        _key(settings={"seed": 1}),
        _key(version="2"),
    }
    assert len(keys) == 7
    assert _key() == _key()  # and nothing else (no time, no randomness)


def test_round_trip_is_exact(tmp_path) -> None:
    original = _grouping()
    save_grouping(tmp_path, "k", original)
    loaded = load_grouping(tmp_path, "k", 4)
    assert loaded is not None
    np.testing.assert_array_equal(loaded.labels, original.labels)
    np.testing.assert_array_equal(loaded.silhouette, original.silhouette)  # bit for bit
    np.testing.assert_array_equal(loaded.centrality, original.centrality)
    assert (loaded.silhouette_method, loaded.time_scale, loaded.min_cluster_size) == (
        "exact",
        30.0,
        2,
    )
    assert not list(tmp_path.glob("groupings/*.tmp*"))


def test_missing_damaged_or_mismatched_entries_are_not_used(tmp_path) -> None:
    assert load_grouping(tmp_path, "absent", 4) is None
    save_grouping(tmp_path, "k", _grouping())
    assert load_grouping(tmp_path, "k", 5) is None  # another number of messages
    entry_path(tmp_path, "k").write_bytes(b"PK\x03\x04 not really a zip")
    assert load_grouping(tmp_path, "k", 4) is None


def test_unwritable_cache_only_costs_speed(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    save_grouping(blocker, "k", _grouping())  # no exception
    assert load_grouping(blocker, "k", 4) is None


@pytest.mark.usefixtures("fake_embedder")
def test_second_run_takes_the_grouping_from_the_cache(topic_log, monkeypatch) -> None:
    from twitchtopics import pipeline, runs

    first = runs.cluster_log(topic_log, runs.ClusterOptions(model="test-hashing"), save=False)
    assert {"reduce", "cluster", "silhouette"} <= set(first.timings)

    def fail(*args, **kwargs):
        raise AssertionError("clustered again")

    monkeypatch.setattr(pipeline, "compute_grouping", fail)
    second = runs.cluster_log(topic_log, runs.ClusterOptions(model="test-hashing"), save=False)
    assert "cluster" not in second.timings and "grouping cache" in second.timings
    columns = ["topic", "silhouette", "centrality"]
    pd.testing.assert_frame_equal(first.messages[columns], second.messages[columns])
    assert first.topics == second.topics
    assert first.meta["params"] == second.meta["params"]
    # --no-cache neither reads nor writes: it clusters again
    with pytest.raises(AssertionError, match="clustered again"):
        runs.cluster_log(
            topic_log, runs.ClusterOptions(model="test-hashing", use_cache=False), save=False
        )
