"""Themes' average linkage per connected component equals one linkage over all moments."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import pdist

from twitchtopics.clustering.themes import _average_linkage


def _one_linkage(centres: np.ndarray, threshold: float) -> np.ndarray:
    flat = fcluster(linkage(pdist(centres), method="average"), t=threshold, criterion="distance")
    first: dict[int, int] = {}
    for i, f in enumerate(flat):
        first.setdefault(int(f), i)
    return np.array([first[int(f)] for f in flat])


@pytest.mark.parametrize("seed", range(12))
def test_components_give_the_same_themes_as_one_linkage(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(2, 800)), int(rng.integers(1, 25))
    centres = rng.normal(size=(k, 5)) * rng.uniform(0.5, 5)
    points = centres[rng.integers(0, k, n)] + rng.normal(size=(n, 5)) * rng.uniform(0.05, 0.6)
    threshold = float(rng.choice([0.2, 0.5, 1.0]))
    assert (_average_linkage(points, threshold) == _one_linkage(points, threshold)).all()


def test_far_apart_moments_stay_alone() -> None:
    points = np.arange(10, dtype=float)[:, None] * np.ones((1, 5))
    assert (_average_linkage(points, 0.5) == np.arange(10)).all()
