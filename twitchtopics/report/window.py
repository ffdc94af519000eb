"""The story of a window of the stream, from a bundle alone: top groups, rate, moments.

`window_report` builds a JSON-able dict; `render_report_text` and `report_rows` show it in the
terminal and as CSV rows; the PNG chart and the HTML page live in `report_png.py` and
`report_html.py` (re-exported here as `write_png` and `write_html`). Nothing is re-embedded or
re-clustered: every number comes from the bundle's messages table, topics.json and meta.json.

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
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from twitchtopics.bundle import Bundle
from twitchtopics.bundle_view import (  # noqa: F401 - re-exported for report's callers
    DEFAULT_CHAT_KINDS,
    REPRESENTATIVE_WIDTH,
    _keywords,
    bundle_window,
    chat_kinds,
    representatives,
    shorten,
    stream_bounds,
    stream_clock,
    stream_name,
)
from twitchtopics.describe import CATEGORY_LABELS
from twitchtopics.windows import Clock, Window, stream_span_text

REPORT_MOMENTS = 5  # moments listed by `report` (`highlights` lists more)

UNKNOWN_LABEL = "uncategorised"
# One distinct colour per category (matplotlib's tab10 family); "?" is grey.
CATEGORY_COLORS = {
    "laughter": "#e6a100",
    "emotes": "#9467bd",
    "greetings": "#2ca02c",
    "commands": "#bcbd22",
    "questions": "#1f77b4",
    "votes": "#17becf",
    "reactions": "#d62728",
    "quiz": "#ff7f0e",
    "discussion": "#8c564b",
    "copypasta": "#f7b6d2",
    "spam": "#e377c2",
    "?": "#9e9e9e",
}


@lru_cache(maxsize=1)
def category_labels() -> dict[str, str]:
    """Display labels of the categories (describe/categories.py's), plus "?" for a group without one."""
    return {**CATEGORY_LABELS, "?": UNKNOWN_LABEL}


def category_color(category: str | None) -> str:
    return CATEGORY_COLORS.get(category or "?", CATEGORY_COLORS["?"])


# --- text helpers ---------------------------------------------------------------------------

_STRETCH = re.compile(r"(.)\1{2,}")


def dedupe_key(text: str) -> str:
    """Lowercase, stretched letters collapsed (`LOOOOL` -> `lool`), repeated words collapsed."""
    lowered = _STRETCH.sub(r"\1\1", str(text).lower())
    words: list[str] = []
    for word in lowered.split():
        if not words or words[-1] != word:
            words.append(word)
    return " ".join(words)


def _flood(text: str) -> float:
    """0 for varied text, close to 1 for the same token repeated many times."""
    tokens = str(text).lower().split()
    if len(tokens) < 3:
        return 0.0
    return 1.0 - len(set(tokens)) / len(tokens)


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
        reps = representatives(members, k=3, keywords=_keywords(topic))
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
                "keywords": _keywords(topic),
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
    return str(topic.get("label") or " / ".join(_keywords(topic, 3)) or "?")


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


# --- terminal and CSV -----------------------------------------------------------------------

CSV_COLUMNS = (
    "rank",
    "topic",
    "label",
    "count",
    "share",
    "category",
    "answers",
    "moderation",
    "representative",
    "keywords",
    "first",
    "last",
    "first_offset_s",
    "last_offset_s",
    "silhouette",
)


def report_rows(d: dict[str, Any]) -> list[dict[str, Any]]:
    """One flat row per group, for `render(rows, "csv", columns=CSV_COLUMNS)`."""
    rows = []
    for g in d["groups"]:
        row = {k: g.get(k) for k in CSV_COLUMNS}
        row["keywords"] = " / ".join(g["keywords"])
        row["answers"] = " · ".join(f"{a} {n}" for a, n in g.get("answers") or [])
        rows.append(row)
    return rows


def safe_text(text: object) -> str:
    """Untrusted chat text on one line, terminal control characters removed."""
    from twitchtopics.report.printout import safe_line

    return safe_line(text)


def _fmt_num(n: float) -> str:
    return f"{n:,.0f}" if float(n).is_integer() else f"{n:,.1f}"


def render_report_text(d: dict[str, Any], *, width: int = 44) -> str:
    """The terminal view: header, one line per top group, then rate and moments."""
    s, w, t, r = d["stream"], d["window"], d["totals"], d["rate"]
    lines = [f"{s['name']} \u00b7 window {w['text']} \u00b7 {w['minutes']:g} min"]
    others = ", ".join(
        f"{k} {v}"
        for k, v in sorted(t["by_kind"].items(), key=lambda kv: -kv[1])
        if k not in ("chat", "action")
    )
    summary = (
        f"{t['messages']:,} messages: {t['chat']:,} chat ({t['grouped']:,} in {t['groups']} groups, "
        f"{t['outliers']:,} outliers)"
    )
    if t["other"]:
        summary += f", {t['other']:,} other ({others})"
    lines.append(summary)
    lines.append("")
    if not d["groups"]:
        lines.append("no group in this window")
    else:
        kw_width = 30
        label_width = 32
        header = (
            f"{'#':>3}  {'label':<{label_width}}  {'count':>6}  {'share':>6}  {'category':<12}  "
            f"{'keywords':<{kw_width}}  {'time':<19}  silh"
        )
        lines.append(header)
        lines.append("-" * len(header))
        for g in d["groups"]:
            label = shorten(safe_text(g.get("label") or "?"), label_width)
            kws = shorten(safe_text(" / ".join(g["keywords"][:3])), kw_width)
            span = g["first"] if g["first"] == g["last"] else f"{g['first']}\u2013{g['last']}"
            sil = "  -" if g["silhouette"] is None else f"{g['silhouette']:.2f}"
            lines.append(
                f"{g['rank']:>3}  {label:<{label_width}}  {g['count']:>6,}  {g['share']:>6.1%}  "
                f"{g['category']:<12.12}  {kws:<{kw_width}}  {span:<19}  {sil}"
            )
            extra = [f"\u201c{shorten(safe_text(g['representative']), width + 30)}\u201d"]
            if g.get("answers"):
                extra.append("answers: " + " · ".join(f"{a} {n}" for a, n in g["answers"][:6]))
            if g.get("moderation"):
                extra.append(
                    f"{g['moderation']} bans/timeouts within a minute after the group's messages (whole stream)"
                )
            lines.append(" " * 5 + safe_text("  ·  ".join(extra)))
    lines.append("")
    lines.append(
        f"rate: {_fmt_num(r['chat_per_minute'])} chat messages/min in the window "
        f"(stream median {_fmt_num(r['stream_median_per_minute'])}/min)"
    )
    mod = d.get("moderation") or {}
    if mod.get("stream_total"):
        lines.append(
            f"moderation: {mod['window_total']:,} bans/timeouts in the window, "
            f"{mod['stream_total']:,} in the stream (busiest minute {mod['busiest_minute']}: "
            f"{mod['busiest_count']})"
        )
    lines.extend(moment_lines(d.get("moments") or []))
    return "\n".join(lines)


def moment_lines(moments: list[dict[str, Any]]) -> list[str]:
    """The report's moments: one line each (span, score, title), then why it ranked (chat
    text made one line without control characters)."""
    from twitchtopics.moments.exports import one_line

    if not moments:
        return ["moments: none stands out from the chat around it in this window"]
    lines = [f"moments ({len(moments)}, against the minutes around them):"]
    for m in moments:
        span = m["start"] if m["start"] == m["end"] else f"{m['start']}\u2013{m['end']}"
        lines.append(f"  #{m['rank']} {span}  score {m['score']:.2f}  {one_line(m['title'], 60)}")
        lines.append(f"      {one_line('; '.join(m['why']), 400)}")
    return lines


def write_png(d: dict[str, Any], path: str | Path) -> Path:
    """Horizontal bar chart of the window's top groups (see `report_png`)."""
    from twitchtopics.report.png import write_png as _write

    return _write(d, path)


def write_html(
    bundle: Bundle,
    d: dict[str, Any],
    path: str | Path,
    alt: tuple[Bundle, dict[str, Any]] | None = None,
    level: str = "moments",
) -> Path:
    """One self-contained HTML page: the stream's timeline and the window table (with `alt`, the
    bundle and report at the other level, a switch between moments and themes)."""
    from twitchtopics.report.html import write_html as _write

    return _write(bundle, d, path, alt=alt, level=level)
