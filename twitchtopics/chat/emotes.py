"""Emote names: which chat tokens are emotes rather than words.

Emotes are the vocabulary of Twitch chat (``KEKW`` means laughter, ``PepeHands`` sadness), so
the rest of the tool keeps them as tokens, case preserved, instead of treating them as noise
or as misspelt words. A token is an emote when (first match wins):

1. it is in ``known``: the log's own emote metadata (first- and third-party names the reader
   found for this log), the most reliable source;
2. it is in the bundled list ``data/emotes.txt``: common global Twitch, BTTV, FFZ and 7TV
   emotes (a few hundred names, case-sensitive as in chat);
3. it has the *channel-emote shape*: Twitch subscriber emotes are a channel prefix chosen by
   the streamer followed by a capitalised code, e.g. ``ponceJAM``, ``massietBonjour``,
   ``pokiLove``, ``lirikHYPE``, ``sqzBruh``. The rule (``CHANNEL_EMOTE_RE``) is:
   a prefix of 3 to 10 characters, all lowercase ASCII ``[a-z0-9]`` with at least one letter,
   then a suffix that starts with an uppercase ASCII letter and continues with ``[A-Za-z0-9]``
   (at most 25 characters). Requiring an all-lowercase ASCII prefix of 3+ characters keeps
   ordinary capitalised words (``Bonjour``), acronyms (``GG``), ``iPhone``/``eSport``
   (1-letter prefix) and accented words out. Known false positives of the shape are rare
   camelCase words such as ``macOS``; they are harmless (kept as a token, case preserved).

Emotes only render in Twitch when they stand alone between spaces, so the functions here
look at whitespace-separated tokens and never strip punctuation around them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

__all__ = [
    "CHANNEL_EMOTE_RE",
    "bundled_emotes",
    "emote_share",
    "emote_tokens",
    "is_channel_emote_shape",
    "is_emoji",
    "is_emote",
]

CHANNEL_EMOTE_RE = re.compile(r"(?=[a-z0-9]{0,9}[a-z])[a-z0-9]{3,10}[A-Z][A-Za-z0-9]{0,24}")
"""Channel (subscriber) emote shape: lowercase ASCII prefix of 3-10 + capitalised suffix."""

_EMPTY: frozenset[str] = frozenset()


@lru_cache(maxsize=1)
def bundled_emotes() -> frozenset[str]:
    """The bundled emote names (``data/emotes.txt``), read once.

    Kept in a data file rather than in code so the list can grow without touching logic.
    """
    text = resources.files("twitchtopics").joinpath("data", "emotes.txt").read_text("utf-8")
    names = (line.strip() for line in text.splitlines())
    return frozenset(name for name in names if name and not name.startswith("#"))


def is_channel_emote_shape(token: str) -> bool:
    """Whether ``token`` looks like a channel emote (``ponceJAM``); see the module docstring."""
    return CHANNEL_EMOTE_RE.fullmatch(token) is not None


def is_emote(token: str, known: frozenset[str] | set[str] = _EMPTY) -> bool:
    """Whether one whitespace-free chat token is an emote (known, bundled or channel-shaped).

    Case-sensitive: ``LUL`` is an emote, ``lul`` is a word (laughter detection handles the
    lowercase spelling separately).
    """
    if not token:
        return False
    return token in known or is_bundled_or_shaped(token)


@lru_cache(maxsize=1 << 18)
def is_bundled_or_shaped(token: str) -> bool:
    """`is_emote` without a log's own emotes: a bundled emote or a channel-emote shape, for a
    non-empty token. Remembered: asked ~40 times per message while describing groups (5.7 s
    of 100 s on 30k messages), so loops over tokens call it directly."""
    return token in bundled_emotes() or is_channel_emote_shape(token)


def is_emoji(token: str) -> bool:
    """Whether a token is made only of pictographs (emoji, hearts, symbols) and their modifiers.

    Unicode emoji play the same role as emotes in chat (reactions, not words), so callers that
    measure "how much of this is emote spam" count them too; ``is_emote`` itself does not.
    """
    seen_symbol = False
    for ch in token:
        cat = unicodedata.category(ch)
        if cat == "So":
            seen_symbol = True
        elif cat in {"Mn", "Sk", "Cf", "Me"} or ch in "\u200d\ufe0f\ufe0e":
            continue  # skin tones, variation selectors, zero-width joiners
        else:
            return False
    return seen_symbol


def emoji_name(ch: str) -> str:
    """A pictograph written as its Unicode name, ``😂`` -> ``:face with tears of joy:`` ("" when
    it has none): how the PNG and, where the browser has no emoji font, the HTML show emoji
    they cannot draw, rather than a blank or a box."""
    name = unicodedata.name(ch, "")
    return f":{name.lower()}:" if name else ""


def emoji_names(text: str) -> dict[str, str]:
    """Each pictograph (symbol category ``So``, from U+2100 on: not ``©`` or ``°``) of ``text``
    and its name (`emoji_name`), in order of first appearance."""
    pictographs = (
        ch for ch in dict.fromkeys(text) if ord(ch) >= 0x2100 and unicodedata.category(ch) == "So"
    )
    return {ch: name for ch in pictographs if (name := emoji_name(ch))}


def emote_tokens(text: str, known: frozenset[str] | set[str] = _EMPTY) -> list[str]:
    """The emote tokens of a message, in order, repeats kept."""
    if not isinstance(text, str):
        return []
    return [tok for tok in text.split() if is_emote(tok, known)]


def emote_share(text: str, known: frozenset[str] | set[str] = _EMPTY) -> float:
    """Share (0..1) of the message's whitespace tokens that are emotes; 0.0 for empty text.

    Used to tell emote spam (``KEKW KEKW KEKW`` = 1.0) from words with a reaction
    (``il a raison KEKW`` = 0.25).
    """
    if not isinstance(text, str):
        return 0.0
    tokens = text.split()
    if not tokens:
        return 0.0
    return sum(1 for tok in tokens if is_emote(tok, known)) / len(tokens)
