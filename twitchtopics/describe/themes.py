"""Each theme's topics.json entry (keywords, a first label, span) and each topic's `theme`.

The themes themselves (which moments join) are found by `twitchtopics.clustering.themes`;
describing them is a describe step, called by the orchestration (`ChatTopics.fit`).
"""

from __future__ import annotations

from typing import Any

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
    theme_of_topic = (
        clustered.groupby("topic")["theme"].first().astype(int).to_dict() if len(clustered) else {}
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
    themes = []
    for theme_id, group in clustered.groupby("theme", sort=True):
        words = [[w, round(float(s), 4)] for w, s in keywords.get(int(theme_id), [])]
        members = sorted(int(t) for t in group["topic"].unique())
        themes.append(
            {
                "id": int(theme_id),
                "label": " / ".join(w for w, _ in words[:3]) or f"theme {int(theme_id)}",
                "size": int(len(group)),
                "keywords": words,
                "topics": members,
                "first_time": _iso(group["time"].min()),
                "last_time": _iso(group["time"].max()),
                "first_offset_s": float(group["offset_s"].min()),
                "last_offset_s": float(group["offset_s"].max()),
            }
        )
    return themes


def _iso(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).isoformat()
