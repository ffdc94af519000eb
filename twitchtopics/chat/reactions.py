"""Chat reactions: a message that is only laughter, only a greeting or only "+1".

The one definition of what a reaction message is. The clustering groups them by kind over the
whole log (`clustering/clusterer.py`, one group per kind in the order of `REACTIONS`), so this
rule decides groupings: a change to it changes results and needs `GROUPING_VERSION` bumped
(`cache/groupings.py`). The token rules it is built from (`is_laughter_token`,
`is_greeting_token`, `STOP_WORDS`) are in `chat/reaction_tokens.py` and `chat/tokens.py`,
emotes in `chat/emotes.py`.

The same two message rules, `is_laughter` and `is_greeting`, are what `describe/categories.py`
counts to name a group (by the *share* of laughing / greeting messages) and what
`moments/signals.py` reads per 10 s (laughter, with its own hype words; greetings are
arrivals, not reactions): each rule is written once, here (issue 15).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

# imported here, not in each rule: an import statement per call was ~0.05 s of the describe
# step on the 100k-message speed log (a rule runs once per distinct text or token)
from twitchtopics.chat.emotes import is_emoji, is_emote
from twitchtopics.chat.normalize import MENTION, URL, strip_accents
from twitchtopics.chat.reaction_tokens import is_greeting_token, is_laughter_token
from twitchtopics.chat.tokens import STOP_WORDS

__all__ = [
    "GREETING_TAIL_MAX",
    "REACTIONS",
    "emote_key",
    "is_greeting",
    "is_laughter",
    "reaction_kind",
    "reaction_kinds",
]

REACTIONS = ("laughter", "greeting", "plus_one")
"""Reaction kinds, in the order their groups are numbered."""

GREETING_TAIL_MAX = 6
"""A greeting may be followed by up to this many tokens ("bonjour à toutes et tous", "salut
Jean"), greetings and how-are-you words not counted. Measured on the four gold windows
(message level, `is_greeting`): 3 missed "bonjour à toutes et tous"-like greetings; 6 keeps
the rule from swallowing sentences that start with a greeting, which need 2+ words that are
not stop words."""


@lru_cache(maxsize=200_000)
def _tokens(text: str) -> tuple[str, ...]:
    """The tokens of a (normalised) message the rules read: mentions, links and punctuation
    alone ("!", "...", "?") left out. Remembered per text, and `_is_token` per token:
    `is_laughter`, `is_greeting` and `reaction_kind` each read them."""
    return tuple(filter(_is_token, text.split()))  # no generator frame: 45k texts a log


@lru_cache(maxsize=1 << 18)
def _is_token(tok: str) -> bool:
    if tok in (MENTION, URL):
        return False
    return any(ch.isalnum() or ch == "+" or not ch.isascii() for ch in tok)


@lru_cache(maxsize=1 << 18)
def _emote_like(tok: str) -> bool:
    """A known emote, an emoji shortcode (``:sweat_droplets:``) or a token without lowercase
    letters (``HYPERCLAP``, ``OMEGA``, ``:D``): what rides along with laughter."""
    if is_emote(tok, frozenset()):
        return True
    if len(tok) > 2 and tok.startswith(":") and tok.endswith(":"):
        return True
    return not any(ch.islower() for ch in tok)


# Words that name who is greeted ("salut tout le monde", "hello chat", "hi everyone"): part
# of the greeting, not a topic (compared lowercase, accents stripped).
_ADDRESSEES = frozenset(
    "chat tchat everyone everybody all guys gang people folks friends fam team yall y'all "
    "mates lads boys girls ladies gents tlm monde gens amis copains potes famille streamer "
    "stream twitch".split()
)
# How-are-you words after a greeting ("bonjour à tous, ça va bien ?", "hi chat how are you
# doing", "coucou vous allez bien"): part of the greeting, not counted as words of a sentence.
# On the four gold windows this finds "bonjour à tous et bonjour Jean. ça va bien ?" and no
# other message: "ça va" alone ("bon ça va, ...") is not a greeting, only after one.
_HOW_ARE_YOU = frozenset(
    "ca va vas allez bien comment how are you u r ya doing going hows wbu hru sava cv".split()
)
# Affection that opens a message is a greeting too: the gold taxonomy of hsdogdog3 defines
# greetings as "greetings, goodbyes and affection to Dog or chat (love you night night, <3)".
# Interjections and conjunctions that may come before the greeting ("oh cokoooYO", "et
# bonsoir !", "and hi chat"); not any stop word: "where yo carriers at" is no greeting.
_LEADERS = frozenset("oh ah and et well so bon ok okay eh ben bah allez".split())
_AFFECTION = frozenset({"<3", "ily", "ilysm"})
_AFFECTION_PHRASES = frozenset({("love", "you"), ("love", "u"), ("love", "ya")})
# A greeting to a platform is the clip meme ("HI REDDIT", "hello youtube"), not an arrival.
_PLATFORMS = frozenset("reddit youtube yt tiktok twitter lsf instagram insta".split())
# Two-word greetings and goodbyes whose words are not greetings alone.
_PHRASES = frozenset(
    {
        ("good", "morning"),
        ("good", "evening"),
        ("good", "night"),
        ("night", "night"),
        ("see", "you"),
        ("see", "ya"),
        ("bonne", "nuit"),
        ("bonne", "soiree"),
        ("bonne", "journee"),
        ("a", "plus"),
        ("a", "demain"),
        ("a", "bientot"),
    }
)


@lru_cache(maxsize=1 << 18)
def _plain(tok: str) -> str:
    return strip_accents(tok.lower()).strip(".,;:!?'\"()")


@lru_cache(maxsize=200_000)
def is_laughter(text: str) -> bool:
    """Whether a (normalised) message is only laughter: at least half of its tokens are
    laughter and the others look like emotes (``mdr KEKW``, ``pepeLaugh HYPERCLAP``, ``OMEGA
    LUL``; not ``haha énorme``, where the laugh goes with a remark: the hand labels give such
    messages their topic). On the fast gold window (admiralbulldog) requiring every token to
    be laughter missed 80 of 459 laughter messages, mostly a laughter emote with a clap emote;
    the rule below reads P .93 / R .90 per message on the four gold windows.
    """
    toks = _tokens(text)
    laughing = 0
    for tok in toks:  # a sentence fails on its first word: its other words are not read
        if is_laughter_token(tok):
            laughing += 1
        elif not _emote_like(tok):
            return False
    return laughing > 0 and 2 * laughing >= len(toks)


@lru_cache(maxsize=200_000)
def is_greeting(text: str) -> bool:
    """Whether a (normalised) message is only a greeting or a goodbye.

    It opens with a greeting token (``salut``, ``bonsoiiir``, ``cc``, ``o7``, ``HeyGuys``,
    ``massietBonjour``...), possibly after one stop word or interjection (``oh cokoooYO``,
    ``and hi chat``), with a two-word one (``good night``, ``bonne nuit``, ``à plus``) or with
    affection (``<3``, ``ily``, ``love you``); the rest is made of stop words, other
    greetings, how-are-you words (``ça va bien ?``, ``how are you doing``), emotes, the
    greeted (``chat``, ``tout le monde``, ``everyone``) and at most one other word (a name:
    ``salut Jean``), in at most `GREETING_TAIL_MAX` tokens that are not greetings or
    how-are-you words: ``bonjour à toutes et tous``, ``coucou mes copains de @x ntcMug``,
    ``hello dog. hello chat``, ``salut tout le monde, ça va le live ?``. A greeting followed by
    a sentence is about that sentence; one to a platform (``HI REDDIT``) is the clip meme.
    """
    toks = _tokens(text)
    if not toks:
        return False
    first = _plain(toks[0])
    pair = (first, _plain(toks[1])) if len(toks) >= 2 else None
    if is_greeting_token(toks[0]) or toks[0] in _AFFECTION or first in _AFFECTION:
        tail = toks[1:]
    elif pair in _PHRASES or pair in _AFFECTION_PHRASES:
        tail = toks[2:]
    elif len(toks) >= 2 and first in _LEADERS and is_greeting_token(toks[1]):
        tail = toks[2:]  # one leading stop word or interjection: "oh cokoooYO", "and hi chat"
    else:
        return False
    counted = 0
    others = 0
    for tok in tail:
        plain = _plain(tok)
        if plain in _PLATFORMS:
            return False
        if is_greeting_token(tok) or plain in _HOW_ARE_YOU:
            continue
        counted += 1
        if plain in STOP_WORDS or plain in _ADDRESSEES or _emote_like(tok):
            continue
        others += 1
    if counted > GREETING_TAIL_MAX:
        return False
    return others <= 1


def reaction_kind(text: str) -> str | None:
    """`laughter`, `greeting`, `plus_one` or None for one normalised message.

    +1: every token is one. Laughter: `is_laughter`. Greeting: `is_greeting`.
    """
    toks = _tokens(text)
    if not toks:
        return None
    if all(t == "+1" for t in toks):
        return "plus_one"
    if is_laughter(text):
        return "laughter"
    if is_greeting(text):
        return "greeting"
    return None


@lru_cache(maxsize=200_000)
def emote_key(text: str) -> str | None:
    """The emote a (normalised) message is made of, when it is made only of emotes or emoji
    (``Kappa``, ``TriHard TriHard``, ``🤔``, ``FailFish NotLikeThis``: the first one), else None.

    Emote-only messages are how chat reacts without words; the hand labels give them a label
    per emote and feeling (``emote_kappa`` "Kappa alone", ``emote_smorc``, a 🤔 wave). As a
    per-message test on the four gold windows (laughter and greetings excepted) it reads
    precision .73 / recall .76 against the gold `emote_*` family (benchmarks/categories.py's
    mapping); the misses are emote waves that the labels file under a topic (dance emotes
    during a song, WeirdChamp at chat). Emotes are the bundled list and channel-emote shapes
    (`chat.emotes.is_emote`), emoji and ``:shortcode:``.
    """
    toks = _tokens(text)
    if not toks:
        return None
    for tok in toks:
        shortcode = len(tok) > 2 and tok.startswith(":") and tok.endswith(":")
        if not (shortcode or is_emoji(tok) or is_emote(tok, frozenset())):
            return None
    return toks[0]


def reaction_kinds(texts: Sequence[str]) -> np.ndarray:
    """`reaction_kind` of every text, as an object array (None where not a reaction)."""
    return np.array([reaction_kind(t) for t in texts], dtype=object)
