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


@pytest.mark.parametrize("seed", range(12))
def test_in_place_linkage_gives_scipys_themes(seed: int) -> None:
    """The numba chain (large components) cuts into the same themes as scipy's linkage,
    ties included (points on a grid have many equal distances)."""
    from twitchtopics.clustering.themes import _in_place_linkage_firsts

    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(2, 600)), int(rng.integers(1, 20))
    centres = rng.normal(size=(k, 5)) * rng.uniform(0.5, 5)
    points = centres[rng.integers(0, k, n)] + rng.normal(size=(n, 5)) * rng.uniform(0.05, 0.6)
    if seed % 3 == 0:
        points = np.round(points * 2) / 2
    threshold = float(rng.choice([0.2, 0.5, 1.0]))
    assert (_in_place_linkage_firsts(points, threshold) == _one_linkage(points, threshold)).all()


def test_large_components_take_the_in_place_linkage(monkeypatch: pytest.MonkeyPatch) -> None:
    import twitchtopics.clustering.themes as themes

    rng = np.random.default_rng(7)
    points = rng.normal(size=(300, 5)) * 0.4
    expected = _one_linkage(points, 0.5)
    called = []
    original = themes._in_place_linkage_firsts
    monkeypatch.setattr(themes, "JIT_MIN_ROWS", 100)
    monkeypatch.setattr(
        themes, "_in_place_linkage_firsts", lambda c, t: called.append(len(c)) or original(c, t)
    )
    assert (themes._average_linkage(points, 0.5) == expected).all()
    assert called
