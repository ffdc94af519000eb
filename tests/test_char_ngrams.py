"""`char_wb_counts` + `TfidfTransformer` make the matrix `TfidfVectorizer(analyzer="char_wb")`
makes, bit for bit: same numbers, same columns, each row's entries in the same order (the
SVD sums them in that order)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer

from twitchtopics.clustering.char_ngrams import char_wb_counts, word_ngrams


def _vectorizer(docs: list[str]):
    vectorizer = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 4), min_df=2, sublinear_tf=True, dtype=np.float32
    )
    try:
        return vectorizer.fit_transform(docs)
    except ValueError:
        return None


def _ours(docs: list[str]):
    counts = char_wb_counts(docs, (2, 4), min_df=2)
    return None if counts is None else TfidfTransformer(sublinear_tf=True).fit_transform(counts)


def _chat_like(n: int, seed: int) -> list[str]:
    """Short texts from a small vocabulary, with repeats, casing, stretches and odd spaces."""
    rng = np.random.default_rng(seed)
    words = ["gg", "KEKW", "ponceJAM", "oui", "non", "a", "c'est", "LUL", "🤔", "noooon",
             "Bonsoir", "bonsoir", "+1", "é", "ÉTÉ", "x", "ggwp", "İstanbul", "ß"]  # fmt: skip
    spaces = [" ", "  ", "\t", "\u00a0", "\u2003"]
    return [
        "".join(
            w + spaces[rng.integers(len(spaces))] for w in rng.choice(words, rng.integers(0, 7))
        )
        for _ in range(n)
    ]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_same_matrix_as_the_vectorizer(seed):
    docs = _chat_like(400, seed)
    expected, got = _vectorizer(docs), _ours(docs)
    assert expected.shape == got.shape
    assert np.array_equal(expected.indptr, got.indptr)
    assert np.array_equal(expected.indices, got.indices)  # the order within each row too
    assert np.array_equal(expected.data, got.data)


@pytest.mark.parametrize(
    "docs",
    [["", "", ""], ["  ", "\t", "\n"], ["aa", "bb", "cc"], ["a", "b", "c"]],
)
def test_none_where_the_vectorizer_has_no_terms(docs):
    assert _vectorizer(docs) is None
    assert _ours(docs) is None


def test_a_short_word_counts_once():
    assert word_ngrams("a", 2, 4) == [" a", "a ", " a "]
    assert word_ngrams("ab", 2, 4) == [" a", "ab", "b ", " ab", "ab ", " ab "]
