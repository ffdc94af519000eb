import json
import os
import time

import numpy as np
import pandas as pd
import pytest

from twitchtopics.bundle import (
    BUNDLE_VERSION,
    bundle_path_for,
    find_latest_bundle,
    load_bundle,
    save_bundle,
)
from twitchtopics.errors import BundleError


def table(n=4):
    return pd.DataFrame(
        {
            "index": np.arange(n),
            "time": pd.date_range("2024-05-17 19:00", periods=n, freq="min", tz="UTC"),
            "offset_s": np.arange(n) * 60.0,
            "user": ["a", "b", "c", "d"][:n],
            "text": ["NA", "null", "<script>alert(1)</script>", ""][:n],
            "kind": ["chat"] * n,
            "topic": [0, 0, -1, 1][:n],
            "silhouette": [0.5, 0.25, np.nan, np.nan][:n],
        }
    )


def test_round_trip(tmp_path):
    topics = [{"id": 0, "size": 2, "keywords": [["pâtes", 0.5]], "silhouette": float("nan")}]
    path = save_bundle(tmp_path / "x.twitchtopics", table(), topics, {"stream": {"tz": "UTC"}})
    bundle = load_bundle(path)
    pd.testing.assert_frame_equal(bundle.messages, table())
    assert bundle.topics[0]["keywords"] == [["pâtes", 0.5]]
    assert bundle.topics[0]["silhouette"] is None  # NaN is written as null
    assert bundle.meta["bundle_version"] == BUNDLE_VERSION
    assert bundle.topic(0)["size"] == 2
    assert not list(tmp_path.glob(".x.twitchtopics*"))  # no temporary folder left


def test_no_pickle_anywhere(tmp_path):
    path = save_bundle(tmp_path / "x.twitchtopics", table(), [], {})
    assert sorted(p.name for p in path.iterdir()) == [
        "messages.parquet",
        "meta.json",
        "topics.json",
    ]


def test_overwrite_replaces_atomically(tmp_path):
    target = tmp_path / "x.twitchtopics"
    save_bundle(target, table(), [], {"run": 1})
    save_bundle(target, table(2), [], {"run": 2})
    bundle = load_bundle(target)
    assert bundle.meta["run"] == 2 and len(bundle.messages) == 2


def test_failed_write_leaves_previous_bundle(tmp_path):
    target = tmp_path / "x.twitchtopics"
    save_bundle(target, table(), [], {"run": 1})
    with pytest.raises(TypeError):
        save_bundle(target, table(), [], {"bad": object()})
    assert load_bundle(target).meta["run"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["x.twitchtopics"]


def test_missing_columns_refused(tmp_path):
    with pytest.raises(BundleError, match="topic"):
        save_bundle(tmp_path / "x.twitchtopics", table().drop(columns="topic"), [], {})


def test_load_errors(tmp_path):
    with pytest.raises(BundleError, match="no bundle"):
        load_bundle(tmp_path / "missing.twitchtopics")
    half = tmp_path / "half.twitchtopics"
    half.mkdir()
    (half / "meta.json").write_text("{}")
    with pytest.raises(BundleError, match="missing"):
        load_bundle(half)
    path = save_bundle(tmp_path / "v.twitchtopics", table(), [], {})
    meta = json.loads((path / "meta.json").read_text())
    meta["bundle_version"] = 99
    (path / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(BundleError, match="version"):
        load_bundle(path)


def test_find_latest_bundle(tmp_path):
    with pytest.raises(BundleError, match="no .*bundle"):
        find_latest_bundle(tmp_path)
    first = save_bundle(tmp_path / "a.twitchtopics", table(), [], {})
    second = save_bundle(tmp_path / "b.twitchtopics", table(), [], {})
    later = time.time() + 5
    os.utime(first / "meta.json", (later, later))
    assert find_latest_bundle(tmp_path) == first
    assert second.exists()


def test_bundle_path_for():
    assert bundle_path_for("logs/stream.json.gz").name == "stream.twitchtopics"
    assert bundle_path_for("chat.txt", "out").as_posix() == "out/chat.twitchtopics"
    assert bundle_path_for("noext").name == "noext.twitchtopics"
