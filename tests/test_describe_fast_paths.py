"""The describe step's fast paths give what the plain pandas / per-call code gave.

`describe_groups` slices one set of columns per group instead of a DataFrame per group, and
`topic_keywords` remembers tokens and its last token table: each test computes the same thing
the plain way and compares.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from twitchtopics.describe.group import describe_groups, group_positions
from twitchtopics.describe.keywords import topic_keywords


def _table(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 400
    words = ["boss", "musique", "KEKW", "ponceJAM", "le", "jeu", "B", "C", "bob", "génial"]
    texts = [" ".join(rng.choice(words, size=rng.integers(1, 5))) for _ in range(n)]
    times = pd.Series(pd.date_range("2024-05-17 19:00", periods=n, freq="7s", tz="UTC"))
    times[rng.random(n) < 0.1] = pd.NaT
    silhouette = rng.random(n)
    silhouette[rng.random(n) < 0.2] = np.nan
    return pd.DataFrame(
        {
            "time": times,
            "offset_s": np.arange(n) * 7.0,
            "user": [["bob", "ann", "", "zed", "lea"][i % 5] for i in range(n)],
            "text": texts,
            "kind": ["chat"] * (n - 5) + ["system"] * 5,
            "clean": texts,
            "topic": rng.integers(-1, 12, size=n),
            "silhouette": silhouette,
            "centrality": rng.random(n),
        }
    )


def test_group_positions_are_pandas_groups() -> None:
    labels = np.random.default_rng(0).integers(-1, 30, size=1000)
    expected = [
        (int(k), np.asarray(v)) for k, v in pd.Series(labels).groupby(labels).indices.items()
    ]
    got = group_positions(labels)
    assert [k for k, _ in got] == [k for k, _ in expected]
    for (_, a), (_, b) in zip(got, expected, strict=True):
        assert a.tolist() == sorted(b.tolist())
    assert group_positions(np.zeros(0, dtype=np.int64)) == []


def test_group_fields_are_the_per_group_pandas_values() -> None:
    messages = _table()
    topics = describe_groups(messages, frozenset({"KEKW"}), 5)
    clustered = messages[messages["topic"] >= 0]
    assert [t["id"] for t in topics] == sorted(clustered["topic"].unique().tolist())
    for topic in topics:
        group = clustered[clustered["topic"] == topic["id"]]
        silhouette = group["silhouette"].dropna()
        first = group["time"].min()
        assert topic["size"] == len(group)
        assert topic["silhouette"] == (
            round(float(silhouette.mean()), 4) if len(silhouette) else None
        )
        assert topic["first_time"] == (None if pd.isna(first) else first.isoformat())
        assert topic["last_offset_s"] == float(group["offset_s"].max())
        assert topic["users"] == int(group["user"][group["user"] != ""].nunique())


def test_keywords_are_the_same_whatever_the_caches_hold() -> None:
    messages = _table(5)
    args = (messages["clean"].tolist(), messages["topic"].to_numpy())
    users = messages["user"].tolist()
    frozen = topic_keywords(*args, known_emotes=frozenset({"KEKW"}), users=users)
    again = topic_keywords(*args, known_emotes=frozenset({"KEKW"}), users=users)
    plain = topic_keywords(*args, known_emotes={"KEKW"}, users=users)  # a set: nothing cached
    assert frozen == again == plain
    other = topic_keywords(*args, known_emotes=frozenset(), users=users)
    assert other == topic_keywords(*args, known_emotes=set(), users=users)
