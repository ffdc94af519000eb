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
  grouped by kind over the whole log instead of being cut into time slices. The rule that
  tells them is chat knowledge: `twitchtopics.chat.reactions` (re-exported here).
- Copypasta waves (the same long text, or its variants, copied by several chatters within a
  short span: `twitchtopics.chat.copypasta`) are one group each (issue 11 point 3), kept out
  of Ward like reactions but, unlike them, each wave is its own moment; messages made only of
  one emote are one group per emote over the log, like laughter (`message_reactions`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from twitchtopics.chat.reactions import REACTIONS, reaction_kind, reaction_kinds

__all__ = [
    "COPYPASTA",
    "EMOTE",
    "EMOTE_MIN_MESSAGES",
    "REACTIONS",
    "char_ngram_features",
    "message_reactions",
    "reaction_kind",
    "reaction_kinds",
    "text_features",
]

COPYPASTA = "copypasta"
"""The reaction kind of a message in a copypasta wave (not in `REACTIONS`: one group per wave)."""

EMOTE = "emote"
"""The reaction kind of a message made only of one emote (one group per emote over the log)."""

EMOTE_MIN_MESSAGES = 3
"""Messages an emote needs to be a group of its own (the Ward method's smallest group,
`grouping.MIN_MOMENT`); rarer emote-only messages are grouped with what chat said around them."""


def message_reactions(
    texts: Sequence[str],
    inverse: np.ndarray,
    offsets_s: np.ndarray,
    users: Sequence[object] | np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(reaction kind, own group) of every message, from the distinct `texts`, each message's
    text row `inverse`, its time and (optionally) its chatter.

    Kinds are `reaction_kinds` (None where no reaction), `COPYPASTA` for a message in a
    copypasta wave, `EMOTE` for a message made only of one emote that at least
    `EMOTE_MIN_MESSAGES` messages of the log are made of (`chat.reactions.emote_key`). Own
    groups: each wave, then each such emote, is one group, numbered 0, 1, ... (waves by first
    appearance, then emotes by first appearance); -1 elsewhere. Without `users` no wave is
    found: a wave needs distinct chatters.
    """
    from twitchtopics.chat.copypasta import copypasta_waves

    inverse = np.asarray(inverse, dtype=np.int64)
    n = len(inverse)
    text_kinds = reaction_kinds(texts)
    kinds = text_kinds[inverse] if n else np.full(0, None, dtype=object)
    own = np.full(n, -1, dtype=np.int64)
    if users is not None and n:
        if len(users) != n:
            raise ValueError("users must hold one chatter per message")
        per_message = [texts[i] for i in inverse]
        own = copypasta_waves(per_message, np.asarray(offsets_s, dtype=np.float64), users)
        kinds[own >= 0] = COPYPASTA
    if n:
        # a message has no kind yet where its text has none and it is in no wave (read per
        # distinct text: per message this test was 0.1 s of the 100k-message speed log)
        no_kind = np.array([k is None for k in text_kinds.tolist()], dtype=bool)[inverse]
        _emote_groups(texts, inverse, kinds, own, no_kind & (own < 0))
    return kinds, own


def _emote_groups(
    texts: Sequence[str],
    inverse: np.ndarray,
    kinds: np.ndarray,
    own: np.ndarray,
    no_kind: np.ndarray,
) -> None:
    """Give each emote made into at least `EMOTE_MIN_MESSAGES` emote-only messages (not
    already a reaction or a wave: `no_kind`, one bool per message) a group of its own, after
    the waves, numbered by first appearance; fills `kinds` and `own` in place.

    Counted per distinct text, then per key: an array of the messages' keys as fixed-width
    strings cost ~500 MB on a 1M-message log (benchmarks/speed.py's).
    """
    from twitchtopics.chat.reactions import emote_key

    key_ids: dict[str, int] = {}
    text_key = np.array(
        [-1 if k is None else key_ids.setdefault(k, len(key_ids)) for k in map(emote_key, texts)],
        dtype=np.int64,
    )
    if not key_ids:
        return
    key = text_key[inverse]
    free = np.flatnonzero((key >= 0) & no_kind)
    counts = np.bincount(key[free], minlength=len(key_ids))
    first = np.full(len(key_ids), len(inverse), dtype=np.int64)
    np.minimum.at(first, key[free], free)
    kept = np.flatnonzero(counts >= EMOTE_MIN_MESSAGES)
    kept = kept[np.argsort(first[kept], kind="stable")]
    group_of_key = np.full(len(key_ids), -1, dtype=np.int64)
    group_of_key[kept] = int(own.max()) + 1 + np.arange(len(kept))
    rows = free[group_of_key[key[free]] >= 0]
    own[rows] = group_of_key[key[rows]]
    kinds[rows] = EMOTE


def char_ngram_features(
    texts: Sequence[str], *, n_components: int = 100, random_state: int | None = None
) -> np.ndarray | None:
    """Character 2-4-gram TF-IDF of the texts' canonical forms, SVD-reduced, L2-normalised.

    Fitted on the texts given (the log's distinct texts); n-grams seen in fewer than two texts
    are dropped. None when the log is too small or too uniform to give two components.
    """
    from twitchtopics.chat.normalize import canonical_form
    from twitchtopics.clustering.char_ngrams import char_wb_counts
    from twitchtopics.clustering.sparse_svd import (
        l2_normalized_rows,
        sublinear_tfidf,
        truncated_svd,
    )
    from twitchtopics.clustering.threads import compiled_threads
    from twitchtopics.clustering.ward import takes_compiled_loop

    if len(texts) < 3:
        return None
    # TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), min_df=2, sublinear_tf=True,
    # dtype=np.float32), its counts worked out per distinct word (`char_ngrams`)
    counts = char_wb_counts([canonical_form(t) for t in texts], (2, 4), min_df=2)
    if counts is None:  # no n-gram in two texts
        return None
    matrix = sublinear_tfidf(counts)  # TfidfTransformer(sublinear_tf=True)
    k = min(n_components, matrix.shape[1] - 1, matrix.shape[0] - 1)
    if k < 2:
        return None
    # TruncatedSVD(n_components=k, random_state=random_state); its products compiled, on
    # `compiled_threads`, where the layout and Ward take their compiled loops
    parts = compiled_threads() if takes_compiled_loop(matrix.shape[0]) else None
    reduced = truncated_svd(matrix, k, random_state=random_state, parts=parts)
    return l2_normalized_rows(reduced).astype(np.float32)


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
    from twitchtopics.clustering.sparse_svd import l2_normalized_rows

    base = l2_normalized_rows(np.asarray(unique_embeddings, dtype=np.float32))
    if texts is None or ngram_weight <= 0:
        return base
    ngrams = char_ngram_features(texts, n_components=n_components, random_state=random_state)
    if ngrams is None:
        return base
    return np.hstack([base, ngram_weight * ngrams]).astype(np.float32)
