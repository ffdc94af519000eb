"""Everything said about every group of a clustered messages table, as topics.json entries.

Order matters: categories first (a tally's numbers are its keywords), then answers, keywords,
representatives (which favour messages carrying the keywords) and last the label (which may
fall back on the answers, keywords or most typical message).
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd

from twitchtopics.chat.tokens import STOP_WORDS
from twitchtopics.describe.categories import categorize_group
from twitchtopics.describe.keywords import topic_keywords
from twitchtopics.describe.labels import group_label
from twitchtopics.describe.representatives import TypicalTexts
from twitchtopics.describe.tallies import answer_tally, moderation_after, moderation_offsets
from twitchtopics.progress import StageProgress

__all__ = ["TALLY_CATEGORIES", "describe_groups", "label_themes"]

TALLY_CATEGORIES = ("votes", "quiz", "answers")
"""Categories whose groups get the tally of their short answers (`answers`: "oui 41" after
"who invests?", "8/10 4 · 10/10 3" when chat rates a film)."""
REPRESENTATIVES_STORED = 5


def group_positions(labels: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """(group id, positions of its rows in table order) for every label, ids ascending: what
    ``DataFrame.groupby(..., sort=True)`` yields, without a DataFrame per group (pandas'
    per-group indexing was ~40 % of the describe step on 10k messages, 529 groups)."""
    labels = np.asarray(labels)
    if len(labels) == 0:
        return []
    order = np.argsort(labels, kind="stable")
    ordered = labels[order]
    cuts = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
    starts = np.concatenate(([0], cuts))
    ends = np.concatenate((cuts, [len(labels)]))
    return [(int(ordered[a]), order[a:b]) for a, b in zip(starts, ends, strict=True)]


def _pick(values: list, positions: np.ndarray) -> list:
    """``values`` at ``positions``, by one `itemgetter` (a list comprehension per group and
    column was 0.1 s of describing the 100k-message speed log's 4,213 groups)."""
    if len(positions) <= 1:
        return [values[i] for i in positions.tolist()]
    return list(itemgetter(*positions.tolist())(values))


def time_spans(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """First and last time and offset of each group of ``frame`` (by column ``by``), indexed
    by group id: one groupby for all groups rather than four reductions per group."""
    return frame.groupby(by, sort=True).agg(
        first_time=("time", "min"),
        last_time=("time", "max"),
        first_offset_s=("offset_s", "min"),
        last_offset_s=("offset_s", "max"),
    )


def describe_groups(
    messages: pd.DataFrame,
    known_emotes: frozenset[str],
    top_n: int,
    *,
    progress: StageProgress | None = None,
) -> list[dict[str, Any]]:
    """topics.json entries of every group ``>= 0`` of ``messages`` (a bundle's table)."""
    clustered = messages[messages["topic"] >= 0]
    groups = group_positions(clustered["topic"].to_numpy())
    progress = progress or StageProgress()
    progress.total(len(groups))
    memo: dict = {}  # message analyses shared by every group's categorize_group
    reactions = known_emotes | recurring_reactions(clustered)
    texts_all = clustered["text"].tolist()
    kinds_all = clustered["kind"].tolist()
    users_str = clustered["user"].astype(str)
    users_all = users_str.tolist()
    offsets_float = clustered["offset_s"].to_numpy(dtype=float)
    offsets_all = clustered["offset_s"].astype(float).tolist()
    centrality_all = clustered["centrality"].to_numpy()
    silhouette_all = clustered["silhouette"].to_numpy(dtype=float)
    spans = time_spans(clustered, "topic").to_dict("index")
    writers = (
        clustered.loc[(users_str != "").to_numpy(), ["topic", "user"]]
        .groupby("topic")["user"]
        .nunique()
        .to_dict()
    )
    texts_of = {tid: _pick(texts_all, rows) for tid, rows in groups}
    users_of = {tid: _pick(users_all, rows) for tid, rows in groups}
    categories = {
        tid: categorize_group(
            texts_of[tid],
            known_emotes=reactions,
            kinds=_pick(kinds_all, rows),
            memo=memo,
            users=users_of[tid],
            offsets=_pick(offsets_all, rows),
        )
        for tid, rows in groups
    }
    answers = {
        tid: answer_tally(texts_of[tid], known_emotes=reactions)
        for tid, _ in groups
        if categories[tid] in TALLY_CATEGORIES
    }
    keywords = (
        topic_keywords(
            clustered["clean"].tolist(),
            clustered["topic"].to_numpy(),
            top_n=top_n,
            known_emotes=known_emotes,
            users=users_all,
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
    typical = TypicalTexts(texts_all, centrality_all, known_emotes=known_emotes)
    representatives = typical.representatives(
        [rows for _, rows in groups],
        [[w for w, _ in keywords.get(tid, [])] for tid, _ in groups],
        k=REPRESENTATIVES_STORED,
    )
    topics = []
    for (tid, rows), reps in zip(groups, representatives, strict=True):
        progress.update()
        words = keywords.get(tid, [])
        label = group_label(
            texts_of[tid],
            words,
            users=users_of[tid],
            answers=answers.get(tid),
            category=categories[tid],
            typical=reps[0] if reps else None,
            known_emotes=known_emotes,
        )
        span = spans[tid]
        topics.append(
            {
                "id": tid,
                "label": label,
                "size": int(len(rows)),
                "keywords": [[w, round(float(s), 4)] for w, s in words],
                "silhouette": _mean_or_none(silhouette_all[rows]),
                "first_time": _iso(span["first_time"]),
                "last_time": _iso(span["last_time"]),
                "first_offset_s": float(span["first_offset_s"]),
                "last_offset_s": float(span["last_offset_s"]),
                "category": categories[tid],
                "answers": answers.get(tid, []),
                "moderation": moderation_after(offsets_float[rows], bans),
                "representatives": reps,
                "users": int(writers.get(tid, 0)),
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
    # each distinct text once (4.6 of 268 s profiled on 1M messages when done per message);
    # a missing text is empty: pandas' str dtype keeps it missing, and factorize would give it
    # the code -1, which reads the last distinct text below
    codes, texts = pd.factorize(messages["text"].fillna("").astype(str))
    distinct = pd.Series(texts, dtype=object).str.strip().str.strip(".,;:!?")
    alone = distinct.str.fullmatch(r"[^\W\d_]{2,}[\w]*") & ~distinct.str.fullmatch(r"[a-dA-D]")
    words = pd.Series(distinct.to_numpy()[codes], index=messages.index)
    single = pd.Series(alone.to_numpy(dtype=bool)[codes], index=messages.index)
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
            # only themes without keywords of their own read these (ranking all 725 themes'
            # words was 0.1 s on the 100k-message speed log)
            wanted=[tid for tid, words in own.items() if not words],
        )
        if len(members) and not all(own.values())
        else {}
    )
    # each theme's rows without a DataFrame per theme (pandas' groupby was most of this step's
    # own time describing 1M messages)
    by_theme = dict(group_positions(members["theme"].astype(int).to_numpy()))
    texts_all = members["text"].tolist()
    users_all = members["user"].astype(str).tolist()
    centrality_all = (
        members["centrality"].to_numpy() if "centrality" in members else np.zeros(len(members))
    )
    words_of = {}
    for theme in themes:
        tid = int(theme["id"])
        words_of[tid] = [(str(w), float(s)) for w, s in (own.get(tid) or computed.get(tid, []))]
    present = [tid for tid in words_of if tid in by_theme]
    typical = TypicalTexts(texts_all, centrality_all, known_emotes=known_emotes)
    best_of = dict(
        zip(
            present,
            typical.representatives(
                [by_theme[tid] for tid in present],
                [[w for w, _ in words_of[tid]] for tid in present],
                k=1,
            ),
            strict=True,
        )
    )
    out = []
    for theme in themes:
        tid = int(theme["id"])
        rows = by_theme.get(tid)
        words = words_of[tid]
        if rows is None:
            out.append(
                {**theme, "label": theme.get("label") or " / ".join(w for w, _ in words[:3])}
            )
            continue
        texts = _pick(texts_all, rows)
        reps = best_of[tid]
        label = group_label(
            texts,
            words,
            users=_pick(users_all, rows),
            typical=reps[0] if reps else None,
            known_emotes=known_emotes,
        )
        out.append({**theme, "label": label})
    return out


def _mean_or_none(values: np.ndarray) -> float | None:
    """The mean of the values that are not NaN, rounded (as ``Series.dropna().mean()``)."""
    clean = values[~np.isnan(values)]
    return round(float(clean.sum() / len(clean)), 4) if len(clean) else None


def _iso(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).isoformat()
