"""Group centroids from a sparse product, in column blocks: the same floats as adding each
group's messages one by one, in order."""

from __future__ import annotations

import numpy as np
import pytest

from twitchtopics import vectors as vectors_module
from twitchtopics.vectors import group_centroids


def _in_order(text_vectors: np.ndarray, text_index: np.ndarray, topics: np.ndarray) -> np.ndarray:
    """Each group's sum from 0.0, its messages' float64 vectors added one by one in order."""
    keep = (topics >= 0) & (text_index >= 0)
    sums = np.zeros((int(topics[keep].max()) + 1, text_vectors.shape[1]))
    rows = text_vectors.astype(np.float32).astype(np.float64)
    for i in np.flatnonzero(keep):
        sums[topics[i]] = sums[topics[i]] + rows[text_index[i]]
    return vectors_module.l2_normalize(sums)


@pytest.mark.parametrize("block_values", [1, 7, 64, 10_000, 25_000_000])
def test_blocks_give_the_same_floats(monkeypatch, block_values):
    rng = np.random.default_rng(3)
    text_vectors = rng.normal(size=(40, 6)).astype(np.float32)
    text_index = rng.integers(-1, 40, size=500).astype(np.int32)
    topics = rng.integers(-1, 25, size=500)
    topics[:30] = 24  # one big group
    monkeypatch.setattr(vectors_module, "CENTROID_BLOCK_VALUES", block_values)
    got = group_centroids(text_vectors, text_index, topics)
    assert np.array_equal(got, _in_order(text_vectors, text_index, topics))


def test_sums_follow_message_order_with_repeated_texts():
    """In order, 1 + 1e16 loses the 1: what is left of [1, 1e16, -1e16, 1] is 1, not 2 (the
    first row plus the sum of the rest, `np.add.reduceat`'s order, gives 2)."""
    text_vectors = np.array([[1e16, 1.0], [1.0, 1.0], [-1e16, 1.0]], dtype=np.float32)
    text_index = np.array([0, 1, 2, 1, 0, 2, 1], dtype=np.int32)
    topics = np.array([0, 0, 0, 1, 1, 1, 1])
    got = group_centroids(text_vectors, text_index, topics)
    assert np.array_equal(got, _in_order(text_vectors, text_index, topics))
    assert got[0, 0] == 0.0  # group 0: 1e16 + 1 - 1e16, the 1 lost
    assert np.isclose(got[1, 0] / got[1, 1], 1 / 4)  # group 1: 1 of 4, not 2 of 4


def test_no_member_gives_no_rows_and_gaps_give_zero_rows():
    vectors = np.ones((2, 3), dtype=np.float32)
    assert group_centroids(vectors, np.array([-1, 0]), np.array([0, -1])).shape == (0, 3)
    got = group_centroids(vectors, np.array([0, 1]), np.array([2, 2]))
    assert got.shape == (3, 3) and not got[:2].any() and np.allclose(np.linalg.norm(got[2]), 1)
