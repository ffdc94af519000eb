"""Moments of a stream from its bundle alone: when, how strong, which groups, and why.

`find_moments(bundle, window, top, min_gap_s)` returns JSON-able dicts, best first. Every
moment names the groups that drove it (their `label` when topics.json has one, else their
representative message; keywords; representatives inside the moment) and says in plain
words which signals made it rank (see `scoring.py`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from twitchtopics.bundle import Bundle
from twitchtopics.moments.scoring import (
    DEFAULT_MIN_GAP_S,
    NEW_GROUP_WEIGHT,
    PSEUDO_COUNT,
    REACTION_WEIGHT,
    BinScores,
    extent,
    pick_windows,
    score_bins,
    signals_at,
)
from twitchtopics.moments.signals import BIN_S, ChatSignals, chat_signals
from twitchtopics.windows import Window

MAX_DRIVERS = 3
MIN_DRIVER_SHARE = 0.1  # a group below 10 % of the moment's messages did not drive it
LEAD_S = 15.0  # chat reacts after the event (stream delay ~2-15 s + typing): links start earlier
REACTION_CATEGORIES = ("laughter", "emotes", "greetings", "votes", "reactions")
TITLE_WIDTH = 70


def video_url(video_id: str | None, offset_s: float) -> str | None:
    """`https://www.twitch.tv/videos/<id>?t=1h02m03s` (None without a video id)."""
    if not video_id:
        return None
    total = max(0, int(math.floor(offset_s)))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"https://www.twitch.tv/videos/{video_id}?t={h}h{m:02d}m{s:02d}s"


def _topic_title(topic: dict[str, Any], representative: str) -> str:
    from twitchtopics.bundle_view import shorten

    label = topic.get("label")
    if isinstance(label, str) and label.strip():
        return shorten(label, TITLE_WIDTH)
    return shorten(representative or " / ".join(_kw(topic, 3)) or "chat", TITLE_WIDTH)


def _kw(topic: dict[str, Any], n: int) -> list[str]:
    from twitchtopics.bundle_view import keywords_of

    return keywords_of(topic, n)


def drivers_of(bundle: Bundle, signals: ChatSignals, lo_s: float, hi_s: float) -> list[dict]:
    """The 1-3 groups with the most messages in [lo_s, hi_s), each >= 10 % of them."""
    from twitchtopics.bundle_view import representatives

    inside = (signals.offsets >= lo_s) & (signals.offsets < hi_s)
    total = int(inside.sum())
    topics = signals.topics[inside]
    ids, counts = np.unique(topics[topics >= 0], return_counts=True)
    order = sorted(zip(counts.tolist(), ids.tolist(), strict=True), key=lambda kv: (-kv[0], kv[1]))
    by_id = {int(t["id"]): t for t in bundle.topics if "id" in t}
    rows = signals.rows[inside]
    drivers = []
    for count, tid in order[:MAX_DRIVERS]:
        if drivers and count < MIN_DRIVER_SHARE * total:
            break
        topic = by_id.get(int(tid), {})
        members = bundle.messages.iloc[rows[topics == tid]]
        reps = representatives(members, k=3)
        drivers.append(
            {
                "topic": int(tid),
                "label": _topic_title(topic, reps[0] if reps else ""),
                "has_label": bool(topic.get("label")),
                "category": topic.get("category") or "?",
                "count": int(count),
                "share": round(count / total, 3) if total else 0.0,
                "keywords": _kw(topic, 5),
                "representatives": reps,
            }
        )
    return drivers


def moment_title(drivers: list[dict[str, Any]]) -> str:
    """One line naming the moment: its leading topical group, with the reaction that led it."""
    if not drivers:
        return "chat burst"
    top = drivers[0]
    topical = next((d for d in drivers if d["category"] not in REACTION_CATEGORIES), None)
    if top["category"] in REACTION_CATEGORIES and topical is not None and topical is not top:
        return f"{topical['label']} ({top['category']})"
    return top["label"]


def reasons(sig: dict[str, Any], drivers: list[dict[str, Any]]) -> list[str]:
    """Why the moment ranked, in words, strongest signals first."""
    chatters, local = sig["chatters"], sig["local_chatters"]
    ratio = (chatters + PSEUDO_COUNT) / (local + PSEUDO_COUNT)
    out = [
        f"{chatters} chatters in a minute, {ratio:.1f}x the {local:g} of the minutes around "
        f"({sig['messages_per_min']:g} msgs/min, usually {sig['local_per_min']:g})"
    ]
    gain = sig["reaction_share"] - sig["local_reaction_share"]
    if gain >= 0.1:
        out.append(
            f"{sig['reaction_share']:.0%} laughter/hype (usually {sig['local_reaction_share']:.0%})"
        )
    if sig["new_group"] is not None and sig["new_group_share"] >= 0.3:
        name = next((d["label"] for d in drivers if d["topic"] == sig["new_group"]), None)
        what = f": \u201c{name}\u201d" if name else ""
        out.append(f"new group #{sig['new_group']} is {sig['new_group_share']:.0%} of chat{what}")
    return out


def contributions(sig: dict[str, Any]) -> dict[str, float]:
    """Each signal's part of the score (they add up to it)."""
    lift = math.log2((sig["chatters"] + PSEUDO_COUNT) / (sig["local_chatters"] + PSEUDO_COUNT))
    react = max(0.0, sig["reaction_share"] - sig["local_reaction_share"])
    young = max(0.0, sig["new_group_share"] - sig["local_new_group_share"])
    return {
        "chatters": round(lift, 3),
        "reactions": round(REACTION_WEIGHT * react, 3),
        "new_group": round(NEW_GROUP_WEIGHT * young, 3),
    }


def find_moments(
    bundle: Bundle,
    window: Window | str | None = None,
    *,
    top: int = 20,
    min_gap_s: float = DEFAULT_MIN_GAP_S,
    video_id: str | None = None,
    lead_s: float = LEAD_S,
) -> list[dict[str, Any]]:
    """The stream's (or the window's) best moments, best first (see the module docstring)."""
    from twitchtopics.bundle_view import bundle_window, chat_kinds, stream_clock

    if not isinstance(window, Window):
        window = bundle_window(bundle, window)
    clock, duration = stream_clock(bundle)
    signals = chat_signals(bundle.messages, chat_kinds(bundle), duration)
    if not len(signals.offsets):
        return []
    scores = score_bins(signals)
    hi = math.inf if window.end_s >= duration else window.end_s
    picked = pick_windows(scores, top, min_gap_s, window.start_s, hi)
    multi_day = clock.known and clock.label(0)[:10] != clock.label(duration)[:10]
    vid = video_id or (bundle.meta.get("stream") or {}).get("video_id")
    return [
        build_moment(bundle, signals, scores, i, rank, clock, multi_day, vid, lead_s)
        for rank, i in enumerate(picked, start=1)
    ]


def build_moment(
    bundle: Bundle,
    signals: ChatSignals,
    scores: BinScores,
    i: int,
    rank: int,
    clock,
    multi_day: bool,
    video_id: str | None,
    lead_s: float,
) -> dict[str, Any]:
    """One moment's dict: span, score, drivers, reasons, link."""
    first, last = extent(scores, i)
    lo, hi = first * BIN_S, (last + 1) * BIN_S
    inside = signals.offsets[(signals.offsets >= lo) & (signals.offsets < hi)]
    start = float(inside.min()) if inside.size else lo
    end = float(inside.max()) if inside.size else hi
    sig = signals_at(scores, i)
    drivers = drivers_of(bundle, signals, lo, hi)
    link_at = max(0.0, start - lead_s)
    users = signals.users[(signals.offsets >= lo) & (signals.offsets < hi)]
    return {
        "rank": rank,
        "title": moment_title(drivers),
        "start": clock.label(start, date=multi_day),
        "end": clock.label(end, date=multi_day),
        "start_offset_s": round(start, 3),
        "end_offset_s": round(end, 3),
        "score": round(float(scores.score[i]), 3),
        "messages": int(inside.size),
        "chatters": int(len(np.unique(users))),
        "groups": drivers,
        "why": reasons(sig, drivers),
        "signals": sig,
        "contributions": contributions(sig),
        "link_offset_s": round(link_at, 3),
        "vod_url": video_url(video_id, link_at),
    }
