"""Everything said about every group of a clustered messages table, as topics.json entries.

Order matters: categories first (a tally's numbers are its keywords), then answers, keywords,
representatives (which favour messages carrying the keywords) and last the label (which may
fall back on the answers, keywords or most typical message).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from twitchtopics.chat.tokens import STOP_WORDS
from twitchtopics.describe.categories import categorize_group
from twitchtopics.describe.keywords import topic_keywords
from twitchtopics.describe.labels import group_label
from twitchtopics.describe.representatives import representatives
from twitchtopics.describe.tallies import answer_tally, moderation_after, moderation_offsets
from twitchtopics.progress import StageProgress

__all__ = ["TALLY_CATEGORIES", "describe_groups", "label_themes"]

TALLY_CATEGORIES = ("votes", "quiz")
REPRESENTATIVES_STORED = 5


def describe_groups(
    messages: pd.DataFrame,
    known_emotes: frozenset[str],
    top_n: int,
    *,
    progress: StageProgress | None = None,
) -> list[dict[str, Any]]:
    """topics.json entries of every group ``>= 0`` of ``messages`` (a bundle's table)."""
    clustered = messages[messages["topic"] >= 0]
    groups = list(clustered.groupby("topic", sort=True))
    progress = progress or StageProgress()
    progress.total(len(groups))
    memo: dict = {}  # message analyses shared by every group's categorize_group
    reactions = known_emotes | recurring_reactions(clustered)
    categories = {
        int(tid): categorize_group(
            g["text"].tolist(),
            known_emotes=reactions,
            kinds=g["kind"].tolist(),
            memo=memo,
            users=g["user"].astype(str).tolist(),
            offsets=g["offset_s"].astype(float).tolist(),
        )
        for tid, g in groups
    }
    answers = {
        tid: answer_tally(g["text"].tolist(), known_emotes=reactions)
        for tid, g in ((int(t), g) for t, g in groups)
        if categories[tid] in TALLY_CATEGORIES
    }
    keywords = (
        topic_keywords(
            clustered["clean"].tolist(),
            clustered["topic"].to_numpy(),
            top_n=top_n,
            known_emotes=known_emotes,
            users=clustered["user"].astype(str).tolist(),
            tally_topics=set(answers),
        )
        if len(clustered)
        else {}
    )
    bans = moderation_offsets(
        messages["text"].astype(str).tolist(),
        messages["kind"].astype(str).tolist(),
        messages["offset_s"].to_numpy(dtype=float),
    )
    topics = []
    for topic_id, group in groups:
        progress.update()
        tid = int(topic_id)
        words = keywords.get(tid, [])
        texts = group["text"].tolist()
        reps = representatives(
            texts,
            group["centrality"].to_numpy(),
            k=REPRESENTATIVES_STORED,
            keywords=[w for w, _ in words],
            known_emotes=known_emotes,
        )
        label = group_label(
            texts,
            words,
            users=group["user"].astype(str).tolist(),
            answers=answers.get(tid),
            category=categories[tid],
            typical=reps[0] if reps else None,
            known_emotes=known_emotes,
        )
        topics.append(
            {
                "id": tid,
                "label": label,
                "size": int(len(group)),
                "keywords": [[w, round(float(s), 4)] for w, s in words],
                "silhouette": _mean_or_none(group["silhouette"]),
                "first_time": _iso(group["time"].min()),
                "last_time": _iso(group["time"].max()),
                "first_offset_s": float(group["offset_s"].min()),
                "last_offset_s": float(group["offset_s"].max()),
                "category": categories[tid],
                "answers": answers.get(tid, []),
                "moderation": moderation_after(group["offset_s"].to_numpy(dtype=float), bans),
                "representatives": reps,
                "users": int(group["user"][group["user"].astype(str) != ""].nunique()),
            }
        )
    return topics


RECURRING_MIN_USERS = 10
RECURRING_MIN_SLICES = 5
RECURRING_SLICE_S = 600.0


def recurring_reactions(messages: pd.DataFrame) -> frozenset[str]:
    """One-word messages the whole stream keeps typing: emotes the log's metadata misses.

    A raw IRC or CSV log names no emotes, and the bundled lists miss many (``Krappa``,
    ``Bruh``, ``WTFF``): typed alone by 40 chatters, they looked like quiz answers (14 "quiz"
    groups on AdmiralBulldog's log). A word typed alone by at least RECURRING_MIN_USERS
    chatters in at least RECURRING_MIN_SLICES different ten-minute slices of the stream is a
    reaction, not an answer to one question: it is treated as an emote by the categories and
    tallies. Numbers, letters (votes), stop words and words without a capital ("yes",
    "what") never are.
    """
    if messages.empty:
        return frozenset()
    words = messages["text"].astype(str).str.strip().str.strip(".,;:!?")
    single = words.str.fullmatch(r"[^\W\d_]{2,}[\w]*") & ~words.str.fullmatch(r"[a-dA-D]")
    if not single.any():
        return frozenset()
    frame = pd.DataFrame(
        {
            "word": words[single],
            "user": messages.loc[single, "user"].astype(str),
            "slice": (messages.loc[single, "offset_s"].astype(float) // RECURRING_SLICE_S),
        }
    )
    stats = frame.groupby("word").agg(users=("user", "nunique"), slices=("slice", "nunique"))
    keep = stats[
        (stats["users"] >= RECURRING_MIN_USERS) & (stats["slices"] >= RECURRING_MIN_SLICES)
    ]
    return frozenset(
        str(w)
        for w in keep.index
        if any(ch.isupper() for ch in str(w)) and str(w).casefold() not in STOP_WORDS
    )


def label_themes(
    messages: pd.DataFrame,
    themes: list[dict[str, Any]],
    known_emotes: frozenset[str],
) -> list[dict[str, Any]]:
    """The same ``themes`` entries, each with a ``label`` from its own messages.

    A theme's messages are those whose ``theme`` column holds its id; without that column
    (an older bundle) themes are returned unchanged. Keywords are the theme's own when it has
    them, else computed over the themes as classes.
    """
    if "theme" not in messages.columns or not themes:
        return themes
    members = messages[messages["theme"].fillna(-1).astype(int) >= 0]
    own = {int(t["id"]): t.get("keywords") or [] for t in themes}
    computed = (
        topic_keywords(
            members["clean"].astype(str).tolist()
            if "clean" in members
            else members["text"].tolist(),
            members["theme"].astype(int).to_numpy(),
            known_emotes=known_emotes,
            users=members["user"].astype(str).tolist(),
        )
        if len(members) and not all(own.values())
        else {}
    )
    by_theme = {int(t): g for t, g in members.groupby("theme")}
    out = []
    for theme in themes:
        tid = int(theme["id"])
        group = by_theme.get(tid)
        words = [(str(w), float(s)) for w, s in (own.get(tid) or computed.get(tid, []))]
        if group is None:
            out.append(
                {**theme, "label": theme.get("label") or " / ".join(w for w, _ in words[:3])}
            )
            continue
        centrality = (
            group["centrality"].to_numpy() if "centrality" in group else np.zeros(len(group))
        )
        texts = group["text"].tolist()
        reps = representatives(
            texts, centrality, k=1, keywords=[w for w, _ in words], known_emotes=known_emotes
        )
        label = group_label(
            texts,
            words,
            users=group["user"].astype(str).tolist(),
            typical=reps[0] if reps else None,
            known_emotes=known_emotes,
        )
        out.append({**theme, "label": label})
    return out


def _mean_or_none(values: pd.Series) -> float | None:
    clean = values.dropna()
    return round(float(clean.mean()), 4) if len(clean) else None


def _iso(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).isoformat()
