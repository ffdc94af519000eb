"""The story of a window of the stream, from a bundle alone: top groups, rate, moments.

`window_report` builds a JSON-able dict; the renderers draw it and compute nothing of their
own: `report/text.py` (terminal, CSV rows), `report/png.py` (chart), `report/html.py` (page,
with `report/html_timeline.py`). Nothing is re-embedded or re-clustered: every number comes
from the bundle's messages table, topics.json and meta.json.

Rules:

* Groups are made of chat messages (the kinds the run clustered, meta `params.include`,
  default chat and action) with a topic >= 0. Outliers (-1) and other kinds (commands, bots,
  system) are left out of the groups but counted in the window's totals.
* The **share** of a group is its count over the window's chat messages (outliers included).
* The **representative** of a group is its most typical message inside the window
  (`describe.typical_order`: near the group's centre by `centrality`, else `silhouette`,
  carrying the group's keywords, typed by many, readable first, all different).
* Each group is led by its **label** (topics.json `label`; the first keywords for an older
  bundle); tallies show their **answers**; **moderation** counts bans and timeouts (the
  stream's, per minute, and those within a minute after a group's messages).
* **Rates** are chat messages per minute. Minutes are wall-clock minutes when the stream's
  start is known (offset minutes otherwise); the stream's median per-minute rate counts every
  minute of its span, empty minutes included.
* **Moments** are the window's best `REPORT_MOMENTS` highlights (`twitchtopics.moments`):
  chat measured against the minutes around it, not against a stream-wide threshold.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from twitchtopics.bundle import Bundle
from twitchtopics.bundle_view import (
    bundle_window,
    chat_kinds,
    keywords_of,
    representatives,
    stream_clock,
    stream_name,
)
from twitchtopics.report.colors import category_labels
from twitchtopics.windows import Clock, Window, stream_span_text

REPORT_MOMENTS = 5  # moments listed by `report` (`highlights` lists more)

# --- helpers ---------------------------------------------------------------------------------


def _mean(values: Iterable[float]) -> float | None:
    arr = np.asarray(list(values), dtype=float)
    arr = arr[np.isfinite(arr)]
    return round(float(arr.mean()), 4) if arr.size else None


# --- the stream -----------------------------------------------------------------------------


def minute_origin(clock: Clock) -> float:
    """Seconds to add to offsets so that minute bins fall on wall-clock minutes."""
    local = clock.at(0)
    return 0.0 if local is None else local.second + local.microsecond / 1e6


def window_mask(offsets: pd.Series, window: Window, duration: float) -> pd.Series:
    """Messages inside the window: half-open, except that the stream's two ends are included."""
    lower = -math.inf if window.start_s <= 0 else window.start_s
    if window.end_s >= duration:
        return offsets >= lower
    return (offsets >= lower) & (offsets < window.end_s)


def minute_counts(offsets: np.ndarray, origin: float, duration: float) -> np.ndarray:
    """Per-minute message counts over the whole stream's span (empty minutes included)."""
    n = int((max(duration, 0.0) + origin) // 60) + 1
    bins = np.clip(((np.asarray(offsets, dtype=float) + origin) // 60).astype(int), 0, n - 1)
    return np.bincount(bins, minlength=n)


# --- the report -----------------------------------------------------------------------------


def window_report(
    bundle: Bundle, window: Window | str | None = None, top: int = 10
) -> dict[str, Any]:
    """Everything `report` shows about a window, as a JSON-able dict."""
    from twitchtopics.moments.highlights import find_moments

    if not isinstance(window, Window):
        window = bundle_window(bundle, window)
    clock, duration = stream_clock(bundle)
    multi_day = clock.known and clock.label(0)[:10] != clock.label(duration)[:10]

    def when(offset: float) -> str:
        return clock.label(offset, date=multi_day)

    msgs = bundle.messages
    offsets = msgs["offset_s"].astype(float)
    kinds = chat_kinds(bundle)
    is_chat = msgs["kind"].isin(kinds)
    topic_col = msgs["topic"].fillna(-1).astype(int)
    in_window = window_mask(offsets, window, duration)

    win = msgs[in_window]
    win_chat = win[is_chat[in_window]]
    grouped = win_chat[topic_col[in_window][is_chat[in_window]] >= 0]
    grouped_topics = grouped["topic"].astype(int)
    n_chat = len(win_chat)

    counts = grouped_topics.value_counts()
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    topics_by_id = {int(t["id"]): t for t in bundle.topics if "id" in t}
    labels = category_labels()

    groups = []
    for rank, (tid, count) in enumerate(ranked[: max(0, top)], start=1):
        members = grouped[grouped_topics == tid]
        topic = topics_by_id.get(int(tid), {})
        category = topic.get("category") or "?"
        reps = representatives(members, k=3, keywords=keywords_of(topic))
        first, last = float(members["offset_s"].min()), float(members["offset_s"].max())
        groups.append(
            {
                "rank": rank,
                "topic": int(tid),
                "count": int(count),
                "share": round(count / n_chat, 4) if n_chat else 0.0,
                "label": group_label_of(topic),
                "category": category,
                "category_label": labels.get(category, category),
                "answers": [list(a) for a in (topic.get("answers") or [])],
                "moderation": int(topic.get("moderation") or 0),
                "representative": reps[0] if reps else "",
                "representatives": reps,
                "keywords": keywords_of(topic),
                "first": when(first),
                "last": when(last),
                "first_offset_s": round(first, 3),
                "last_offset_s": round(last, 3),
                "silhouette": _mean(members["silhouette"]),
                "stream_size": int(topic.get("size") or (topic_col == tid).sum()),
            }
        )

    # Rates over chat messages of the whole stream; moments against their own surroundings.
    origin = minute_origin(clock)
    chat_offsets = offsets[is_chat].to_numpy()
    per_minute = minute_counts(chat_offsets, origin, duration)
    median = float(np.median(per_minute)) if per_minute.size else 0.0
    minutes = window.duration_s / 60.0
    moments = find_moments(bundle, window, top=REPORT_MOMENTS)

    stream = bundle.meta.get("stream") or {}
    by_kind = {str(k): int(v) for k, v in win["kind"].value_counts().items()}
    return {
        "stream": {
            "name": stream_name(bundle),
            "title": stream.get("title"),
            "channel": stream.get("channel"),
            "start": clock.label(0) if clock.known else None,
            "end": clock.label(duration) if clock.known else None,
            "tz": clock.zone_label or None,
            "duration_s": round(duration, 3),
            "span": stream_span_text(clock, duration),
        },
        "window": {
            "label": window.label,
            "start": window.start_label,
            "end": window.end_label,
            "start_offset_s": round(window.start_s, 3),
            "end_offset_s": round(window.end_s, 3),
            "minutes": round(minutes, 2),
            "whole": window.whole,
            "text": window.describe(),
        },
        "totals": {
            "messages": int(len(win)),
            "chat": n_chat,
            "grouped": int(len(grouped)),
            "outliers": int(n_chat - len(grouped)),
            "other": int(len(win) - n_chat),
            "by_kind": by_kind,
            "groups": int(len(counts)),
        },
        "rate": {
            "chat_per_minute": round(n_chat / minutes, 2) if minutes > 0 else float(n_chat),
            "messages_per_minute": round(len(win) / minutes, 2) if minutes > 0 else float(len(win)),
            "stream_median_per_minute": round(median, 2),
        },
        "groups": groups,
        "moments": moments,
        "moderation": moderation_summary(msgs, in_window, origin, duration, when),
    }


def group_label_of(topic: dict[str, Any]) -> str:
    """A group's label; for an older bundle without labels, its first keywords."""
    return str(topic.get("label") or " / ".join(keywords_of(topic, 3)) or "?")


def moderation_summary(
    msgs: pd.DataFrame, in_window: pd.Series, origin: float, duration: float, when: Any
) -> dict[str, Any]:
    """Bans and timeouts: how many in the window, and per minute over the whole stream."""
    from twitchtopics.describe.tallies import is_moderation

    texts = msgs["text"].astype(str).to_numpy()
    kinds = msgs["kind"].astype(str).to_numpy()
    mask = np.fromiter(
        (is_moderation(t, k) for t, k in zip(texts, kinds, strict=True)), bool, len(msgs)
    )
    offsets = msgs["offset_s"].astype(float).to_numpy()[mask]
    per_minute = minute_counts(offsets, origin, duration) if len(offsets) else np.zeros(0)
    busiest = int(np.argmax(per_minute)) if per_minute.size and per_minute.max() > 0 else None
    return {
        "stream_total": int(mask.sum()),
        "window_total": int((mask & in_window.to_numpy()).sum()),
        "per_minute": [int(v) for v in per_minute],
        "busiest_minute": None if busiest is None else when(max(0.0, busiest * 60 - origin)),
        "busiest_count": 0 if busiest is None else int(per_minute[busiest]),
    }
