"""Tokens for keywords: stop words and ``keyword_tokens``.

``keyword_tokens``
    Tokens for c-TF-IDF keywords (`describe/keywords.py`): words lowercased (accents kept,
    they are for display), emotes as themselves, emoji as themselves, stop words (French,
    English, chat filler, laughter) dropped, elided prefixes stripped (``j'aime`` -> ``aime``;
    ``c'est`` dropped), 1-character words dropped, pure numbers of 1-2 digits dropped (poll
    answers, counters; ``1789`` or ``2077`` are kept), ``+1`` kept, placeholders dropped.

``STOP_WORDS``
    The words no keyword, label or typical message should be made of: the French and English
    lists and chat filler from ``twitchtopics/data``, each also without its accents.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from importlib import resources

from twitchtopics.chat.emotes import is_bundled_or_shaped, is_emoji
from twitchtopics.chat.normalize import (
    APOSTROPHES,
    STRETCH_RE,
    collapse_stretch,
    first_group,
    keyword_text,
    squash,
    strip_accents,
)
from twitchtopics.chat.reaction_tokens import is_laughter_token
from twitchtopics.chat.text_memo import per_text, remembered

__all__ = [
    "CHAT_FILLER",
    "ENGLISH_STOP_WORDS",
    "FRENCH_STOP_WORDS",
    "STOP_WORDS",
    "keyword_tokens",
]

_EMPTY: frozenset[str] = frozenset()
_KEYWORD_PIECE_RE = re.compile(r"\+1(?!\d)|\w+(?:['-]\w+)*|\S")
_ELISIONS = frozenset(
    {"j", "l", "c", "qu", "d", "n", "s", "m", "t", "jusqu", "lorsqu", "puisqu", "quoiqu"}
)


def _read_words(name: str) -> frozenset[str]:
    text = resources.files("twitchtopics").joinpath("data", name).read_text("utf-8")
    words = (line.strip().lower() for line in text.splitlines())
    return frozenset(w.translate(APOSTROPHES) for w in words if w and not w.startswith("#"))


def _with_accentless(words: frozenset[str]) -> frozenset[str]:
    # chat often drops accents ("ca", "deja", "etait"): both spellings are stop words
    return words | frozenset(strip_accents(w) for w in words)


FRENCH_STOP_WORDS: frozenset[str] = _with_accentless(_read_words("stopwords_fr.txt"))
ENGLISH_STOP_WORDS: frozenset[str] = _read_words("stopwords_en.txt")
CHAT_FILLER: frozenset[str] = _with_accentless(_read_words("chat_filler.txt"))
STOP_WORDS: frozenset[str] = FRENCH_STOP_WORDS | ENGLISH_STOP_WORDS | CHAT_FILLER
"""Every word dropped from keywords: French + English + chat filler (lowercase)."""


_FILLER_SQUASHED = frozenset(squash(w) for w in CHAT_FILLER if len(squash(w)) > 1)


def _is_stop(word: str) -> bool:
    if word in STOP_WORDS:
        return True
    squashed = squash(word)
    return squashed in _FILLER_SQUASHED or strip_accents(squashed) in _FILLER_SQUASHED


def _keyword_word(word: str) -> str | None:
    """One lowercase word piece -> its keyword form, or None when it is not a keyword."""
    if word == "+1":
        return word
    if word in STOP_WORDS:  # "c'est", "aujourd'hui", "don't" before any splitting
        return None
    head, sep, rest = word.partition("'")
    if sep and head in _ELISIONS:  # j'aime -> aime, l'eau -> eau, qu'il -> il
        word = rest
    elif sep and rest == "s" and head not in STOP_WORDS:  # streamer's -> streamer
        word = head
    word = word.strip("'-_")
    if len(word) < 2 or not any(ch.isalnum() for ch in word):
        return None
    if _is_stop(word) or is_laughter_token(word):
        return None
    if word.isdigit():
        return word if len(word) >= 3 else None
    if "-" in word:
        parts = [p for p in word.split("-") if p]
        if all(len(p) < 2 or p in STOP_WORDS for p in parts):  # est-ce, a-t-il, peut-être
            return None
    return word


def keyword_tokens(text: str, known_emotes: frozenset[str] | set[str] = _EMPTY) -> list[str]:
    """Tokens for c-TF-IDF keywords, in order, repeats kept; see the module docstring.

    Example: ``"J'aime trop ce jeu ponceJAM ponceJAM c'est génial @bob"`` ->
    ``["aime", "jeu", "ponceJAM", "ponceJAM", "génial"]``.
    """
    if isinstance(text, str):
        return list(remembered(_keyword_tokens, known_emotes)(text, known_emotes))
    return list(_keyword_tokens(text, known_emotes))


def keyword_token_tuples(
    known_emotes: frozenset[str] | set[str],
) -> Callable[[str, frozenset[str] | set[str]], tuple[str, ...]]:
    """`keyword_tokens` as tuples, for loops over many str texts of one emote set: called
    ``(text, known_emotes)``, read straight from the per-text memo (`text_memo.remembered`)."""
    return remembered(_keyword_tokens, known_emotes)


@per_text(maxsize=1 << 18)
def _keyword_tokens(text: str, known_emotes: frozenset[str] | set[str]) -> tuple[str, ...]:
    """`keyword_tokens`, remembered per (text, emote set) when the set is a frozenset: one
    describe step asks for the tokens of each text up to five times (keywords of groups, of
    themes, of themes again with names, representatives), 3 s of CPU on 6k messages."""
    text = keyword_text(text)
    out: list[str] = []
    for raw in text.split():  # `is_emote` inlined: a split token is never empty
        if raw in known_emotes or is_bundled_or_shaped(raw):
            out.append(raw)
        else:
            out.extend(_word_keywords(raw))
    return tuple(out)


@lru_cache(maxsize=200_000)
def _word_keywords(raw: str) -> tuple[str, ...]:
    """Keyword tokens of one whitespace-free non-emote chunk (cached: chat repeats itself)."""
    if is_emoji(raw):
        return tuple(_emoji_chars(STRETCH_RE.sub(first_group, raw)))
    out: list[str] = []
    low = collapse_stretch(raw.translate(APOSTROPHES).lower())
    for match in _KEYWORD_PIECE_RE.finditer(low):
        piece = match.group()
        if len(piece) == 1 and not piece.isalnum():
            if unicodedata.category(piece) == "So":
                out.append(piece)
            continue
        word = _keyword_word(piece)
        if word is not None:
            out.append(word)
    return tuple(out)


def _emoji_chars(token: str) -> list[str]:
    """The pictographs of an emoji-only token, one each, without modifiers."""
    return [ch for ch in token if unicodedata.category(ch) == "So"]
