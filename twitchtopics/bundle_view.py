"""What moments and reports both read from a bundle: the stream's clock and span, the kinds a
run clustered, a group's keywords and typical messages, one-line text.

Below `twitchtopics.moments` and `twitchtopics.report` (both use it; neither imports the
other's helpers), above `twitchtopics.bundle`.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from twitchtopics.bundle import Bundle
from twitchtopics.chat.normalize import shorten  # noqa: F401 - the one rule, used from here
from twitchtopics.windows import Clock, Window, parse_window

DEFAULT_CHAT_KINDS = ("chat", "action")
REPRESENTATIVE_WIDTH = 60


def representatives(
    frame: pd.DataFrame, k: int = 3, keywords: list[str] | tuple[str, ...] = ()
) -> list[str]:
    """The `k` most typical distinct readable texts of a group's messages (see module doc)."""
    from twitchtopics.describe.representatives import typical_order

    if frame.empty:
        return []
    if "centrality" in frame.columns:
        score = frame["centrality"].astype(float)
    elif "silhouette" in frame.columns:
        score = frame["silhouette"].astype(float)
    else:
        score = pd.Series(0.0, index=frame.index)
    texts = frame["text"].astype(str).tolist()
    order = typical_order(texts, score.to_numpy(), keywords=list(keywords), k=k)
    return [texts[i].strip() for i in order]


def keywords_of(topic: dict[str, Any], n: int = 5) -> list[str]:
    """A topics.json entry's first `n` keywords as words (scores dropped; old bundles' bare
    strings accepted)."""
    words = []
    for item in topic.get("keywords") or []:
        word = item[0] if isinstance(item, (list, tuple)) and item else item
        if isinstance(word, str) and word:
            words.append(word)
        if len(words) >= n:
            break
    return words


def chat_kinds(bundle: Bundle) -> tuple[str, ...]:
    include = (bundle.meta.get("params") or {}).get("include")
    return tuple(include) if include else DEFAULT_CHAT_KINDS


def stream_bounds(bundle: Bundle) -> dict[str, Any]:
    """`start`, `end` and `tz` of the stream, for `parse_window(value, **stream_bounds(b))`.

    `end` is a timestamp when the start is known, else the duration in seconds.
    """
    stream = bundle.meta.get("stream") or {}
    offsets = bundle.messages["offset_s"].astype(float)
    duration = stream.get("duration_s")
    if duration is None or not math.isfinite(float(duration)):
        duration = float(offsets.max()) if len(offsets) else 0.0
    duration = max(float(duration), float(offsets.max()) if len(offsets) else 0.0)
    start: pd.Timestamp | None = None
    if stream.get("start"):
        start = pd.Timestamp(stream["start"])
    else:
        times = bundle.messages["time"]
        known = times.notna()
        if known.any():
            first = known.to_numpy().argmax()
            start = pd.Timestamp(times.iloc[first]) - pd.Timedelta(
                seconds=float(offsets.iloc[first])
            )
    if start is not None and start.tzinfo is not None:
        start = start.tz_convert("UTC")
    end: Any = duration if start is None else start + pd.Timedelta(seconds=duration)
    return {"start": start, "end": end, "tz": stream.get("tz")}


def stream_clock(bundle: Bundle) -> tuple[Clock, float]:
    bounds = stream_bounds(bundle)
    clock = Clock.of(bounds["start"], bounds["tz"])
    end = bounds["end"]
    duration = (
        float(end) if not isinstance(end, pd.Timestamp) else (end - bounds["start"]).total_seconds()
    )
    return clock, duration


def bundle_window(bundle: Bundle, value: str | None) -> Window:
    """Parse a `--window` value against this bundle's stream."""
    return parse_window(value, **stream_bounds(bundle))


def stream_name(bundle: Bundle) -> str:
    stream = bundle.meta.get("stream") or {}
    path = (bundle.meta.get("input") or {}).get("path")
    if path:
        return Path(str(path)).name.split(".")[0] or Path(str(path)).stem
    if stream.get("title"):
        return str(stream["title"])
    name = bundle.path.name
    return name[: -len(".twitchtopics")] if name.endswith(".twitchtopics") else name
