"""Group centroids gathered in blocks of whole groups: the same floats as all at once."""

from __future__ import annotations

import numpy as np
import pytest

from twitchtopics import vectors as vectors_module
from twitchtopics.vectors import _whole_group_blocks, group_centroids


def _one_shot(text_vectors: np.ndarray, text_index: np.ndarray, topics: np.ndarray) -> np.ndarray:
    """Each group's sum in message order, gathered at once (the code before the blocks)."""
    keep = (topics >= 0) & (text_index >= 0)
    sums = np.zeros((int(topics[keep].max()) + 1, text_vectors.shape[1]))
    order = np.flatnonzero(keep)
    order = order[np.argsort(topics[order], kind="stable")]
    ids = topics[order]
    starts = np.concatenate(([0], np.flatnonzero(ids[1:] != ids[:-1]) + 1))
    rows = text_vectors.astype(np.float32)[text_index[order]].astype(np.float64)
    sums[ids[starts]] = np.add.reduceat(rows, starts, axis=0)
    return vectors_module.l2_normalize(sums)


@pytest.mark.parametrize("block_rows", [1, 7, 64, 10_000])
def test_blocks_give_the_same_floats(monkeypatch, block_rows):
    rng = np.random.default_rng(3)
    text_vectors = rng.normal(size=(40, 6)).astype(np.float32)
    text_index = rng.integers(-1, 40, size=500).astype(np.int32)
    topics = rng.integers(-1, 25, size=500)
    topics[:30] = 24  # one big group, bigger than the small blocks
    monkeypatch.setattr(vectors_module, "CENTROID_BLOCK_ROWS", block_rows)
    got = group_centroids(text_vectors, text_index, topics)
    assert np.array_equal(got, _one_shot(text_vectors, text_index, topics))


def test_blocks_cover_every_group_once_and_stay_under_the_size():
    sizes = np.array([3, 1, 9, 2, 2, 5])
    ends = np.cumsum(sizes)
    starts = ends - sizes
    blocks = _whole_group_blocks(starts, ends, 5)
    assert [g for first, last in blocks for g in range(first, last)] == list(range(len(sizes)))
    for first, last in blocks:
        rows = ends[last - 1] - starts[first]
        assert rows <= 5 or last - first == 1  # a bigger group alone
    assert blocks == [(0, 2), (2, 3), (3, 5), (5, 6)]
