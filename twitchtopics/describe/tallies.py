"""Tallies of votes and quiz answers, and moderation (bans, timeouts) after a group.

Answers
    In a ``votes`` or ``quiz`` group the answers *are* the content: ``answer_tally`` counts
    each short message (at most ``ANSWER_MAX_WORDS`` words, mentions left out) by its
    case-folded text without punctuation (``B``, ``b !`` and ``b`` are one answer), shown in its most frequent
    spelling, most frequent first. Emotes and laughter around an answer are left out ("B mdr" is B); emote-only messages
    are reactions, not answers. Answers
    typed once are left out (they are noise, not a
    choice), at most ``MAX_ANSWERS`` are kept.

Moderation
    A ban or a timeout is a ``system`` message whose text is a moderation notice: the IRC
    reader's CLEARCHAT rows (``X has been timed out for 600s``, ``X has been banned``), Chatty's
    ``BAN: x (600s)``, the same sentences from other downloaders. ``moderation_after`` counts,
    for a group, the notices within ``MODERATION_WINDOW_S`` seconds after any of its messages:
    a racist flood followed by a wave of timeouts shows as such.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from twitchtopics.chat.emotes import is_emoji, is_emote
from twitchtopics.chat.normalize import clean_text
from twitchtopics.chat.reaction_tokens import is_laughter_token

__all__ = [
    "ANSWER_MAX_WORDS",
    "MODERATION_WINDOW_S",
    "answer_tally",
    "is_moderation",
    "moderation_after",
]

ANSWER_MAX_WORDS = 3
MAX_ANSWERS = 12
MODERATION_WINDOW_S = 60.0
_MODERATION_RE = re.compile(
    r"^\s*(?:BAN:\s|\S+ (?:has been|was|got) (?:timed out|(?:permanently )?banned))",
    re.IGNORECASE,
)
_EDGE_PUNCT = ".,;:!?¡¿…\"'()[]*~"


def _answer_key(text: str, known_emotes: frozenset[str] | set[str]) -> tuple[str, str] | None:
    """(case-folded key, shown spelling) of a short answer; None for longer messages and for
    emote-only ones (a reaction, not an answer)."""
    words = [w.strip(_EDGE_PUNCT) for w in clean_text(text).split() if not w.startswith("@")]
    words = [w for w in words if w]
    if not words or len(words) > ANSWER_MAX_WORDS:
        return None
    # "B mdr", "C KEKW": the answer is B, C; an emote or laughter alone is no answer
    words = [w for w in words if not (is_emote(w, known_emotes) or is_emoji(w))]
    words = [w for w in words if not is_laughter_token(w)]
    if not words:
        return None
    shown = " ".join(words)
    return shown.casefold(), shown


def answer_tally(
    texts: Sequence[str],
    *,
    min_count: int = 2,
    known_emotes: frozenset[str] | set[str] = frozenset(),
) -> list[list[str | int]]:
    """``[[answer, count], ...]`` of a group's short answers, most frequent first."""
    counts: Counter[str] = Counter()
    spellings: Counter[tuple[str, str]] = Counter()
    for text in texts:
        found = _answer_key(text if isinstance(text, str) else "", known_emotes)
        if found is None:
            continue
        counts[found[0]] += 1
        spellings[found] += 1
    shown: dict[str, str] = {}
    for (key, spelling), _ in sorted(spellings.items(), key=lambda kv: (-kv[1], kv[0][1])):
        shown.setdefault(key, spelling)
    ranked = sorted(counts.items(), key=lambda kc: (-kc[1], shown[kc[0]]))
    return [[shown[key], int(n)] for key, n in ranked if n >= min_count][:MAX_ANSWERS]


def format_answers(answers: Sequence[Sequence[object]] | None, limit: int = 6) -> str:
    """``B 149 · C 143 · A 74`` (empty when there are none)."""
    return " · ".join(f"{a} {n}" for a, n in list(answers or [])[:limit])


def is_moderation(text: str, kind: str) -> bool:
    """Whether a message is a ban or timeout notice (a ``system`` message; module doc)."""
    return kind == "system" and bool(_MODERATION_RE.match(text or ""))


def moderation_offsets(
    texts: Sequence[str], kinds: Sequence[str], offsets: np.ndarray
) -> np.ndarray:
    """Sorted offsets (s) of the log's bans and timeouts."""
    if len(texts) != len(kinds):
        raise ValueError(f"{len(texts)} texts but {len(kinds)} kinds")
    # only system messages can be notices: the pattern runs on those alone (4 of 318 s
    # profiled describing 1M messages went to testing every message)
    notices = [
        i for i, kind in enumerate(kinds) if kind == "system" and is_moderation(texts[i], kind)
    ]
    return np.sort(np.asarray(offsets, dtype=float)[notices]) if len(texts) else np.zeros(0)


def moderation_after(
    group_offsets: np.ndarray, moderation: np.ndarray, window_s: float = MODERATION_WINDOW_S
) -> int:
    """How many moderation offsets (sorted) fall within ``window_s`` after some message of the
    group: the union of the intervals [t, t + window_s], each notice counted once."""
    if len(moderation) == 0 or len(group_offsets) == 0:
        return 0
    starts = np.sort(np.asarray(group_offsets, dtype=float))
    total = 0
    begin, end = starts[0], starts[0] + window_s
    for t in starts[1:]:
        if t <= end:  # overlapping: extend the current interval
            end = max(end, t + window_s)
            continue
        total += _count_between(moderation, begin, end)
        begin, end = t, t + window_s
    return total + _count_between(moderation, begin, end)


def _count_between(sorted_values: np.ndarray, low: float, high: float) -> int:
    lo = np.searchsorted(sorted_values, low, side="left")
    hi = np.searchsorted(sorted_values, high, side="right")
    return int(max(0, hi - lo))
