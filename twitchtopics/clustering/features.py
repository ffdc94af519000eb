"""Text features fitted on the log itself, and the chat reactions that are one topic at any time.

Two levers on top of the sentence embeddings (measured against the hand labels of
../shared/data/gold with benchmarks/quality.py):

- Character n-grams of the log's own texts (TF-IDF on `canonical_form`, reduced with
  TruncatedSVD, L2-normalised) appended to the sentence embedding before UMAP. MiniLM is an
  English model; n-grams catch French chat vocabulary and its spellings (sa/ça, bonsoiiir,
  constitution/constitutionnel) from the log's own statistics, with no fitted constant
  beyond their weight.
- Reactions (a message that is only laughter, only a greeting, only "+1") are one topic
  whatever the moment: a reader calls them "laughter", not "what was said at 1:32". They are
  grouped by kind over the whole log instead of being cut into time slices.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

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
    from twitchtopics.chat.normalize import STOP_WORDS, is_greeting_token, is_laughter_token

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


def char_ngram_features(
    texts: Sequence[str], *, n_components: int = 100, random_state: int | None = None
) -> np.ndarray | None:
    """Character 2-4-gram TF-IDF of the texts' canonical forms, SVD-reduced, L2-normalised.

    Fitted on the texts given (the log's distinct texts); n-grams seen in fewer than two texts
    are dropped. None when the log is too small or too uniform to give two components.
    """
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    from twitchtopics.chat.normalize import canonical_form

    if len(texts) < 3:
        return None
    docs = [canonical_form(t) for t in texts]
    vectorizer = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 4), min_df=2, sublinear_tf=True, dtype=np.float32
    )
    try:
        matrix = vectorizer.fit_transform(docs)
    except ValueError:  # empty vocabulary
        return None
    k = min(n_components, matrix.shape[1] - 1, matrix.shape[0] - 1)
    if k < 2:
        return None
    reduced = TruncatedSVD(n_components=k, random_state=random_state).fit_transform(matrix)
    return normalize(reduced).astype(np.float32)


def text_features(
    unique_embeddings: np.ndarray,
    texts: Sequence[str] | None,
    *,
    ngram_weight: float = 0.7,
    n_components: int = 100,
    random_state: int | None = None,
) -> np.ndarray:
    """The sentence embedding (L2-normalised), with the log's n-gram features appended at
    `ngram_weight` when texts are given; one row per distinct text."""
    from sklearn.preprocessing import normalize

    base = normalize(np.asarray(unique_embeddings, dtype=np.float32))
    if texts is None or ngram_weight <= 0:
        return base
    ngrams = char_ngram_features(texts, n_components=n_components, random_state=random_state)
    if ngrams is None:
        return base
    return np.hstack([base, ngram_weight * ngrams]).astype(np.float32)
