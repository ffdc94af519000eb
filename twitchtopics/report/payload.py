"""`cluster --json`'s document around the groups' messages, without pandas.

`printout.groups_as_json` fills in the messages it shows; with `--top 0` none are shown, and
everything else is in meta.json and topics.json, so a run reused from the run cache
(`twitchtopics.cache.runs`) prints the same document without reading the messages table or
importing pandas (0.35 s of a 0.5 s warm rerun of the 10k speed log).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def cluster_payload(
    meta: dict[str, Any],
    topics: list[dict[str, Any]],
    themes: list[dict[str, Any]] | None,
    *,
    messages_of: Callable[[dict[str, Any]], list[dict[str, Any]]],
    outliers: int,
    outlier_rows: list[dict[str, Any]],
) -> dict[str, Any]:
    """Summary, bundle, themes, groups (each with `messages_of(group)`), outliers."""
    return {
        "summary": {**meta["counts"], "seconds": round(sum(meta.get("timings", {}).values()), 2)},
        "bundle": meta.get("bundle_path"),
        "themes": themes or [],
        "groups": [{**t, "messages": messages_of(t)} for t in topics],
        "outliers": {"count": int(outliers), "messages": outlier_rows},
    }


def payload_without_messages(
    meta: dict[str, Any], topics: list[dict[str, Any]], themes: list[dict[str, Any]] | None
) -> dict[str, Any]:
    """`groups_as_json(..., top=0)` of a bundle from its meta and topics alone: the outliers
    are meta.json's count (the considered kinds' messages in no group, what the printout
    counts)."""
    return cluster_payload(
        meta,
        topics,
        themes,
        messages_of=lambda _topic: [],
        outliers=meta["counts"]["outliers"],
        outlier_rows=[],
    )
