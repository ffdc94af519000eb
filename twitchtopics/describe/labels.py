"""A short readable label (2-6 words) for a group, taken from its own messages.

Method (no model, no network): every word n-gram of 2 to ``MAX_WORDS`` words that starts and
ends on a content word (a word with a letter, no stop word, mention or link) is a candidate
phrase (a message's first words may start one with a stop word), and so is a whole message of 2 to ``MAX_WORDS`` words (chants such as "no balls no
yogg" start with a stop word). A phrase scores

    score = (sum of the c-TF-IDF weights of the group's keywords it contains) * sqrt(writers)

with ``writers`` the number of different chatters (or messages, when users are unknown) who
wrote it; a phrase must hold a keyword and be written by at least ``MIN_WRITERS`` of them (or
by every message of a smaller group); failing that, a phrase one chatter wrote that joins two
keywords ("chute libre de la productivité") beats a list of keywords, and repeat no content word ("massietDab massietDab"). Summing keyword weights favours phrases that join
several keywords ("no balls no yogg"), the square root keeps one copied line from beating a
phrase many people wrote in their own words. The phrase is shown in its most frequent
spelling.

When no phrase qualifies the label falls back, in order, to: the group's answers for a tally
("B / C / A"), its best keywords joined ("yogg / balls"), its most typical message cut to
``MAX_WORDS`` words (mentions left out, ending on a content word), its most frequent short
messages ("ah bon? / AH NON / Bof"), or its category.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from functools import lru_cache

from twitchtopics.chat.emotes import is_emoji, is_emote
from twitchtopics.chat.normalize import (
    MENTION,
    clean_text,
    first_group,
    replace_urls,
    strip_accents,
)
from twitchtopics.chat.reaction_tokens import is_laughter_token
from twitchtopics.chat.text_memo import per_text, remembered
from twitchtopics.chat.tokens import STOP_WORDS

__all__ = ["MAX_WORDS", "group_label"]

_EMPTY: frozenset[str] = frozenset()
MAX_WORDS = 6
MIN_WRITERS = 2
MAX_LABEL_CHARS = 48
TOP_KEYWORDS = 3
"""A label holds one of the group's best keywords ("en effet", with the 5th, says nothing)."""
_GLUED_RE = re.compile(r"\s+([,'’])\s*")  # "a , b" -> "a,b", "l ' eau" -> "l'eau"
_TOKEN_RE = re.compile(r"[\w'’+#-]+|[^\w\s]", re.UNICODE)


def _tokens(text: str, known_emotes: frozenset[str] | set[str]) -> list[str]:
    """Words of a message with their spelling; mentions and links become breaks (``|``)."""
    return list(_cached_tokens(text, known_emotes))


@per_text(maxsize=1 << 17)
def _cached_tokens(text: str, known_emotes: frozenset[str] | set[str]) -> tuple[str, ...]:
    out: list[str] = []
    for chunk in replace_urls(clean_text(text), " | ").split():
        if chunk in known_emotes and not chunk.startswith("@"):
            out.append(chunk)
        else:
            out.extend(_chunk_tokens(chunk))
    return tuple(out)


@lru_cache(maxsize=1 << 18)
def _chunk_tokens(chunk: str) -> tuple[str, ...]:
    """The tokens of one whitespace-free chunk that is not one of the log's own emotes: a
    mention is a break, another emote or an emoji is itself, anything else its words and
    punctuation (remembered per chunk: chat's words come back in most messages)."""
    if chunk.startswith("@"):
        return ("|",)
    if is_emote(chunk) or is_emoji(chunk):
        return (chunk,)
    return tuple(_TOKEN_RE.findall(chunk))


@lru_cache(maxsize=1 << 17)
def _is_content(token: str) -> bool:
    folded = token.casefold()
    return (
        (any(ch.isalnum() for ch in token) or is_emoji(token))
        and folded not in STOP_WORDS
        and strip_accents(folded) not in STOP_WORDS
    )


@lru_cache(maxsize=1 << 17)
def _is_word(token: str) -> bool:
    return token != "|" and (any(ch.isalnum() for ch in token) or is_emoji(token))


def _candidates(tokens: list[str]) -> set[tuple[str, ...]]:
    """Distinct n-grams (2..MAX_WORDS words, ends on content words) of one message, and the
    whole message when it is 2..MAX_WORDS words long (a chant: "no balls no yogg")."""
    found: set[tuple[str, ...]] = set()
    words_only = [t for t in tokens if _is_word(t)]
    if 2 <= len(words_only) <= MAX_WORDS and "|" not in tokens:
        found.add(tuple(words_only))
    for start, first in enumerate(tokens):
        # a message's opening words may be anything ("no balls no yogg"); elsewhere a phrase
        # starts on a content word
        if not (_is_content(first) or (start == 0 and any(ch.isalpha() for ch in first))):
            continue
        words = [first]
        for token in tokens[start + 1 :]:
            if not _is_word(token):
                if token in "|.!?;:":
                    break
                continue
            words.append(token)
            if len(words) > MAX_WORDS:
                break
            if _is_content(token):
                found.add(tuple(words))
    return found


def group_label(
    texts: Sequence[str],
    keywords: Sequence[tuple[str, float]] | Sequence[Sequence[object]],
    *,
    users: Sequence[str] | None = None,
    answers: Sequence[Sequence[object]] | None = None,
    category: str = "discussion",
    typical: str | None = None,
    known_emotes: frozenset[str] | set[str] = _EMPTY,
) -> str:
    """The group's label (module doc); never empty."""
    weights = {str(w).casefold(): float(s) for w, s in keywords}  # type: ignore[misc]
    if answers:
        return " / ".join(str(a) for a, _ in list(answers)[:3])
    top = {str(w).casefold() for w, _ in list(keywords)[:TOP_KEYWORDS]}  # type: ignore[misc]
    phrase = best_phrase(texts, weights, users=users, known_emotes=known_emotes, must=top)
    if phrase:
        return phrase
    words = [str(w) for w, _ in keywords][:3]  # type: ignore[misc]
    if len(words) >= 2:
        return " / ".join(words)
    if typical:
        excerpt = _excerpt(typical)
        if excerpt:
            return excerpt
    if words:
        return words[0]
    return _frequent_messages(texts) or _repeated_symbols(texts) or category


FREQUENT_SHOWN = 3


def _frequent_messages(texts: Sequence[str]) -> str | None:
    """The group's ``FREQUENT_SHOWN`` most frequent short messages (mentions left out, 1 to
    ``MAX_WORDS`` words, one of 2+ letters), most frequent first: what a group without a
    keyword or a content word says ("ah bon? / AH NON / Bof"). Its category's name was the
    label before, which told nothing: 2 of 20 groups drawn from 1699408450 were labelled
    "discussion" and "reactions"."""
    return _ranked_messages(
        texts, lambda shown, words: len(words) <= MAX_WORDS and bool(_TWO_LETTERS.search(shown))
    )


def _repeated_symbols(texts: Sequence[str]) -> str | None:
    """The group's most frequent messages made only of punctuation or symbols, when one of
    them comes back: chat's "?" / "???" waves (confusion), "-" / "+" / "=" votes. Their
    category's name was the label before: on hsdogdog3 a 116-message group of "-", "+" and
    "=" was labelled "discussion", a 100-message one of "?" and "!" "reactions"."""
    return _ranked_messages(
        texts,
        lambda shown, _words: (
            len(shown) <= SYMBOLS_MAX_CHARS and not _LETTER_OR_DIGIT.search(shown)
        ),
        min_top=2,
    )


def _ranked_messages(
    texts: Sequence[str], keep: Callable[[str, list[str]], bool], *, min_top: int = 1
) -> str | None:
    """The ``FREQUENT_SHOWN`` most frequent messages (mentions left out, counted without case,
    shown as first written) that ``keep(shown, words)`` accepts, most frequent first, first
    seen first among equals; None when there is none, or when the most frequent comes fewer
    than ``min_top`` times."""
    counts: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for text in texts:
        words = [w for w in clean_text(str(text)).split() if not _is_mention(w)]
        shown = " ".join(words)
        if not shown or not keep(shown, words):
            continue
        key = shown.casefold()
        counts[key] += 1
        spelling.setdefault(key, shown)
    if not counts or max(counts.values()) < min_top:
        return None
    ranked = sorted(counts, key=lambda k: -counts[k])[:FREQUENT_SHOWN]  # stable: first seen
    return _cut(" / ".join(spelling[k] for k in ranked))


_TWO_LETTERS = re.compile(r"[^\W\d_]{2}")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
SYMBOLS_MAX_CHARS = 8
"""Longest message `_repeated_symbols` shows ("???", "!!!", "-", "+", "=", "...")."""


def _is_mention(word: str) -> bool:
    return word.startswith("@") or word == MENTION


def _excerpt(typical: str) -> str | None:
    """Up to MAX_WORDS words of the most typical message, without the chatters it addresses
    (9 of 314 labels of 1699408450 were "@SimplyNemo"-like: a chatter's name, or a name and
    stop words), starting within the first MAX_WORDS words and ending on a content word;
    None when it holds no content word."""
    words = [w for w in clean_text(typical).split() if not _is_mention(w)]
    content = [i for i, w in enumerate(words) if _is_content(w.strip(",.;:!?"))]
    if not content:
        return None
    start = 0 if content[0] < MAX_WORDS else content[0]
    kept = words[start : start + MAX_WORDS]
    while len(kept) > 1 and not _is_content(kept[-1].strip(",.;:!?")):
        kept.pop()  # "Je reste pour la musique qui" -> "...la musique"
    return _cut(" ".join(kept).rstrip(",;:"))


def best_phrase(
    texts: Sequence[str],
    weights: dict[str, float],
    *,
    users: Sequence[str] | None = None,
    known_emotes: frozenset[str] | set[str] = _EMPTY,
    must: set[str] | None = None,
) -> str | None:
    """The best-scoring candidate phrase (module doc) holding a word of ``must`` (default: any
    keyword), or None."""
    must = set(weights) if must is None else must
    if not weights:
        return None
    writers: dict[tuple[str, ...], set[object]] = defaultdict(set)
    # key -> {spelling: copies}, spellings in order of first use: message order, candidates
    # sorted within a message
    spellings: dict[tuple[str, ...], Counter[tuple[str, ...]]] = defaultdict(Counter)
    # a word of `must` is a piece of the text when it is one of its tokens (`_in_text`)
    pieces = must if "|" not in must else None
    text_words = remembered(_text_words, known_emotes)  # `_writers_by_text` gives str texts
    text_phrases = remembered(_text_phrases, known_emotes)
    for text, who in _writers_by_text(texts, users).items():
        if (pieces is not None and not _in_text(pieces, text)) or must.isdisjoint(
            text_words(text, known_emotes)
        ):
            continue  # none of its phrases can hold a word of `must`
        for key, gram in text_phrases(text, known_emotes):
            if must.isdisjoint(key):
                continue
            writers[key].update(who)
            spellings[key][gram] += len(who)
    need = min(MIN_WRITERS, max(1, len(texts)))
    best: tuple[int, float, int, tuple[str, ...]] | None = None
    for key, who in writers.items():
        laughter, distinct_words = _phrase_words(key)
        if laughter:
            continue
        # written by several chatters; or, second best, by one but joining two keywords
        shared = len(who) >= need
        if not shared and sum(1 for t in distinct_words if t in weights) < 2:
            continue
        score = sum(weights.get(t, 0.0) for t in distinct_words) * math.sqrt(len(who))
        rank = (int(shared), score, len(key), key)  # on a tie, the longer phrase says more
        if best is None or rank > best:
            best = rank
    if best is None:
        return None
    # the most frequent spelling; on a tie the first written
    shown = max(spellings[best[3]].items(), key=lambda gram_n: gram_n[1])[0]
    return _cut(_join(shown))


def _writers_by_text(texts: Sequence[str], users: Sequence[str] | None) -> dict[str, list[object]]:
    """Each distinct text (in order of first appearance) -> who wrote each of its copies (the
    chatter, or the message's position when the chatter is unknown). A group's candidate
    phrases are then counted once per distinct text: chat repeats itself, and per message
    this loop was most of `best_phrase` (80 of 268 s profiled describing 1M messages)."""
    by_text: dict[str, list[object]] = {}
    for i, text in enumerate(texts):
        text = text if isinstance(text, str) else ""
        who = users[i] if users is not None and users[i] else i
        by_text.setdefault(text, []).append(who)
    return by_text


def _in_text(words: set[str], text: str) -> bool:
    """Whether one of `words` (case-folded) is a piece of the case-folded clean text: false,
    none of them is one of the text's tokens (`_text_words`), each of which is a piece of the
    clean text with its links cut out (or a "|" break, which `words` must not hold), and case
    folding works character by character. Read before the tokens are worked out: most texts
    of a group hold none of its three best keywords, and their tokens were 0.3 s of
    describing the 100k-message speed log."""
    folded = _folded_clean(text)
    for word in words:  # no generator per text: 72k texts describing the 100k bundle
        if word in folded:
            return True
    return False


@lru_cache(maxsize=1 << 17)
def _folded_clean(text: str) -> str:
    """The case-folded clean text (remembered: a text comes back in many groups and themes)."""
    return clean_text(text).casefold()


@per_text(maxsize=1 << 17)
def _text_words(text: str, known_emotes: frozenset[str] | set[str]) -> frozenset[str]:
    """The case-folded tokens of one message: every word of its phrases is one, so a text
    without a word of a group's `must` is passed over before its phrases are worked out
    (those were most of the label's cost describing the 100k-message speed log)."""
    return frozenset(map(str.casefold, _cached_tokens(text, known_emotes)))


@per_text(maxsize=1 << 17)
def _text_phrases(
    text: str, known_emotes: frozenset[str] | set[str]
) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """(case-folded key, spelling) of each candidate phrase of one message that repeats no
    content word, sorted by spelling (ties go to the first seen). Remembered per text: the
    same text comes back in many groups of a long log (513k `_candidates` calls for 46k
    distinct texts describing 1M messages)."""
    phrases = []
    for gram in sorted(_candidates(_tokens(text, known_emotes))):
        key = tuple(map(str.casefold, gram))
        content = list(filter(_is_content, key))
        if len(set(content)) == len(content):
            phrases.append((key, gram))
    return tuple(phrases)


@lru_cache(maxsize=1 << 17)
def _phrase_words(key: tuple[str, ...]) -> tuple[bool, tuple[str, ...]]:
    """Whether a phrase is laughter only, and its distinct words in a fixed order (float sums
    must not follow hashing)."""
    return all(is_laughter_token(t) for t in key), tuple(sorted(set(key)))


def _join(tokens: Sequence[str]) -> str:
    text = " ".join(tokens)
    return _GLUED_RE.sub(first_group, text)


def _cut(text: str) -> str:
    if len(text) <= MAX_LABEL_CHARS:
        return text
    return text[: MAX_LABEL_CHARS - 1].rstrip() + "…"
