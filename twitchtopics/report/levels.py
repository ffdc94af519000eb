"""Report a window at the level that suits it: moments (the fine groups) or themes.

`report --window` ranks groups; over a few minutes the moments are what a viewer remembers
(a burst, a vote, a joke), over an hour they are too many and the themes tell the story.
`theme_view` turns a bundle into the same shape with themes in place of moments, so every
report (text, CSV, JSON, PNG, HTML) works unchanged at either level.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

import pandas as pd

from twitchtopics.bundle import Bundle
from twitchtopics.windows import Window

LEVELS = ("moments", "themes")

MOMENTS_MAX_WINDOW_S = 30 * 60.0
"""Windows up to this long are ranked by moments, longer ones (and a whole stream longer than
this) by themes. Moments last a few minutes on the gold windows (median about 3 min), so
half an hour holds a few dozen of them on a busy chat: about what a table can show."""


def default_level(bundle: Bundle, window: Window, duration_s: float) -> str:
    """`moments` for windows up to `MOMENTS_MAX_WINDOW_S`, else `themes` (when the bundle has
    themes; old bundles only have moments)."""
    if not bundle.themes:
        return "moments"
    start = max(0.0, window.start_s)
    end = min(window.end_s, duration_s) if duration_s > 0 else window.end_s
    return "moments" if end - start <= MOMENTS_MAX_WINDOW_S else "themes"


def theme_view(bundle: Bundle) -> Bundle:
    """The bundle with each message's `topic` replaced by its `theme` and `topics` by one
    entry per theme (category: the one most of its messages' moments have; representatives:
    those of its largest moments; silhouette: the size-weighted mean of its moments')."""
    if not bundle.themes or "theme" not in bundle.messages.columns:
        return bundle
    messages = bundle.messages.copy()
    messages["topic"] = messages["theme"].fillna(-1).astype(int)
    topics_by_id = {int(t["id"]): t for t in bundle.topics if "id" in t}
    entries = [_theme_entry(theme, topics_by_id, messages) for theme in bundle.themes]
    return replace(bundle, messages=messages, topics=entries)


def _theme_entry(
    theme: dict[str, Any], topics_by_id: dict[int, dict[str, Any]], messages: pd.DataFrame
) -> dict[str, Any]:
    moments = [topics_by_id[t] for t in theme.get("topics", []) if t in topics_by_id]
    moments.sort(key=lambda t: -int(t.get("size") or 0))
    weights: Counter[str] = Counter()
    for moment in moments:
        weights[str(moment.get("category") or "?")] += int(moment.get("size") or 0)
    sil = [
        (m["silhouette"], m.get("size") or 0) for m in moments if m.get("silhouette") is not None
    ]
    total = sum(w for _, w in sil)
    representatives: list[str] = []
    for moment in moments:
        for text in moment.get("representatives") or []:
            if text not in representatives and len(representatives) < 3:
                representatives.append(text)
    members = messages[messages["topic"] == int(theme["id"])]
    return {
        **theme,
        "category": weights.most_common(1)[0][0] if weights else "?",
        "silhouette": round(sum(s * w for s, w in sil) / total, 4) if total else None,
        "representatives": representatives,
        "users": int(members["user"].nunique()),
        "moments": len(moments),
    }
