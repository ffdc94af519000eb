"""Representative messages: the most typical distinct messages of a group, readable ones first.

A message is *typical* when it is near the group's centre in the space that grouped it
(``centrality``, 1 = the most central), when it carries the group's keywords, and when many
people typed it. ``typical_order`` scores each distinct text (one per ``canonical_form``: a
flood shows once) by

    score = centrality + KEYWORD_WEIGHT * keyword coverage + COPIES_WEIGHT * copies term

and walks them best first, readable texts before the others (``is_readable``: two different
real words, one of them no stop word, at most ``MAX_READABLE_CHARS`` characters), skipping a
text whose keyword set nearly holds, or is nearly held by, one already chosen (overlap >=
``NEAR_DUPLICATE``: "x: y: DONT COPY PASTE THE NAME" repeats "DONT COPY PASTE THE NAME"). Unreadable texts ("OOF", "CCCC", "le s", emote-only) only fill places
that readable ones cannot. The keyword weight is as large as the centrality's: on the issue's
examples the most central message of a group often said nothing of its keywords ("cc tlm vous
allez bi1 ?" under ``raison / centrales / rire``); coverage pulls those back.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from twitchtopics.chat.emotes import is_emoji, is_emote
from twitchtopics.chat.normalize import canonical_form, clean_text, replace_urls, shorten
from twitchtopics.chat.reaction_tokens import is_laughter_token
from twitchtopics.chat.tokens import STOP_WORDS, keyword_tokens

__all__ = ["is_readable", "representatives", "shorten", "typical_order"]

_EMPTY: frozenset[str] = frozenset()
KEYWORD_WEIGHT = 1.0
COPIES_WEIGHT = 0.3
NEAR_DUPLICATE = 0.8
MAX_READABLE_CHARS = 200
KEYWORDS_CONSIDERED = 5
_WORD_RE = re.compile(r"[^\W\d_]{2,}(?:['’-][^\W\d_]+)*")


def is_readable(text: str, known_emotes: frozenset[str] | set[str] = _EMPTY) -> bool:
    """Two different real words (2+ letters, no emote), one no stop word; not a wall of text.

    Mentions, links and laughter ("HAHAHAH XDDD") are not words. "OOF", "CCCC", "le s", "Moskau
    Moskau", "@streamer hiho" and emote spam are not readable; "quel banger" is.
    """
    if len(text) > MAX_READABLE_CHARS:
        return False
    if isinstance(known_emotes, frozenset):
        return _is_readable(text, known_emotes)
    return _is_readable.__wrapped__(text, known_emotes)


@lru_cache(maxsize=1 << 17)
def _is_readable(text: str, known_emotes: frozenset[str] | set[str]) -> bool:
    words = []
    # the one URL rule: a clip link's slug ("SmilingAbnegateCardDendiFace") is no word; a clip
    # link alone once led an AdmiralBulldog group's typical messages
    for tok in replace_urls(text, " ").split():
        if tok.startswith("@") or is_emote(tok, known_emotes) or is_emoji(tok):
            continue
        words.extend(w.casefold() for w in _WORD_RE.findall(tok) if not is_laughter_token(w))
    distinct = set(words)
    return len(distinct) >= 2 and any(w not in STOP_WORDS for w in distinct)


def _finite(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) else 0.0


def typical_order(
    texts: Sequence[str],
    centrality: np.ndarray | Sequence[float],
    *,
    keywords: Sequence[str] = (),
    k: int | None = 5,
    known_emotes: frozenset[str] | set[str] = _EMPTY,
) -> list[int]:
    """Positions of up to ``k`` (all when None) typical distinct messages, best first.

    ``keywords``: the group's keywords, best first (the first ``KEYWORDS_CONSIDERED`` count,
    the first ones more). Deterministic: ties keep the given order.
    """
    if len(texts) != len(centrality):
        raise ValueError(f"{len(texts)} texts but {len(centrality)} centrality values")
    if k is not None and k <= 0:
        return []
    weights = {
        w.casefold(): 1.0 / (1 + rank) for rank, w in enumerate(keywords[:KEYWORDS_CONSIDERED])
    }
    total_weight = sum(weights.values()) or 1.0
    forms: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        form = _form(text if isinstance(text, str) else "", known_emotes)
        if form:
            forms.setdefault(form, []).append(i)
    n = max(len(texts), 2)
    near = [_finite(c) for c in centrality]
    scored: list[tuple[int, float, int, frozenset[str]]] = []
    for members in forms.values():
        best = members[0] if len(members) == 1 else max(members, key=lambda i: (near[i], -i))
        words, readable = _text_facts(texts[best], known_emotes)
        coverage = sum(weights.get(w, 0.0) for w in words) / total_weight
        copies = math.log(len(members)) / math.log(n)
        score = near[best] + KEYWORD_WEIGHT * coverage + COPIES_WEIGHT * copies
        scored.append((0 if readable else 1, -score, best, words))
    scored.sort(key=lambda row: row[:3])
    chosen: list[int] = []
    chosen_words: list[frozenset[str]] = []
    for _, _, i, words in scored:
        if words and any(_overlap(words, other) >= NEAR_DUPLICATE for other in chosen_words):
            continue
        chosen.append(i)
        chosen_words.append(words)
        if k is not None and len(chosen) >= k:
            break
    return chosen


def _form(text: str, known_emotes: frozenset[str] | set[str]) -> str:
    """The key a message's copies share (its canonical form, else its clean text; "" for an
    empty message). Remembered per text: per message it was a third of `typical_order`
    (1.9M `canonical_form` calls describing 1M messages)."""
    if isinstance(known_emotes, frozenset):
        return _cached_form(text, known_emotes)
    return _cached_form.__wrapped__(text, known_emotes)


@lru_cache(maxsize=1 << 17)
def _cached_form(text: str, known_emotes: frozenset[str] | set[str]) -> str:
    clean = clean_text(text)
    return (canonical_form(clean, known_emotes) or clean) if clean else ""


def _text_facts(text: str, known_emotes: frozenset[str] | set[str]) -> tuple[frozenset[str], bool]:
    """A message's case-folded keyword tokens, and whether it is readable."""
    if isinstance(known_emotes, frozenset) and isinstance(text, str):
        return _cached_text_facts(text, known_emotes)
    return _cached_text_facts.__wrapped__(text, known_emotes)


@lru_cache(maxsize=1 << 17)
def _cached_text_facts(
    text: str, known_emotes: frozenset[str] | set[str]
) -> tuple[frozenset[str], bool]:
    words = frozenset(t.casefold() for t in keyword_tokens(text, known_emotes))
    return words, is_readable(clean_text(text), known_emotes)


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the smaller set found in the other (a copy with names prepended is a copy);
    for sets under 3 words, the Jaccard index ("de vinci" does not repeat a quiz question)."""
    if not a or not b:
        return 0.0
    if min(len(a), len(b)) < 3:
        return len(a & b) / len(a | b)
    return len(a & b) / min(len(a), len(b))


def representatives(
    texts: Sequence[str],
    centrality: np.ndarray | Sequence[float],
    *,
    k: int = 5,
    max_len: int = 80,
    keywords: Sequence[str] = (),
    known_emotes: frozenset[str] | set[str] = _EMPTY,
) -> list[str]:
    """Up to ``k`` typical distinct messages (``typical_order``), cleaned and shortened."""
    order = typical_order(texts, centrality, keywords=keywords, k=k, known_emotes=known_emotes)
    return [shorten(clean_text(texts[i]), max_len) for i in order]
