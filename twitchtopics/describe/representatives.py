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
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from twitchtopics.chat.emotes import is_emoji, is_emote
from twitchtopics.chat.normalize import canonical_form, clean_text, replace_urls, shorten
from twitchtopics.chat.reaction_tokens import is_laughter_token
from twitchtopics.chat.text_memo import per_text, remembered
from twitchtopics.chat.tokens import STOP_WORDS, keyword_tokens

__all__ = ["TypicalTexts", "is_readable", "representatives", "shorten", "typical_order"]

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
    return _is_readable(text, known_emotes)


@per_text(maxsize=1 << 17)
def _is_readable(text: str, known_emotes: frozenset[str] | set[str]) -> bool:
    distinct: set[str] = set()
    # the one URL rule: a clip link's slug ("SmilingAbnegateCardDendiFace") is no word; a clip
    # link alone once led an AdmiralBulldog group's typical messages
    for tok in replace_urls(text, " ").split():
        if tok not in known_emotes:
            distinct.update(_token_words(tok))
    return len(distinct) >= 2 and any(w not in STOP_WORDS for w in distinct)


@lru_cache(maxsize=1 << 18)
def _token_words(tok: str) -> tuple[str, ...]:
    """The real words of one token that is not one of the log's own emotes, case-folded:
    none in a mention, another emote or an emoji, laughter left out (remembered per token:
    the same words come back in most messages)."""
    if tok.startswith("@") or is_emote(tok) or is_emoji(tok):
        return ()
    return tuple(w.casefold() for w in _WORD_RE.findall(tok) if not is_laughter_token(w))


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
    table = TypicalTexts(texts, centrality, known_emotes=known_emotes)
    return table.order(np.arange(len(texts)), keywords=keywords, k=k)


class TypicalTexts:
    """`typical_order` for many groups of one table: each text's form and each row's
    centrality are read once for the table, not once per group.

    Describing and printing the 1M-message speed log's 36,486 groups called `typical_order`
    per group, with a Python loop over every message of the group (28.6 of 39.3 s profiled
    printing it). Here a group's forms, their best member and their copies come from one
    sort of the group's rows, and only each distinct form's best text is looked at in Python.
    """

    def __init__(
        self,
        texts: Sequence[str],
        centrality: np.ndarray | Sequence[float],
        *,
        known_emotes: frozenset[str] | set[str] = _EMPTY,
    ) -> None:
        if len(texts) != len(centrality):
            raise ValueError(f"{len(texts)} texts but {len(centrality)} centrality values")
        self._texts = texts
        self._known_emotes = known_emotes
        codes, uniques = _factorize(texts)
        form = remembered(_form, known_emotes)
        forms = [form(u, known_emotes) if isinstance(u, str) else "" for u in uniques]
        form_ids, form_uniques = _factorize(forms)
        if "" in form_uniques:  # an empty message has no form: never shown
            form_ids[form_ids == form_uniques.index("")] = -1
        self._form = np.where(codes >= 0, form_ids[np.maximum(codes, 0)], -1)
        self._near = _finite_array(centrality)

    def order(
        self, rows: np.ndarray, *, keywords: Sequence[str] = (), k: int | None = 5
    ) -> list[int]:
        """`typical_order` of the messages at `rows` (positions in the table): positions into
        `rows`, best first."""
        return self.orders([rows], [keywords], k=k)[0]

    def orders(
        self,
        groups: Sequence[np.ndarray],
        keywords: Sequence[Sequence[str]],
        *,
        k: int | None = 5,
    ) -> list[list[int]]:
        """`order` of each group (its rows, its keywords), with one sort for all groups: per
        group, numpy's calls cost more than the sort itself (36,486 groups)."""
        if len(groups) != len(keywords):
            raise ValueError(f"{len(groups)} groups but {len(keywords)} keyword lists")
        if k is not None and k <= 0:
            return [[] for _ in groups]
        runs = self._form_runs(groups)
        out = []
        for g, rows in enumerate(groups):
            lo, hi = runs.bounds[g], runs.bounds[g + 1]
            scored = self._scored(runs, lo, hi, keywords[g], math.log(max(len(rows), 2)))
            out.append(_pick_readable_first(scored, k, self._known_emotes))
        return out

    def _form_runs(self, groups: Sequence[np.ndarray]) -> _FormRuns:
        """Each group's distinct forms: best member, its text, its copies (see `_FormRuns`)."""
        groups = [np.asarray(rows, dtype=np.int64) for rows in groups]
        sizes = np.array([len(rows) for rows in groups], dtype=np.int64)
        rows = np.concatenate(groups) if groups else np.zeros(0, dtype=np.int64)
        group = np.repeat(np.arange(len(groups)), sizes)
        local = np.arange(len(rows)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        forms = self._form[rows]
        keep = forms >= 0  # an empty message is never shown
        rows, group, local, forms = rows[keep], group[keep], local[keep], forms[keep]
        near = self._near[rows]
        # by group, by form, then the most central first, then the first given (the max of
        # (near, -i) the per-group loop took)
        by_form = np.lexsort((local, -near, forms, group))
        group, forms = group[by_form], forms[by_form]
        new_run = np.ones(len(forms), dtype=bool)
        new_run[1:] = (forms[1:] != forms[:-1]) | (group[1:] != group[:-1])
        starts = np.flatnonzero(new_run)
        picked = by_form[starts]
        best_rows = rows[picked]
        return _FormRuns(
            bounds=np.searchsorted(group[starts], np.arange(len(groups) + 1)).tolist(),
            best=local[picked].tolist(),
            near=near[picked].tolist(),
            row=best_rows.tolist(),
            copies=np.diff(np.append(starts, len(forms))).tolist(),
        )

    def _scored(
        self, runs: _FormRuns, lo: int, hi: int, keywords: Sequence[str], log_n: float
    ) -> list[tuple[float, int, frozenset[str], str]]:
        """(-score, position, words, text) of one group's forms, runs [lo, hi); whether a
        text is readable is read later, where it matters (`_pick_readable_first`)."""
        weights = {
            w.casefold(): 1.0 / (1 + rank) for rank, w in enumerate(keywords[:KEYWORDS_CONSIDERED])
        }
        total_weight = sum(weights.values()) or 1.0
        scored = []
        text_words = remembered(_text_words, self._known_emotes)  # a form's text is a str
        for j in range(lo, hi):
            text = self._texts[runs.row[j]]
            words = text_words(text, self._known_emotes)
            # the keywords' weights in the words' order; a word not among them adds 0.0,
            # which leaves the sum's float as it was
            coverage = (
                0.0
                if words.isdisjoint(weights)
                else sum(weights[w] for w in words if w in weights) / total_weight
            )
            score = (
                runs.near[j]
                + KEYWORD_WEIGHT * coverage
                + COPIES_WEIGHT * (math.log(runs.copies[j]) / log_n)
            )
            scored.append((-score, runs.best[j], words, text))
        return scored

    def representatives(
        self,
        groups: Sequence[np.ndarray],
        keywords: Sequence[Sequence[str]],
        *,
        k: int = 5,
        max_len: int = 80,
    ) -> list[list[str]]:
        """`representatives` of each group (its rows, its keywords), from one `orders`."""
        return [
            [shorten(clean_text(self._texts[int(rows[i])]), max_len) for i in order]
            for rows, order in zip(groups, self.orders(groups, keywords, k=k), strict=True)
        ]


@dataclass
class _FormRuns:
    """Every group's distinct forms, group after group (group g's are [bounds[g],
    bounds[g + 1])): the position in its group of the form's best message, that message's
    centrality and table row, and the form's number of copies."""

    bounds: list[int]
    best: list[int]
    near: list[float]
    row: list[int]
    copies: list[int]


def _pick_readable_first(
    scored: list[tuple[float, int, frozenset[str], str]],
    k: int | None,
    known_emotes: frozenset[str] | set[str],
) -> list[int]:
    """The forms to show: readable first, best score first, near duplicates of those already
    chosen skipped; reading whether a text is readable only while it can matter: readable texts
    come first in score order, so once ``k`` of them are chosen no other text's readability
    is read. Most groups find their ``k`` among their first forms (`is_readable` of every
    form was 0.3 s of describing the 100k-message speed log)."""
    scored.sort(key=lambda row: row[:2])  # positions differ: no tie goes further
    chosen: list[int] = []
    chosen_words: list[frozenset[str]] = []
    unreadable: list[tuple[int, frozenset[str]]] = []

    def full() -> bool:
        return k is not None and len(chosen) >= k

    def take(i: int, words: frozenset[str]) -> None:
        if words and any(_overlap(words, other) >= NEAR_DUPLICATE for other in chosen_words):
            return
        chosen.append(i)
        chosen_words.append(words)

    readable = remembered(_text_readable, known_emotes)
    for _, i, words, text in scored:
        if not readable(text, known_emotes):
            unreadable.append((i, words))
            continue
        take(i, words)
        if full():
            return chosen
    for i, words in unreadable:  # in score order, as they come after every readable one
        take(i, words)
        if full():
            break
    return chosen


def _factorize(values: Sequence[object]) -> tuple[np.ndarray, list]:
    """(code per value, distinct values in first-seen order); None and NaN get code -1."""
    import pandas as pd

    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    return codes.astype(np.int64), list(uniques)


def _finite_array(centrality: np.ndarray | Sequence[float]) -> np.ndarray:
    """Each value as `_finite` reads it (not a finite number: 0.0), as float64."""
    array = np.asarray(centrality)
    if array.dtype.kind == "f":
        array = array.astype(np.float64)
        return np.where(np.isfinite(array), array, 0.0)
    return np.array([_finite(c) for c in array.tolist()], dtype=np.float64)


@per_text(maxsize=1 << 17)
def _form(text: str, known_emotes: frozenset[str] | set[str]) -> str:
    """The key a message's copies share (its canonical form, else its clean text; "" for an
    empty message). Remembered per text: per message it was a third of `typical_order`
    (1.9M `canonical_form` calls describing 1M messages)."""
    clean = clean_text(text)
    return (canonical_form(clean, known_emotes) or clean) if clean else ""


@per_text(maxsize=1 << 17)
def _text_words(text: str, known_emotes: frozenset[str] | set[str]) -> frozenset[str]:
    """A message's case-folded keyword tokens."""
    return frozenset(map(str.casefold, keyword_tokens(text, known_emotes)))


@per_text(maxsize=1 << 17)
def _text_readable(text: str, known_emotes: frozenset[str] | set[str]) -> bool:
    """Whether a message is readable (`is_readable` of its clean text)."""
    return is_readable(clean_text(text), known_emotes)


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
    table = TypicalTexts(texts, centrality, known_emotes=known_emotes)
    return table.representatives([np.arange(len(texts))], [keywords], k=k, max_len=max_len)[0]
