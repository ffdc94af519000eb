"""c-TF-IDF keywords of groups, cleaned so that each one tells the reader something.

``topic_keywords`` scores words by BERTopic's c-TF-IDF (``class_tfidf``: the same formula,
computed here with sparse matrices on groups that are already made, without importing
BERTopic). Messages are tokenised first by ``normalize.keyword_tokens`` (stop words, filler
and laughter dropped, emotes kept with their case, accents kept) and each message counts a
word once (``KEKW KEKW KEKW`` is one vote for ``KEKW``, not three). Outlier messages (label
-1) take part in the fit, so words common to the whole chat are weighed down, but get no
keywords.

Clean-up rules, each from a complaint about real output (issue 12):

* **One entry per case-folded word**: ``PogChamp`` and ``pogchamp`` are counted as one word
  and shown in the log's most frequent spelling.
* **No bare numbers** (``650``, ``9000``, ``1973``) unless the group is a tally (votes,
  quiz answers), where the numbers *are* the content.
* **No chatter's own name** (a word equal to a user name of the log, ``@`` stripped) unless
  at least ``NAME_MIN_OTHER_WRITERS`` other chatters of the group write it: then the name is
  what the group talks about (a guest, a pro player in chat).
* **Emotes do not crowd out words**: in every prefix of the list at most half (rounded up)
  are emotes or emoji; emotes that lose their place come after the words, never dropped.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from twitchtopics.chat.emotes import is_emoji, is_emote
from twitchtopics.chat.tokens import keyword_token_tuples

__all__ = ["KEYWORD_CANDIDATES", "class_tfidf", "is_bare_number", "topic_keywords"]

_EMPTY: frozenset[str] = frozenset()
KEYWORD_CANDIDATES = 100
"""How many of a topic's best c-TF-IDF words may become keywords (see ``topic_keywords``):
30 before MIN_GROUP_SHARE; with it, a group of 150 chat messages about one card had no word of
3 % in its 30 best, so the pool is wider and the share filter does the choosing."""
MIN_GROUP_SHARE = 0.03
"""A keyword is in at least this share of its group's messages: c-TF-IDF's idf lifts words
typed twice ("sheeps", "arbitrary") above a wave most of the group typed (🤔 in 115 of 206
messages, but 678 times in the log); a word of under 3 % of the group says little of it."""
NAME_MIN_OTHER_WRITERS = 3
"""Other chatters who must write a chatter's name before it may be a keyword of their group."""
_NUMBER_RE = re.compile(r"[+-]?\d+(?:[.,:h/x-]\d+)*(?:st|nd|rd|th|e|er|k|m)?", re.IGNORECASE)


def is_bare_number(word: str) -> bool:
    """``650``, ``9000``, ``1973``, ``2-1``, ``10k``, ``3e``: a number with no word around it."""
    return word != "+1" and _NUMBER_RE.fullmatch(word) is not None


def _fold(word: str) -> str:
    return word.casefold()


def topic_keywords(
    docs: Sequence[str],
    labels: np.ndarray | Sequence[int],
    *,
    top_n: int = 10,
    known_emotes: frozenset[str] | set[str] = _EMPTY,
    weights: np.ndarray | Sequence[float] | None = None,
    min_df: int = 2,
    users: Sequence[str] | None = None,
    tally_topics: Collection[int] = (),
    wanted: Collection[int] | None = None,
) -> dict[int, list[tuple[str, float]]]:
    """c-TF-IDF keywords (BERTopic's) of every topic ``>= 0``, with their scores, best first.

    ``docs`` are the messages (raw or normalised, both work), ``labels`` their topic ids
    (``-1`` = outlier: used for the fit, no keywords). ``weights`` are optional integer counts
    per document (e.g. how many identical messages one deduplicated row stands for): a
    document of weight ``w`` counts ``w`` times, exactly as if it were repeated; weights are
    rounded to integers and a weight of 0 removes the document. ``min_df``: a keyword must
    occur in at least ``min(min_df, topic size)`` messages of its topic (weighted), so one odd
    message cannot name a topic. Only a topic's ``max(KEYWORD_CANDIDATES, 3 * top_n)``
    best-scored words are candidates (as BERTopic's ``top_n_words`` did before that filter), so
    a topic whose distinctive words are one-offs gets fewer keywords rather than generic ones.
    ``users`` (parallel to ``docs``) enables the chatter-name rule; ``tally_topics`` are the
    topics allowed bare numbers (module doc). ``wanted``: the topics whose keywords are read
    (default: all); the others are scored with them but get an empty list.

    Cost: linear in the number of tokens, mostly tokenising (cached per distinct text).

    Returns ``{topic id: [(word, score), ...]}`` with the given ids, every topic id present, an
    empty list when a topic has no usable word (e.g. only stop words, laughter or numbers).
    """
    labels_arr = np.asarray(labels).astype(np.int64).reshape(-1)
    if len(labels_arr) != len(docs):
        raise ValueError(f"{len(docs)} documents but {len(labels_arr)} labels")
    if users is not None and len(users) != len(docs):
        raise ValueError(f"{len(docs)} documents but {len(users)} users")
    counts = _document_counts(weights, len(docs))
    topic_ids = sorted({int(t) for t in np.unique(labels_arr) if t >= 0})
    if not topic_ids:
        return {}
    result: dict[int, list[tuple[str, float]]] = {t: [] for t in topic_ids}
    # each distinct chatter folded once (a set first: 1M messages come from far fewer chatters)
    names = {_fold(str(u)).lstrip("@") for u in set(users) if u} if users is not None else set()

    from scipy import sparse

    kept = np.flatnonzero(counts > 0)
    texts = map(_as_text, docs) if len(kept) == len(docs) else (_as_text(docs[i]) for i in kept)
    table = _token_table(tuple(texts), known_emotes)
    kept_labels, kept_counts = labels_arr[kept], counts[kept]
    classes, class_rows = np.unique(kept_labels, return_inverse=True)
    # class x word counts, each word once per message (the documents of a class joined)
    by_class = sparse.csr_matrix(
        (kept_counts, (class_rows, table.doc_of)), shape=(len(classes), len(table.texts))
    )
    class_counts = (by_class @ table.matrix).tocsr()
    class_counts.sum_duplicates()
    class_counts.sort_indices()  # `_row_values` searches each row's indices
    if not any(t >= 0 for t in classes.tolist()) or class_counts.nnz == 0:
        return result
    class_sizes = np.bincount(class_rows, weights=kept_counts, minlength=len(classes))
    sizes = dict(zip(classes.tolist(), class_sizes.tolist(), strict=True))
    shown = table.shown()
    scores = _ctfidf_scores(class_counts.astype(np.float64))
    name_writers = _name_writers(table, names, kept, kept_labels, users)
    candidates = max(KEYWORD_CANDIDATES, 3 * top_n)
    tallies = {int(t) for t in tally_topics}
    wanted = None if wanted is None else {int(t) for t in wanted}
    for row, old in enumerate(classes.tolist()):
        if old < 0 or (wanted is not None and old not in wanted):
            continue
        need = min(min_df, int(sizes[old])) if min_df > 0 else 0
        need = max(need, math.ceil(MIN_GROUP_SHARE * sizes[old]))
        ranked = _ranked_row(scores, row, table.words, limit=candidates)
        freq = _row_values(class_counts, row, [word_id for word_id, _ in ranked])
        found = []
        for (word_id, score), count in zip(ranked, freq, strict=True):
            word = table.words[word_id]
            if not word or score <= 0 or count < need:
                continue
            if old not in tallies and is_bare_number(word):
                continue
            if word in names and len(name_writers[(old, word)] - {word}) < NAME_MIN_OTHER_WRITERS:
                continue
            found.append((shown.get(word, word), float(score)))
        found.sort(key=lambda ws: (-ws[1], ws[0]))
        result[old] = emotes_not_crowding(found, known_emotes)[:top_n]
    return result


def _token_table(docs: tuple[str, ...], known_emotes: frozenset[str] | set[str]) -> _TokenTable:
    """`_TokenTable.of(docs)`, the last one remembered when the emote set is a frozenset: a
    run describes the same messages three times (groups, themes, theme labels)."""
    if not isinstance(known_emotes, frozenset):
        return _TokenTable.of(docs, known_emotes)
    return _last_token_table(docs, known_emotes)


@lru_cache(maxsize=1)
def _last_token_table(docs: tuple[str, ...], known_emotes: frozenset[str]) -> _TokenTable:
    return _TokenTable.of(docs, known_emotes)


def _as_text(doc: object) -> str:
    return doc if isinstance(doc, str) else ("" if doc is None else str(doc))


class _TokenTable:
    """The keyword tokens of a list of messages, each distinct text tokenised once.

    ``texts``: distinct texts in order of first appearance; ``doc_of``: each message's text;
    ``words``: the case-folded vocabulary; ``matrix``: distinct texts x words, 1 where the
    text holds the word (a message counts a word once); ``spellings``: (folded, as written)
    counts over the distinct texts' tokens, repeats within a text included.
    """

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.doc_of = np.zeros(0, dtype=np.int64)
        self.words: list[str] = []
        self.doc_words: list[list[int]] = []
        self.matrix: Any = None
        self.spellings: Counter[tuple[str, str]] = Counter()
        self._shown: dict[str, str] | None = None

    def shown(self) -> dict[str, str]:
        """Each folded word's most frequent spelling (`_most_frequent_spellings`), worked out
        once per table: the themes and their labels ask of the same table (`_token_table`),
        0.07 s each on the 100k-message speed log. Read, never changed."""
        if self._shown is None:
            self._shown = _most_frequent_spellings(self.spellings)
        return self._shown

    @classmethod
    def of(cls, docs: Sequence[str], known_emotes: frozenset[str] | set[str]) -> _TokenTable:
        import pandas as pd
        from scipy import sparse

        table = cls()
        # each message's distinct text, numbered by first appearance
        codes, distinct = pd.factorize(np.asarray(docs, dtype=object), use_na_sentinel=False)
        table.doc_of = codes.astype(np.int64)
        vocabulary: dict[str, int] = {}
        tokens_of = keyword_token_tuples(known_emotes)  # each doc is a str (`_as_text`)
        for doc in distinct.tolist():
            table.texts.append(doc)
            raw = tokens_of(doc, known_emotes)
            folded = list(map(str.casefold, raw))  # `_fold` without a Python call per token
            table.spellings.update(zip(folded, raw, strict=True))  # counted in C, same order
            table.doc_words.append(
                [vocabulary.setdefault(t, len(vocabulary)) for t in dict.fromkeys(folded)]
            )
        table.words = list(vocabulary)
        lengths = np.fromiter((len(w) for w in table.doc_words), np.int64, len(table.doc_words))
        indptr = np.concatenate(([0], np.cumsum(lengths)))
        indices = np.fromiter(
            (w for words in table.doc_words for w in words), np.int64, int(indptr[-1])
        )
        table.matrix = sparse.csr_matrix(
            (np.ones(len(indices), dtype=np.int64), indices, indptr),
            shape=(len(table.texts), len(vocabulary)),
        )
        return table


def _name_writers(
    table: _TokenTable,
    names: set[str],
    kept: np.ndarray,
    kept_labels: np.ndarray,
    users: Sequence[str] | None,
) -> dict[tuple[int, str], set[str]]:
    """(topic, chatter's name) -> the chatters of the topic who wrote that name."""
    writers: dict[tuple[int, str], set[str]] = defaultdict(set)
    if users is None or not names:
        return writers
    named = {
        d: found
        for d, words in enumerate(table.doc_words)
        if (found := [table.words[w] for w in words if table.words[w] in names])
    }
    if not named:
        return writers
    # only the messages naming a chatter (a loop over all 1M messages took 4 of 318 s profiled)
    naming = np.isin(table.doc_of, np.fromiter(named, np.int64)) & (kept_labels >= 0)
    for position in np.flatnonzero(naming).tolist():
        writer = _fold(str(users[int(kept[position])]))
        label = int(kept_labels[position])
        for word in named[int(table.doc_of[position])]:
            writers[(label, word)].add(writer)
    return writers


def _document_counts(weights: np.ndarray | Sequence[float] | None, n: int) -> np.ndarray:
    if weights is None:
        return np.ones(n, dtype=np.int64)
    counts = np.rint(np.nan_to_num(np.asarray(weights, dtype=float), nan=0.0))
    counts = np.clip(counts, 0, None).astype(np.int64).reshape(-1)
    if len(counts) != n:
        raise ValueError(f"{n} documents but {len(counts)} weights")
    return counts


def _most_frequent_spellings(spellings: Counter[tuple[str, str]]) -> dict[str, str]:
    """folded word -> its most frequent spelling (ties: the one sorting first)."""
    best: dict[str, tuple[int, str]] = {}
    for (folded, spelling), count in spellings.items():
        current = best.get(folded)
        if current is None or (-count, spelling) < (-current[0], current[1]):
            best[folded] = (count, spelling)
    return {folded: spelling for folded, (_, spelling) in best.items()}


def emotes_not_crowding(
    words: list[tuple[str, float]], known_emotes: frozenset[str] | set[str] = _EMPTY
) -> list[tuple[str, float]]:
    """The same words, emotes moved back so that no prefix is more than half emotes.

    An emote keeps its place when, counting it, at most ``ceil(k / 2)`` of the first ``k``
    entries are emotes; otherwise it waits for the next free emote place (or the end of the
    list, when words run out). Nothing is dropped.
    """
    out: list[tuple[str, float]] = []
    waiting: list[tuple[str, float]] = []
    emotes = 0

    def emote_fits() -> bool:
        return emotes + 1 <= math.ceil((len(out) + 1) / 2)

    for item in words:
        while waiting and emote_fits():
            out.append(waiting.pop(0))
            emotes += 1
        if is_emote(item[0], known_emotes) or is_emoji(item[0]):
            if emote_fits() and not waiting:
                out.append(item)
                emotes += 1
            else:
                waiting.append(item)
        else:
            out.append(item)
    return out + waiting


def class_tfidf(
    docs: Sequence[Sequence[str]], labels: Sequence[int], weights: Sequence[int] | None = None
) -> dict[int, list[tuple[str, float]]]:
    """Every word of every class with its c-TF-IDF score (BERTopic's formula), best first.

    ``docs`` are token lists; a document of weight ``w`` counts as ``w`` copies of it. The
    documents of a class are joined into one; ``tf`` is a word's count in the class,
    l1-normalised per class, square-rooted (BERTopic's ``reduce_frequent_words``); ``idf`` is
    ``log(A / f + 1)`` with ``f`` the word's total count over all classes and ``A`` the
    average number of words per class (integer part), classes -1 included. Computed here with
    sparse matrices rather than through a BERTopic model: the same numbers without importing
    BERTopic (and torch with it), which cost ~5 s of a cached run; a test checks the match.
    Ties are broken by the word, so the order is reproducible.
    """
    from scipy import sparse

    classes = sorted(set(labels))
    row_of = {label: i for i, label in enumerate(classes)}
    vocabulary: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    weights = [1] * len(docs) if weights is None else weights
    for tokens, label, weight in zip(docs, labels, weights, strict=True):
        row = row_of[label]
        for token in tokens:
            rows.append(row)
            cols.append(vocabulary.setdefault(token, len(vocabulary)))
            values.append(weight)
    if not vocabulary:
        return {label: [] for label in classes}
    counts = sparse.csr_matrix(
        (np.asarray(values, dtype=np.float64), (rows, cols)),
        shape=(len(classes), len(vocabulary)),
    )
    counts.sum_duplicates()
    scores = _ctfidf_scores(counts)
    words = list(vocabulary)
    return {
        label: [(words[j], score) for j, score in _ranked_row(scores, i, words)]
        for label, i in row_of.items()
    }


def _ctfidf_scores(counts: Any) -> Any:
    """c-TF-IDF scores (class x word CSR) of class x word counts (CSR, float64, summed)."""
    from scipy import sparse

    frequency = np.asarray(counts.sum(axis=0)).ravel()
    words_per_class = np.asarray(counts.sum(axis=1)).ravel()
    idf = np.log(int(words_per_class.mean()) / frequency + 1)
    scores = (sparse.diags(1.0 / np.maximum(words_per_class, 1)) @ counts).tocsr()
    scores.data = np.sqrt(scores.data)
    return (scores @ sparse.diags(idf)).tocsr()


def _row_values(matrix: Any, row: int, columns: list[int]) -> list[float]:
    """The values of one row of a CSR matrix with sorted indices at the given columns (0 where
    none is stored): a class's counts of its candidate words, without a dict of its whole
    row (a theme's row holds thousands of words)."""
    start, end = matrix.indptr[row], matrix.indptr[row + 1]
    indices, data = matrix.indices[start:end], matrix.data[start:end]
    wanted = np.asarray(columns, dtype=indices.dtype)
    at = np.minimum(np.searchsorted(indices, wanted), max(len(indices) - 1, 0))
    found = (indices[at] == wanted) if len(indices) else np.zeros(len(wanted), dtype=bool)
    return np.where(found, data[at] if len(indices) else 0, 0).tolist()


def _ranked_row(
    scores: Any, row: int, words: list[str], limit: int | None = None
) -> list[tuple[int, float]]:
    """(word id, score) of one class's words, best first, ties broken by the word; the first
    ``limit`` of them when given. Only the words scoring at least the ``limit``-th best score
    are sorted: the same first ``limit``, since every word tied with the last one is kept."""
    start, end = scores.indptr[row], scores.indptr[row + 1]
    row_scores, idx = scores.data[start:end], scores.indices[start:end]
    if limit is not None and len(row_scores) > limit:
        floor = np.partition(row_scores, len(row_scores) - limit)[len(row_scores) - limit]
        keep = row_scores >= floor
        row_scores, idx = row_scores[keep], idx[keep]
    names = np.array([words[j] for j in idx.tolist()], dtype=str)
    order = np.lexsort((names, -row_scores))[:limit]
    return list(zip(idx[order].tolist(), row_scores[order].tolist(), strict=True))
