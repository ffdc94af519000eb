"""The per-message and per-bin signals a moment is scored from, all read from the bundle.

Chat reacts to what happens on stream in four ways that show in a log: more messages than
usual for this part of the stream, more *people* writing (not one spammer), a wave of laughter
or hype emotes, and a new group of messages that did not exist a minute earlier ("CLIP IT",
"he fell off", a quote everyone repeats). Each is measured on 10-second bins, so a moment's
start and end are known to ~10 s, and compared with the chat *around* it (the local baseline),
not with the whole stream: on a busy broadcast the stream median is already high, and a rule
like "3x the stream's median" never fires there (issue 13: 1,142/min at best against a
1,737/min threshold), while on a slow stream it fires on every small flurry.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from twitchtopics.chat.reactions import is_greeting, is_laughter

BIN_S = 10.0
# Words and emotes chat writes when something big happens on stream (case-insensitive).
HYPE_TOKENS = frozenset(
    {
        "pog",
        "pogchamp",
        "pogu",
        "poggers",
        "poggies",
        "pogslide",
        "kreygasm",
        "monkas",
        "monkaw",
        "monkaomega",
        "wutface",
        "dansgame",
        "notlikethis",
        "pepehands",
        "biblethump",
        "sadge",
        "ez",
        "clap",
        "claps",
        "gg",
        "ggs",
        "ggwp",
        "letsgo",
        "letsgoo",
        "hype",
        "omg",
        "wow",
        "wtf",
        "sheesh",
        "holy",
        "clip",
        "clipit",
        "noway",
        "insane",
        "😱",
        "🔥",
        "😮",
        "😳",
        "!!!",
    }
)
# A hype reaction is a short message: a long one that contains "wow" is a comment, not a wave.
MAX_REACTION_TOKENS = 6


@lru_cache(maxsize=200_000)
def is_reaction_text(text: str) -> bool:
    """Whether a (normalised) message is laughter (`chat.reactions.is_laughter`, the one
    definition) or hype: short, and one of its tokens is a hype word or emote."""
    if is_laughter(text):
        return True
    tokens = text.split()
    if not tokens or len(tokens) > MAX_REACTION_TOKENS:
        return False
    for token in tokens:
        low = token.lower().strip(".,!?")
        if low in HYPE_TOKENS or token.rstrip("!?") == "":
            return True
        if "clip" in low:  # "CLIP IT", "clipped", "clippers"
            return True
    return False


def is_greeting_text(text: str) -> bool:
    """Whether a (normalised) message is only a greeting (`chat.reactions.is_greeting`, the one
    definition): people arriving, not chat reacting."""
    return is_greeting(text)


@dataclass
class ChatSignals:
    """The stream's chat messages as arrays, time-sorted, with what scoring needs per message."""

    offsets: np.ndarray  # float seconds since the start
    users: np.ndarray  # int codes of the chatters
    reaction: np.ndarray  # bool: laughter or hype
    greeting: np.ndarray  # bool: only a greeting (hi, bonsoir, o7): arrivals, not reactions
    topics: np.ndarray  # int group id, -1 = none
    rows: np.ndarray  # row of each message in the bundle's messages table
    duration: float

    @property
    def n_bins(self) -> int:
        return int(max(self.duration, 0.0) // BIN_S) + 1

    def bin_of(self, offsets: np.ndarray) -> np.ndarray:
        return np.clip((np.asarray(offsets) // BIN_S).astype(int), 0, self.n_bins - 1)


def chat_signals(messages: pd.DataFrame, kinds: tuple[str, ...], duration: float) -> ChatSignals:
    """Pick the chat messages (the kinds the run clustered) and compute their per-message flags."""
    chat = messages[messages["kind"].isin(kinds)]
    offsets = chat["offset_s"].astype(float).to_numpy()
    order = np.argsort(offsets, kind="stable")
    text_col = "clean" if "clean" in chat.columns else "text"
    texts = chat[text_col].astype(str).to_numpy()[order]
    distinct = pd.unique(texts)
    flags = {t: is_reaction_text(t) for t in distinct}
    greets = {t: is_greeting_text(t) for t in distinct}
    users = pd.factorize(chat["user"].astype(str).to_numpy()[order])[0]
    topics = chat["topic"].fillna(-1).astype(int).to_numpy()[order]
    return ChatSignals(
        offsets=offsets[order],
        users=np.asarray(users, dtype=np.int64),
        reaction=np.fromiter((flags[t] for t in texts), dtype=bool, count=len(texts)),
        greeting=np.fromiter((greets[t] for t in texts), dtype=bool, count=len(texts)),
        topics=topics,
        rows=np.flatnonzero(messages["kind"].isin(kinds).to_numpy())[order],
        duration=max(duration, float(offsets.max()) if len(offsets) else 0.0),
    )


def sliding_sum(values: np.ndarray, width: int) -> np.ndarray:
    """`out[i] = values[i:i+width].sum()` (shorter at the end)."""
    csum = np.concatenate([[0.0], np.cumsum(values, dtype=np.float64)])
    hi = np.minimum(np.arange(len(values)) + width, len(values))
    return csum[hi] - csum[: len(values)]


def window_chatters(signals: ChatSignals, starts: np.ndarray, span_s: float) -> np.ndarray:
    """Distinct chatters in [start, start + span) for each start (offsets are sorted), not
    counting messages that are only a greeting: people arriving (the stream's first minutes)
    are not chat reacting to something."""
    lo = np.searchsorted(signals.offsets, starts, side="left")
    hi = np.searchsorted(signals.offsets, starts + span_s, side="left")
    users = np.where(signals.greeting, -1, signals.users)
    out = np.zeros(len(starts))
    for k, (a, b) in enumerate(zip(lo, hi, strict=True)):
        if b > a:
            found = np.unique(users[a:b])
            out[k] = len(found) - int(found[0] < 0)
    return out


def local_median(values: np.ndarray, radius: int, exclude_lo: int, exclude_hi: int) -> np.ndarray:
    """For each i, the median of `values[i-radius : i+radius]` without `[i-exclude_lo, i+exclude_hi)`.

    The moment itself is left out of its own baseline, else a long burst raises the bar it is
    measured against. Vectorised: each side is a fixed-width view of a NaN-padded copy.
    """
    n = len(values)
    left_w, right_w = radius - exclude_lo, radius - exclude_hi
    if n == 0 or left_w <= 0 or right_w <= 0:
        return np.asarray(values, dtype=np.float64).copy()
    padded = np.concatenate(
        [np.full(radius, np.nan), values.astype(np.float64), np.full(radius, np.nan)]
    )
    idx = np.arange(n)
    left = sliding_window_view(padded, left_w)[idx]  # values[i-radius : i-exclude_lo]
    right = sliding_window_view(padded, right_w)[idx + radius + exclude_hi]
    around = np.concatenate([left, right], axis=1)
    empty = np.isnan(around).all(axis=1)
    around[empty] = 0.0
    out = np.nanmedian(around, axis=1)
    return np.where(empty, values, out)


def local_mean(values: np.ndarray, radius: int, exclude_lo: int, exclude_hi: int) -> np.ndarray:
    """Like `local_median`, the mean (for shares, where a median of mostly-zero bins says 0)."""
    n = len(values)
    csum = np.concatenate([[0.0], np.cumsum(values, dtype=np.float64)])
    idx = np.arange(n)
    a, b = np.maximum(0, idx - radius), np.maximum(0, idx - exclude_lo)
    c, d = np.minimum(n, idx + exclude_hi), np.minimum(n, idx + radius)
    total = (csum[b] - csum[a]) + (csum[d] - csum[c])
    count = (b - a) + (d - c)
    return np.where(count > 0, total / np.maximum(count, 1), values)
