"""Chat reactions: a message that is only laughter, only a greeting or only "+1".

The one definition of what a reaction message is. The clustering groups them by kind over the
whole log (`clustering/clusterer.py`, one group per kind in the order of `REACTIONS`), so this
rule decides groupings: a change to it changes results and needs `GROUPING_VERSION` bumped
(`cache/groupings.py`). The token rules it is built from (`is_laughter_token`,
`is_greeting_token`, `STOP_WORDS`) are in `chat/reaction_tokens.py` and `chat/tokens.py`,
emotes in `chat/emotes.py`.

Other places read chat reactions with rules of their own purpose, built from the same tokens:
`describe/categories.py` names a group by the *share* of laughing / greeting messages, and
`moments/signals.py` counts laughter *and hype* per 10 s and uses a cheaper greeting test
(first token, at most 4 tokens) on every distinct text.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["GREETING_TAIL_MAX", "REACTIONS", "reaction_kind", "reaction_kinds"]

REACTIONS = ("laughter", "greeting", "plus_one")
"""Reaction kinds, in the order their groups are numbered."""

GREETING_TAIL_MAX = 3
"""A greeting may be followed by up to this many tokens ("bonsoir à tous", "salut Jean")."""


def _tokens(text: str) -> list[str]:
    from twitchtopics.chat.normalize import MENTION, URL

    out = []
    for tok in text.split():
        if tok in (MENTION, URL):
            continue
        if not any(ch.isalnum() or ch == "+" or not ch.isascii() for ch in tok):
            continue  # punctuation only: "!", "...", "?"
        out.append(tok)
    return out


def _emote_like(tok: str) -> bool:
    """A known emote, an emoji shortcode (``:sweat_droplets:``) or a token without lowercase
    letters (``HYPERCLAP``, ``OMEGA``, ``:D``): what rides along with laughter."""
    from twitchtopics.chat.emotes import is_emote

    if is_emote(tok, frozenset()):
        return True
    if len(tok) > 2 and tok.startswith(":") and tok.endswith(":"):
        return True
    return not any(ch.islower() for ch in tok)


def reaction_kind(text: str) -> str | None:
    """`laughter`, `greeting`, `plus_one` or None for one normalised message.

    +1: every token is one. Laughter: at least half of the tokens are laughter and the others
    look like emotes (``mdr KEKW``, ``pepeLaugh HYPERCLAP``, ``OMEGA LUL``; not ``haha
    énorme``): on the fast gold window (admiralbulldog) requiring every token to be laughter
    missed 80 of 459 laughter messages, mostly a laughter emote with a clap emote. Greeting: the first token is a
    greeting and the few tokens after it are stop words, emotes or at most one name
    (``bonsoir à tous``, ``salut Jean``, ``coucou le chat HeyGuys``); a greeting followed by a
    sentence is about that sentence.
    """
    from twitchtopics.chat.emotes import is_emote
    from twitchtopics.chat.reaction_tokens import is_greeting_token, is_laughter_token
    from twitchtopics.chat.tokens import STOP_WORDS

    toks = _tokens(text)
    if not toks:
        return None
    if all(t == "+1" for t in toks):
        return "plus_one"
    laughing = [is_laughter_token(t) for t in toks]
    if any(laughing) and 2 * sum(laughing) >= len(toks):
        if all(laugh or _emote_like(t) for t, laugh in zip(toks, laughing, strict=True)):
            return "laughter"
    if is_greeting_token(toks[0]):
        tail = toks[1:]
        if len(tail) > GREETING_TAIL_MAX:
            return None
        other = [
            t
            for t in tail
            if not (t.lower() in STOP_WORDS or is_greeting_token(t) or is_emote(t, frozenset()))
        ]
        if len(other) <= 1:
            return "greeting"
    return None


def reaction_kinds(texts: Sequence[str]) -> np.ndarray:
    """`reaction_kind` of every text, as an object array (None where not a reaction)."""
    return np.array([reaction_kind(t) for t in texts], dtype=object)
