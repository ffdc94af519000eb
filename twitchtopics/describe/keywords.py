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

import numpy as np

from twitchtopics.chat.emotes import is_emoji, is_emote
from twitchtopics.chat.tokens import keyword_tokens

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
    topics allowed bare numbers (module doc).

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
    topic_ids = sorted({int(t) for t in labels_arr if t >= 0})
    if not topic_ids:
        return {}
    result: dict[int, list[tuple[str, float]]] = {t: [] for t in topic_ids}
    names = {_fold(str(u)).lstrip("@") for u in users if u} if users is not None else set()

    # one token list per kept document, each (case-folded) word once per message
    cache: dict[str, list[str]] = {}
    spellings: Counter[tuple[str, str]] = Counter()
    kept_tokens: list[list[str]] = []
    kept_labels: list[int] = []
    kept_counts: list[int] = []
    doc_freq: dict[int, Counter[str]] = {t: Counter() for t in topic_ids}
    name_writers: dict[tuple[int, str], set[str]] = defaultdict(set)
    sizes: Counter[int] = Counter()
    for i, (doc, label, count) in enumerate(zip(docs, labels_arr, counts, strict=True)):
        if count <= 0:
            continue
        doc = doc if isinstance(doc, str) else ("" if doc is None else str(doc))
        tokens = cache.get(doc)
        if tokens is None:
            raw = keyword_tokens(doc, known_emotes)
            for tok in raw:
                spellings[(_fold(tok), tok)] += 1
            tokens = cache[doc] = list(dict.fromkeys(_fold(t) for t in raw))
        label = int(label)
        if label >= 0:
            sizes[label] += int(count)
            for tok in tokens:
                doc_freq[label][tok] += int(count)
                if tok in names and users is not None:
                    name_writers[(label, tok)].add(_fold(str(users[i])))
        kept_tokens.append(tokens)
        kept_labels.append(label)
        kept_counts.append(int(count))
    if not any(doc_freq[t] for t in topic_ids):
        return result
    shown = _most_frequent_spellings(spellings)
    per_topic = class_tfidf(kept_tokens, kept_labels, kept_counts)
    candidates = max(KEYWORD_CANDIDATES, 3 * top_n)
    tallies = {int(t) for t in tally_topics}
    for old, words in per_topic.items():
        if old < 0:
            continue
        need = min(min_df, sizes[old]) if min_df > 0 else 0
        need = max(need, math.ceil(MIN_GROUP_SHARE * sizes[old]))
        found = []
        for word, score in words[:candidates]:
            if not word or score <= 0 or doc_freq[old][word] < need:
                continue
            if old not in tallies and is_bare_number(word):
                continue
            if word in names and len(name_writers[(old, word)] - {word}) < NAME_MIN_OTHER_WRITERS:
                continue
            found.append((shown.get(word, word), float(score)))
        found.sort(key=lambda ws: (-ws[1], ws[0]))
        result[old] = emotes_not_crowding(found, known_emotes)[:top_n]
    return result


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
    frequency = np.asarray(counts.sum(axis=0)).ravel()
    words_per_class = np.asarray(counts.sum(axis=1)).ravel()
    idf = np.log(int(words_per_class.mean()) / frequency + 1)
    scores = (sparse.diags(1.0 / np.maximum(words_per_class, 1)) @ counts).tocsr()
    scores.data = np.sqrt(scores.data)
    scores = (scores @ sparse.diags(idf)).tocsr()
    words = np.array(list(vocabulary), dtype=object)
    out: dict[int, list[tuple[str, float]]] = {}
    for label, i in row_of.items():
        start, end = scores.indptr[i], scores.indptr[i + 1]
        row_scores, idx = scores.data[start:end], scores.indices[start:end]
        order = np.lexsort((words[idx].astype(str), -row_scores))
        out[label] = [(str(words[idx[j]]), float(row_scores[j])) for j in order]
    return out
