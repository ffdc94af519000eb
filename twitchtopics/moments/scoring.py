"""Rank a stream's moments by how much chat stands out from the chat around it.

For every 60-second window starting on a 10-second bin:

* **chatter lift** ``log2((c + 2) / (base + 2))``: c distinct chatters in the window against
  the median of the same-sized windows in the 5 minutes before and after (the window and a
  minute either side left out). Counting people, not lines, is the rate: one person pasting
  20 lines is not 20 people reacting. The +2 keeps 3 chatters against 1 on a slow stream from
  looking like a riot.
* **reaction lift**: share of laughter / hype messages (LUL, KEKW, mdr, Pog, monkaS, CLIP
  IT...) minus its local mean, times ``REACTION_WEIGHT``;
* **new group lift**: share of the window taken by one group born at most a minute before it,
  minus its local mean, times ``NEW_GROUP_WEIGHT``.

Windows are taken best first, each at least ``min_gap`` from those already taken; a moment
then spans the bins around its window whose message rate stays above the local one.

Weights, measured with ``benchmarks/highlights.py`` (precision@10 on two logs whose events
were listed by hand before any tuning; Fall Guys stream / slow ad-reaction stream): chatters
alone 0.9 / 0.8; with the reaction lift (0.75) 0.9 / 0.6, its two extra misses being the
second laughter wave of listed events 61-66 s after them, kept because editors want those
waves; with the new-group lift (0.25) too 0.9 / 0.5, so the new group is measured and shown
in every moment's reasons but weighs 0: with time-aware groups, most windows hold a young one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from twitchtopics.moments.signals import (
    BIN_S,
    ChatSignals,
    local_mean,
    local_median,
    sliding_sum,
    window_chatters,
)

WINDOW_S = 60.0  # the span a moment is scored on: chat's reaction to one event lasts ~1 min
CONTEXT_S = 300.0  # the local baseline looks this far before and after
GUARD_S = 60.0  # ... leaving out this much either side of the window itself
MAX_EXTEND_S = 120.0  # a moment grows at most this much beyond its scoring window, each side
MIN_MESSAGES = 3  # fewer chat messages than this in 60 s is never a moment
REACTION_WEIGHT = 0.75
NEW_GROUP_WEIGHT = 0.0
PSEUDO_COUNT = 2.0
DEFAULT_MIN_GAP_S = 120.0


@dataclass
class BinScores:
    """Every window's score and signals, as arrays indexed by the window's first bin."""

    score: np.ndarray
    count: np.ndarray  # chat messages in the window
    count_base: np.ndarray
    chatters: np.ndarray
    chatters_base: np.ndarray
    reaction_share: np.ndarray
    reaction_base: np.ndarray
    new_group_share: np.ndarray
    new_group_base: np.ndarray
    new_group: np.ndarray  # the group id behind new_group_share (-1 = none)
    bin_counts: np.ndarray  # chat messages per 10-s bin


def _lift(value: np.ndarray, base: np.ndarray) -> np.ndarray:
    return np.log2((value + PSEUDO_COUNT) / (base + PSEUDO_COUNT))


def new_group_shares(signals: ChatSignals, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Per window: the largest share taken by one group born at most a minute before it."""
    n_bins = signals.n_bins
    grouped = signals.topics >= 0
    topics = signals.topics[grouped]
    bins = signals.bin_of(signals.offsets[grouped])
    share = np.zeros(n_bins)
    which = np.full(n_bins, -1, dtype=np.int64)
    if not len(topics):
        return share, which
    n_topics = int(topics.max()) + 1
    first_bin = np.full(n_topics, n_bins, dtype=np.int64)
    np.minimum.at(first_bin, topics, bins)
    lead = int(round(GUARD_S / BIN_S))
    counts = np.zeros((n_bins, n_topics), dtype=np.float32) if n_bins * n_topics < 5e7 else None
    if counts is None:  # huge streams: only groups born near each window matter; go per group
        return _new_group_shares_sparse(signals, width, topics, bins, first_bin, lead)
    np.add.at(counts, (bins, topics), 1.0)
    csum = np.concatenate([np.zeros((1, n_topics), np.float32), np.cumsum(counts, axis=0)])
    for i in range(n_bins):
        hi = min(i + width, n_bins)
        young = np.flatnonzero((first_bin >= i - lead) & (first_bin < hi))
        if not young.size:
            continue
        in_window = csum[hi, young] - csum[i, young]
        total = float((csum[hi] - csum[i]).sum())
        best = int(np.argmax(in_window))
        if total > 0:
            share[i], which[i] = float(in_window[best]) / total, int(young[best])
    return share, which


def _new_group_shares_sparse(
    signals: ChatSignals,
    width: int,
    topics: np.ndarray,
    bins: np.ndarray,
    first_bin: np.ndarray,
    lead: int,
) -> tuple[np.ndarray, np.ndarray]:
    """`new_group_shares` without the dense (bins x groups) table, for very long streams."""
    n_bins = signals.n_bins
    total = sliding_sum(np.bincount(bins, minlength=n_bins).astype(float), width)
    share = np.zeros(n_bins)
    which = np.full(n_bins, -1, dtype=np.int64)
    order = np.argsort(topics, kind="stable")
    bounds = np.searchsorted(topics[order], np.arange(len(first_bin) + 1))
    for g in range(len(first_bin)):
        gb = np.bincount(bins[order[bounds[g] : bounds[g + 1]]], minlength=n_bins).astype(float)
        lo, hi = max(0, first_bin[g] - width + 1), min(n_bins, first_bin[g] + lead + 1)
        if lo >= hi:
            continue
        in_window = sliding_sum(gb, width)[lo:hi]
        frac = np.where(total[lo:hi] > 0, in_window / np.maximum(total[lo:hi], 1), 0.0)
        better = frac > share[lo:hi]
        share[lo:hi][better] = frac[better]
        which[lo:hi][better] = g
    return share, which


def score_bins(signals: ChatSignals) -> BinScores:
    """Score every 60-second window of the stream (see the module docstring)."""
    n_bins = signals.n_bins
    width = int(round(WINDOW_S / BIN_S))
    radius = int(round(CONTEXT_S / BIN_S))
    guard = int(round(GUARD_S / BIN_S))
    bins = signals.bin_of(signals.offsets)
    bin_counts = np.bincount(bins, minlength=n_bins).astype(float)
    count = sliding_sum(bin_counts, width)
    starts = np.arange(n_bins) * BIN_S
    chatters = window_chatters(signals, starts, WINDOW_S)
    count_base = local_median(count, radius + width, guard + width, width + guard)
    chatters_base = local_median(chatters, radius + width, guard + width, width + guard)
    reactions = sliding_sum(np.bincount(bins, weights=signals.reaction, minlength=n_bins), width)
    reaction_share = np.where(count > 0, reactions / np.maximum(count, 1), 0.0)
    reaction_base = local_mean(reaction_share, radius + width, guard + width, width + guard)
    new_share, new_group = new_group_shares(signals, width)
    new_base = local_mean(new_share, radius + width, guard + width, width + guard)
    score = (
        _lift(chatters, chatters_base)
        + REACTION_WEIGHT * np.clip(reaction_share - reaction_base, 0.0, None)
        + NEW_GROUP_WEIGHT * np.clip(new_share - new_base, 0.0, None)
    )
    score = np.where(count >= MIN_MESSAGES, score, -math.inf)
    return BinScores(
        score=score,
        count=count,
        count_base=count_base,
        chatters=chatters,
        chatters_base=chatters_base,
        reaction_share=reaction_share,
        reaction_base=reaction_base,
        new_group_share=new_share,
        new_group_base=new_base,
        new_group=new_group,
        bin_counts=bin_counts,
    )


def pick_windows(
    scores: BinScores, top: int, min_gap_s: float, lo_s: float = 0.0, hi_s: float = math.inf
) -> list[int]:
    """The best windows, best first, each at least `min_gap_s` from the ones already taken,
    starting inside [lo_s, hi_s) (a `--window`) with the moment grown from it (`extent`)
    overlapping that span: `report --window 0:30-0:45` listed a moment at 0:45:11."""
    order = np.argsort(-scores.score, kind="stable")
    taken: list[int] = []
    for i in order:
        if len(taken) >= top or not np.isfinite(scores.score[i]) or scores.score[i] <= 0:
            break
        start = i * BIN_S
        if start + WINDOW_S <= lo_s or start >= hi_s:
            continue
        first, last = extent(scores, i)  # a window's busy part may lie past the --window
        if (last + 1) * BIN_S <= lo_s or first * BIN_S >= hi_s:
            continue
        if all(abs(start - j * BIN_S) >= min_gap_s for j in taken):
            taken.append(int(i))
    return taken


def extent(scores: BinScores, i: int) -> tuple[int, int]:
    """First and last bin (inclusive) of the moment grown from window `i`.

    A bin belongs to the moment when its rate is above both 1.5x the local per-bin rate and a
    quarter of the window's busiest bin (on slow chat, one stray message would otherwise do);
    the window's quiet edges are trimmed, then it grows up to `MAX_EXTEND_S` each side.
    """
    width = int(round(WINDOW_S / BIN_S))
    counts = scores.bin_counts
    n = len(counts)
    first, last = i, min(i + width - 1, n - 1)
    level = max(1.5 * scores.count_base[i] / width, 0.25 * float(counts[first : last + 1].max()))
    while first < last and counts[first] <= level:
        first += 1
    while last > first and counts[last] <= level:
        last -= 1
    limit = int(round(MAX_EXTEND_S / BIN_S))
    lo_limit, hi_limit = max(0, first - limit), min(n - 1, last + limit)
    while first > lo_limit and counts[first - 1] > level:
        first -= 1
    while last < hi_limit and counts[last + 1] > level:
        last += 1
    return first, last


def signals_at(scores: BinScores, i: int) -> dict[str, Any]:
    """The numbers behind window `i`'s score, per minute where they are rates."""
    per_min = 60.0 / WINDOW_S
    return {
        "messages_per_min": round(float(scores.count[i]) * per_min, 1),
        "local_per_min": round(float(scores.count_base[i]) * per_min, 1),
        "chatters": int(scores.chatters[i]),
        "local_chatters": round(float(scores.chatters_base[i]), 1),
        "reaction_share": round(float(scores.reaction_share[i]), 3),
        "local_reaction_share": round(float(scores.reaction_base[i]), 3),
        "new_group_share": round(float(scores.new_group_share[i]), 3),
        "local_new_group_share": round(float(scores.new_group_base[i]), 3),
        "new_group": int(scores.new_group[i]) if scores.new_group_share[i] > 0 else None,
    }
