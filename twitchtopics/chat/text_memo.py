"""One rule for remembering what is worked out per chat text: `per_text`.

Chat repeats itself: the same texts come back in many messages and many groups, so the
analyses of one text (its canonical form, keyword tokens, label phrases, whether it reads as
a sentence) are remembered per (text, emote set). The rule was written out by hand at each
of those functions; it lives here once.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any, TypeVar

__all__ = ["per_text", "remembered"]

R = TypeVar("R")


def per_text(maxsize: int) -> Callable[[Callable[[Any, Any], R]], Callable[[Any, Any], R]]:
    """Remember ``f(text, known_emotes)`` for the last `maxsize` pairs, when the text is a str
    and the emote set a frozenset (hashable, its hash computed once).

    Any other call runs ``f`` itself: a plain set cannot be a key, and a text of another type
    (NaN, a number) must not share an entry with an equal str. ``f`` must be a pure function
    of its two arguments, so both ways give the same result.
    """

    def decorate(f: Callable[[Any, Any], R]) -> Callable[[Any, Any], R]:
        cached = lru_cache(maxsize=maxsize)(f)

        @wraps(f)
        def call(text: Any, known_emotes: Any) -> R:
            if isinstance(text, str) and isinstance(known_emotes, frozenset):
                return cached(text, known_emotes)
            return f(text, known_emotes)

        call.cached = cached  # type: ignore[attr-defined]
        call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        call.cache_info = cached.cache_info  # type: ignore[attr-defined]
        return call

    return decorate


def remembered(f: Callable[[Any, Any], R], known_emotes: Any) -> Callable[[Any, Any], R]:
    """``f`` (made by `per_text`) for calls with str texts and ``known_emotes``: its memo
    itself when the set is a frozenset, skipping the type checks of each call, else ``f``.

    For loops over many texts of one emote set, all of them str: a describe step makes
    ~500k calls to remembered functions, mostly answered from the memo, where the checking
    wrapper's own time was ~0.15 of ~5 s describing the 100k-message speed log.
    """
    return f.cached if isinstance(known_emotes, frozenset) else f  # type: ignore[attr-defined]
