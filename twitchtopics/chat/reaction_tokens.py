"""Laughter and greeting tokens: whether one chat token laughs or greets.

The one definition of these tokens, in every spelling chat uses (``mdrrrr``, ``looool``,
``hahaha``, ``KEKW``, 😂; ``bonsoiiir``, ``bonsouar``, ``HeyGuys``, 👋). What is made of them
is elsewhere: a message that is only laughter or a greeting (`chat/reactions.py`, which the
clustering groups by), a group's category (`describe/categories.py`), laughter per 10 s
(`moments/signals.py`), and keywords, which drop laughter (`chat/tokens.py`). A change here
changes groupings: bump `GROUPING_VERSION` (`cache/groupings.py`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from twitchtopics.chat.emotes import is_channel_emote_shape, is_emoji
from twitchtopics.chat.normalize import STRETCH_RE, first_group, squash, strip_accents

__all__ = ["LAUGHTER_EMOTES", "is_greeting_token", "is_laughter_token"]

# Laughter written as text (checked after collapsing repeated letters, accents stripped).
_PREFIX_RE = re.compile(r"^[a-z0-9]+")  # a channel emote's prefix ("lirik" of lirikHYPE)
_LAUGH_RE = re.compile(
    r"x?ptdr|mdr|xd|lo(?:lo)*l|lmf?ao|rofl|jpp|kek|kekw|lul|lulw|omegalul|icant|"
    r"[ae]?(?:h[aeio]){2,}h?|[ae]?h[aeio]h|(?:[aeio]h){2,}|(?:ja){2,}j?"
)
LAUGHTER_EMOTES = frozenset(
    {
        "LUL",
        "LULW",
        "KEKW",
        "KEKL",
        "OMEGALUL",
        "pepeLaugh",
        "PepeLaugh",
        "4Head",
        "EleGiggle",
        "haHAA",
        "ICANT",
        "MaxLOL",
        "xdd",
        "KEKWait",
        "monkaLaugh",
        "peepoGiggles",
        "ZULUL",
        "\U0001f602",  # face with tears of joy
        "\U0001f923",  # rolling on the floor laughing
        "\U0001f639",  # cat with tears of joy
        "\U0001f606",  # grinning squinting face
    }
)
"""Emotes and emoji that mean laughter; channel emotes ending in LUL/LOL/MDR/KEKW count too."""
_LAUGH_SUFFIXES = frozenset({"lul", "lol", "mdr", "kekw", "kek", "lmao", "laugh", "xd", "ptdr"})

_GREETINGS = frozenset(
    {
        "bonsoir",
        "bonjour",
        "bjr",
        "bsr",
        "slt",
        "salut",
        "salu",
        "saluut",
        "hello",
        "helo",
        "yo",
        "yop",
        "coucou",
        "cc",
        "kikou",
        "hey",
        "hi",
        "hii",
        "hola",
        "hallo",
        "hiya",
        "howdy",
        "sup",
        "wesh",
        "wsh",
        "re",
        "rebonsoir",
        "rebonjour",
        "resalut",
        "bye",
        "byebye",
        "ciao",
        "tchao",
        "tchuss",
        "adieu",
        "bn",
        "gn",
        "bisous",
        "bienvenue",
        "welcome",
        "o7",  # a salute: hello or goodbye in gaming chat
        "heya",
        "heyo",
        "hai",
        "gm",
        "cya",
        "goodnight",
        "slu",
        "HeyGuys",
        "VoHiYo",
        "KonCha",
        "TehePelo",
        "peepoArrive",
        "peepoLeave",
        "\U0001f44b",  # waving hand
    }
)
# bonsoir and its spellings: bonsoar, bonsouar, bonswar, bonzouar, bonchoir, bonjoir, bonjouur...
_BONSOIR_RE = re.compile(r"bon(?:s|z|ch|c|j)(?:oi|oa|oua|wa|ua|ou|oir|oui)r?e?")
# coucou and kikou written with c or k: koukou, coukou, kikoo, kikou
_COUCOU_RE = re.compile(r"[ck]ou[ck]ou|[ck]i[ck]o[ou]")
# channel emotes whose code says hello or bye: massietBonjour, cokoooYO, pokiHi, lirikWave
_GREETING_SUFFIXES = frozenset(
    {"hi", "hey", "hello", "yo", "wave", "bonjour", "bonsoir", "salut", "coucou", "bye", "o7"}
)


@lru_cache(maxsize=65536)
def _token_forms(tok: str) -> tuple[str, str]:
    """(stretch-collapsed, fully squashed) lowercase accent-less forms of a token, remembered:
    `is_laughter_token` and `is_greeting_token` both read them (13.9k of the 49.8k calls
    describing the 100k-message speed log were the second of the two)."""
    base = strip_accents(tok.casefold()).strip(".,;:!?¡¿…\"'()[]*~")
    return STRETCH_RE.sub(first_group, base), squash(base)


@lru_cache(maxsize=65536)
def is_laughter_token(tok: str) -> bool:
    """Whether one token is laughter: mdr, ptdr, xptdr, lol, lmao, haha, ahah, hihi, jpp, xD,
    kekw/lul written lowercase, any stretched spelling (``mdrrrr``, ``looool``), laughter
    emotes/emoji (``KEKW``, ``LUL``, 😂) and channel emotes ending in LUL/LOL/MDR/KEKW.

    Laughter is the most common chat reaction and comes in dozens of spellings; recognising
    them lets a laughter flood be named as such instead of as a topic.
    """
    if not tok:
        return False
    if tok in LAUGHTER_EMOTES:
        return True
    if is_channel_emote_shape(tok):
        suffix = _PREFIX_RE.sub("", tok).lower()
        return suffix in _LAUGH_SUFFIXES
    if is_emoji(tok):
        return any(ch in LAUGHTER_EMOTES for ch in tok)
    stretched, squashed = _token_forms(tok)
    if not stretched:
        return False
    return any(_LAUGH_RE.fullmatch(form) for form in (stretched, squashed))


@lru_cache(maxsize=65536)
def is_greeting_token(tok: str) -> bool:
    """Whether one token is a greeting or goodbye: bonsoir (and bonsoar, bonsouar, bonzouar,
    bonchoir...), bonjour, bjr, slt, salut, hello, yo, coucou (koukou, kikou), cc, hey, hi, re,
    bye, ciao, o7, greeting emotes (``HeyGuys``, ``VoHiYo``), channel emotes whose code is a
    greeting (``massietBonjour``, ``pokiHi``, ``lirikWave``) and 👋; stretched spellings included.
    """
    if not tok:
        return False
    if tok in _GREETINGS:
        return True
    if is_channel_emote_shape(tok):
        return _PREFIX_RE.sub("", tok).lower() in _GREETING_SUFFIXES
    stretched, squashed = _token_forms(tok)
    if not stretched:
        return False
    for form in (stretched, squashed):
        if form in _GREETINGS or _BONSOIR_RE.fullmatch(form) or _COUCOU_RE.fullmatch(form):
            return True
    return False
