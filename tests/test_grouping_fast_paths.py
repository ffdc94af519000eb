"""The clustering step's fast paths give exactly what the per-pair / per-group loops gave.

`merge_adjacent_groups` scores each group's time neighbours with one matrix-vector product
and `_fit_ward` averages the emote groups' time coordinates after one sort: each test runs
the plain loop beside them and compares floats bit for bit.
"""

from __future__ import annotations

import numpy as np
import pytest

from twitchtopics.clustering.clusterer import _time_to_group_mean
from twitchtopics.clustering.grouping import _first_start_after, _similar_adjacent_pairs


def _pairs_one_by_one(unit, lo, hi, min_similarity, max_gap_s):
    order = np.argsort(lo, kind="stable")
    out = []
    for pos, a in enumerate(order):
        for b in order[pos + 1 :]:
            if lo[b] - hi[a] > max_gap_s:
                break
            sim = float(unit[a] @ unit[b])
            if sim >= min_similarity:
                out.append((-sim, int(min(a, b)), int(max(a, b))))
    return out


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("max_gap_s", [0.0, 30.0, np.inf])
def test_similar_adjacent_pairs_are_the_pair_loops(seed: int, max_gap_s: float) -> None:
    rng = np.random.default_rng(seed)
    g = int(rng.integers(2, 120))
    vectors = rng.normal(size=(g, 16))
    vectors[rng.random(g) < 0.3] = vectors[0]  # equal groups: cosines at the threshold
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    lo = np.round(rng.uniform(0, 3000, size=g), 1)
    lo[rng.random(g) < 0.2] = lo[0]  # equal starts
    hi = lo + rng.uniform(0, 200, size=g)
    for threshold in (0.2, float(unit[0] @ unit[0])):
        expected = _pairs_one_by_one(unit, lo, hi, threshold, max_gap_s)
        assert _similar_adjacent_pairs(unit, lo, hi, threshold, max_gap_s) == expected


def test_first_start_after_is_the_loops_break() -> None:
    rng = np.random.default_rng(3)
    starts = np.sort(rng.choice(np.linspace(0, 100, 41), size=200))
    for _ in range(500):
        begin = int(rng.integers(0, 201))
        end_time = float(rng.choice(starts)) if rng.random() < 0.5 else rng.uniform(-5, 105)
        gap = float(rng.choice([0.0, 0.1, 2.5, np.inf]))
        expected = begin
        while expected < len(starts) and not starts[expected] - end_time > gap:
            expected += 1
        assert _first_start_after(starts, begin, end_time, gap) == expected


def test_time_to_group_mean_is_the_per_group_mask() -> None:
    rng = np.random.default_rng(9)
    n = 5000
    features = rng.normal(size=(n, 3)) * 1e3
    group_of = rng.integers(-1, 300, size=n)
    groups = rng.choice(group_of, size=400)
    expected = features.copy()
    for group in np.unique(groups):
        members = group_of == group
        expected[members, -1] = expected[members, -1].mean()
    _time_to_group_mean(features, group_of, groups)
    assert np.array_equal(features, expected)
    untouched = features.copy()
    _time_to_group_mean(features, group_of, np.zeros(0, dtype=np.int64))
    assert np.array_equal(features, untouched)
