"""Copypasta waves: the same long-ish text, or near-identical variants, typed by several
chatters within a short span.

Chat copies a text it likes: a joke paragraph ("Christina? PogChamp that warrior is a
grill..."), an ASCII test, a "what if we all typed the same message?" that chatters then
quote ("Samb023: 8 Ranger_mike: 🤔what if we all typed...") or vary to get past r9k mode
(which refuses a message already posted). A reader calls each wave "a copypasta", one thing
chat did at one time, whatever the words; issue 11 asks for each wave to be one group.

Rule, on each message's `canonical_form` (case, accents, punctuation, stretched letters and
repeated tokens folded; mentions dropped) seen as a *set of tokens*:

- a text is a candidate when it holds at least `MIN_TOKENS` distinct tokens: shorter repeats
  ("NEVER LUCKY PepeHands", "secret server Pepega", "SO BALD") are chants about what is on
  screen, which the hand labels file under that topic, not under copypasta;
- two candidate messages are variants when the smaller token set is at least `MIN_OVERLAP`
  contained in the other (a quote chain or a prefix number keeps it whole) and they are at
  most `SPAN_S` seconds apart; variants chain (a wave can outlast `SPAN_S` while it goes on);
- a wave is a chain of variants written by at least `MIN_CHATTERS` distinct chatters (one
  chatter repeating himself is spam, not copypasta) and `MIN_COPIES` messages.

Thresholds measured on the ten real logs in ../shared/data/chatlogs (benchmarks in the
module `benchmarks/copypasta.py`): see the constants. Pure functions on texts, chatters and
times; no clustering here (the clusterer makes each wave a group).
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain

import numpy as np

from twitchtopics.chat.normalize import MENTION, canonical_form

__all__ = [
    "MIN_CHATTERS",
    "MIN_COPIES",
    "MIN_OVERLAP",
    "MIN_TOKENS",
    "SPAN_S",
    "copypasta_waves",
    "may_hold_tokens",
    "token_set",
]

MIN_TOKENS = 6
"""Distinct tokens a text needs to be copypasta. At 4, the ten real logs gain chants that the
gold files label by topic ("LET HER WIN BibleThump", "HE SAID IT"); at 5 the waves found are
pastes and memes (the paragraph pastes, "M&Mjc Copy paste this guys M&Mjc Easy",
"@AdmiralBulldog I disagree, I think it's good :)")."""

MIN_OVERLAP = 0.8
"""Share of the smaller token set found in the larger for two texts to be variants: a quote
chain ("A: 8 B: <paste>") or an r9k prefix keeps 1.0; a reply that reuses three words of a
paste ("what if we all copied the name...", 0.62) is not the paste."""

SPAN_S = 120.0
"""Seconds between a wave's successive copies. Waves in the real logs copy every few seconds
while they last (the longest gaps inside the large pastes are 40-90 s); the same paste ten
minutes later is a new wave."""

MIN_CHATTERS = 3
"""Distinct chatters in a wave. Two people writing the same 5-word sentence is a coincidence
or a reply quoting; three is chat copying."""

MIN_COPIES = 3
"""Messages in a wave (at least as many as the smallest group the clusterer keeps)."""


@lru_cache(maxsize=65536)
def token_set(text: str) -> frozenset[str]:
    """The distinct tokens of a message's canonical form (what variants are compared on); a
    raw message and its `normalize_text` form give the same set (mentions dropped)."""
    return frozenset(canonical_form(text.replace(MENTION, " ")).split())


def may_hold_tokens(text: str, n: int) -> bool:
    """False when ``text`` cannot hold ``n`` distinct `token_set` tokens, read without working
    out its canonical form (`token_set` of each distinct text was 0.5 of the ~8 s describing
    the 100k-message speed log; most chat messages are a few words).

    `canonical_form` maps each whitespace token to at most one token, the same one wherever it
    occurs, and can only add tokens where a link is cut out of a word (at most two per link,
    each holding a "." or "://"), a mention is (one per "@"), or a control character or a
    ``<mention>`` placeholder becomes a space (not printable, or a "<": not bounded here).
    """
    if "<" in text or not text.isprintable():
        return True
    cuts = 2 * (text.count(".") + text.count("://")) + text.count("@")
    return len(set(text.split())) + cuts >= n


_SHORT: frozenset[str] = frozenset()


def _token_sets(texts: Sequence[object], min_tokens: int) -> list[frozenset[str]]:
    """Each message's token set, each distinct text looked up once; an empty set for a text
    that cannot hold `min_tokens` tokens (`may_hold_tokens`), which no wave reads: working
    out every distinct text's set was 0.3 s of the 100k-message speed log's ~0.8 s of
    `clustering.features.message_reactions`."""
    memo: dict[object, frozenset[str]] = {}
    out = []
    for text in texts:
        tokens = memo.get(text)
        if tokens is None:
            text_str = text if isinstance(text, str) else str(text or "")
            tokens = memo[text] = (
                token_set(text_str) if may_hold_tokens(text_str, min_tokens) else _SHORT
            )
        out.append(tokens)
    return out


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _join(parent: list[int], i: int, j: int) -> None:
    """Union of the sets of `i` and `j`, the smaller root the root."""
    a, b = _find(parent, i), _find(parent, j)
    if a != b:
        parent[max(a, b)] = min(a, b)


def copypasta_waves(
    texts: Sequence[str],
    offsets_s: Sequence[float] | np.ndarray,
    users: Sequence[object],
    *,
    min_tokens: int = MIN_TOKENS,
    min_overlap: float = MIN_OVERLAP,
    span_s: float = SPAN_S,
    min_chatters: int = MIN_CHATTERS,
    min_copies: int = MIN_COPIES,
) -> np.ndarray:
    """The copypasta wave of each message: -1 for none, else 0, 1, ... by first appearance.

    `texts`, `offsets_s` (seconds) and `users` are parallel, one entry per message, in any
    order. Deterministic: the result depends only on the inputs. Each distinct text is
    compared with the distinct texts seen in the `span_s` before it that share a token, so
    the cost follows the number of long texts in flight, not the log's length squared.
    """
    n = len(texts)
    if not (len(offsets_s) == len(users) == n):
        raise ValueError("texts, offsets_s and users must have the same length")
    waves = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return waves
    times = np.asarray(offsets_s, dtype=np.float64)
    sets = _token_sets(texts, min_tokens)
    long_rows = np.fromiter(
        (i for i, tokens in enumerate(sets) if len(tokens) >= min_tokens), np.int64
    )
    if len(long_rows) < min_copies:  # a wave needs min_copies long texts
        return waves
    # the long texts in time order (ties: given order), as a stable sort of all rows visits them
    order = long_rows[np.argsort(times[long_rows], kind="stable")]
    parent = list(range(n))
    last_of: dict[frozenset[str], int] = {}  # token set -> its latest message (index)
    recent: deque[tuple[float, frozenset[str]]] = deque()  # (time, token set), time order
    holders: dict[str, set[frozenset[str]]] = {}  # token -> active token sets holding it
    candidates: list[int] = []
    at = times.tolist()  # the same doubles as Python floats: no numpy scalar per step
    for i in order.tolist():
        tokens = sets[i]
        now = at[i]
        while recent and recent[0][0] < now - span_s:  # forget texts not seen for span_s
            seen_at, old = recent.popleft()
            last = last_of.get(old)
            if last is not None and at[last] == seen_at:
                del last_of[old]
                for tok in old:
                    holders[tok].discard(old)
        candidates.append(i)
        last = last_of.get(tokens)
        if last is not None:
            # the same token set again while still in flight: every set it is a variant of
            # was joined to its last copy already (by that copy, or by the set arriving
            # after it), so joining that copy is the same partition (copypasta floods are
            # mostly one text again: this loop's time on the 100k-message speed log)
            _join(parent, i, last)
            last_of[tokens] = i
            recent.append((now, tokens))
            continue
        # each active set holding a token of this one, with the number of tokens they share
        # (counted as found: no set intersection per pair)
        # (counted in C; most sets share a few common words only, so the token count is
        # tested before the overlap: 0.17 -> 0.07 s over the 100k-message speed log's groups)
        shared = Counter(chain.from_iterable([holders[t] for t in tokens if t in holders]))
        size = len(tokens)
        for other, count in shared.items():
            if count >= min_tokens and count >= min_overlap * min(size, len(other)):
                _join(parent, i, last_of[other])
        last_of[tokens] = i
        recent.append((now, tokens))
        for tok in tokens:
            held = holders.get(tok)
            if held is None:
                holders[tok] = {tokens}
            else:
                held.add(tokens)
    members: dict[int, list[int]] = {}
    for i in candidates:
        members.setdefault(_find(parent, i), []).append(i)
    found = []
    for rows in members.values():
        if len(rows) >= min_copies and len({users[r] for r in rows}) >= min_chatters:
            found.append(sorted(rows, key=lambda r: (times[r], r)))
    found.sort(key=lambda rows: (times[rows[0]], rows[0]))
    for wave, rows in enumerate(found):
        waves[rows] = wave
    return waves
