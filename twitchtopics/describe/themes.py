"""Each theme's topics.json entry (keywords, a first label, span) and each topic's `theme`.

The themes themselves (which moments join) are found by `twitchtopics.clustering.themes`;
describing them is a describe step, called by the orchestration (`ChatTopics.fit`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from twitchtopics.describe.keywords import topic_keywords


def describe_themes(
    messages: pd.DataFrame,
    topics: list[dict[str, Any]],
    known_emotes: frozenset[str],
    top_n: int,
) -> list[dict[str, Any]]:
    """The `themes` list of topics.json, and each topic's `theme` (set in place).

    `messages` has `topic` and `theme` columns. A theme's keywords are c-TF-IDF over themes
    (the same formula as a moment's), its `label` the top three keywords joined (a first
    name; the labelling step may replace it).
    """
    clustered = messages[messages["theme"] >= 0]
    # each topic's first theme in table order (`groupby("topic")["theme"].first()`)
    topic_ids, first = np.unique(clustered["topic"].to_numpy(), return_index=True)
    theme_of_topic = dict(
        zip(
            topic_ids.astype(np.int64).tolist(),
            clustered["theme"].to_numpy()[first].astype(np.int64).tolist(),
            strict=True,
        )
    )
    for topic in topics:
        topic["theme"] = int(theme_of_topic.get(int(topic["id"]), -1))
    keywords = (
        topic_keywords(
            clustered["clean"].tolist(),
            clustered["theme"].to_numpy(),
            top_n=top_n,
            known_emotes=known_emotes,
        )
        if len(clustered)
        else {}
    )
    return [
        _theme_entry(theme_id, size, topics, span, keywords.get(theme_id, []))
        for theme_id, size, topics, span in _theme_tables(clustered)
    ]


def _theme_tables(clustered: pd.DataFrame) -> list[tuple[int, int, list[int], dict[str, Any]]]:
    """(theme id, messages, sorted topic ids, span) of every theme, ids ascending: one sort and
    one groupby for all themes (a DataFrame and four reductions per theme were half of this
    step's 0.26 s on the 100k-message speed log's 725 themes)."""
    if clustered.empty:
        return []
    from twitchtopics.describe.group import time_spans

    themes = clustered["theme"].to_numpy().astype(np.int64)
    topics = clustered["topic"].to_numpy().astype(np.int64)
    ids, sizes = np.unique(themes, return_counts=True)
    # each (theme, topic) pair once, by theme then topic, as one integer (np.unique of the
    # pairs' rows took 0.05 s on the 100k-message speed log)
    low, span = int(topics.min()), int(topics.max()) - int(topics.min()) + 1
    pairs = np.unique((themes - int(themes.min())) * span + (topics - low))
    cuts = np.searchsorted(pairs // span + int(themes.min()), ids).tolist() + [len(pairs)]
    members = (pairs % span + low).tolist()
    spans = time_spans(clustered, "theme").to_dict("index")
    return [
        (theme_id, size, members[cuts[i] : cuts[i + 1]], spans[theme_id])
        for i, (theme_id, size) in enumerate(zip(ids.tolist(), sizes.tolist(), strict=True))
    ]


def _theme_entry(
    theme_id: int,
    size: int,
    topics: list[int],
    span: dict[str, Any],
    keywords: list[tuple[str, float]],
) -> dict[str, Any]:
    words = [[w, round(float(s), 4)] for w, s in keywords]
    return {
        "id": theme_id,
        "label": " / ".join(w for w, _ in words[:3]) or f"theme {theme_id}",
        "size": size,
        "keywords": words,
        "topics": topics,
        "first_time": _iso(span["first_time"]),
        "last_time": _iso(span["last_time"]),
        "first_offset_s": float(span["first_offset_s"]),
        "last_offset_s": float(span["last_offset_s"]),
    }


def _iso(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).isoformat()
