"""The numpy UMAP layout (`twitchtopics.clustering.layout`) and the reduction that uses it."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from twitchtopics.clustering import layout as L
from twitchtopics.clustering.neighbors import exact_knn
from twitchtopics.clustering.reduction import UmapSettings, reduce_features


def blobs(seed: int = 0, per: int = 80) -> tuple[np.ndarray, np.ndarray]:
    """Three well-separated groups of points in 30 dimensions, and each point's group."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(3, 30)) * 5
    points = np.vstack([c + rng.normal(size=(per, 30)) for c in centres]).astype(np.float32)
    return points, np.repeat(np.arange(3), per)


def test_find_ab_matches_umaps_curve():
    """umap-learn's documented fit for min_dist 0.1, spread 1: a = 1.577, b = 0.895."""
    a, b = L.find_ab(0.1)
    assert abs(a - 1.577) < 0.01 and abs(b - 0.895) < 0.01


def test_memberships_sum_to_log2_k():
    points, _ = blobs()
    indices, distances, _ = exact_knn(points, 15, "euclidean")
    sigma, rho = L.smooth_knn_dist(distances, 15)
    assert np.all(sigma > 0) and np.allclose(rho, distances[:, 1])
    shifted = np.maximum(distances[:, 1:] - rho[:, None], 0.0)
    sums = np.exp(-shifted / sigma[:, None]).sum(axis=1)
    np.testing.assert_allclose(sums, np.log2(15), rtol=1e-3)


def test_fuzzy_graph_is_a_symmetric_union():
    points, _ = blobs()
    indices, distances, _ = exact_knn(points, 10, "euclidean")
    graph = L.fuzzy_graph(indices, distances).tocsr()
    assert abs(graph - graph.T).max() < 1e-12
    assert graph.diagonal().max() == 0.0
    assert 0.0 < graph.data.min() and graph.data.max() <= 1.0 + 1e-12
    # each point's nearest neighbour is at full membership
    nearest = graph[np.arange(len(points)), indices[:, 1]]
    np.testing.assert_allclose(np.asarray(nearest).ravel(), 1.0)


def test_layout_separates_groups_and_is_deterministic():
    points, group = blobs()
    indices, distances, _ = exact_knn(points, 15, "euclidean")
    y = L.layout(indices, distances, 3, n_epochs=60, seed=7)
    assert y.shape == (len(points), 3) and y.dtype == np.float32
    assert np.array_equal(y, L.layout(indices, distances, 3, n_epochs=60, seed=7))
    assert not np.array_equal(y, L.layout(indices, distances, 3, n_epochs=60, seed=8))
    centres = np.array([y[group == g].mean(axis=0) for g in range(3)])
    spread = max(np.linalg.norm(y[group == g] - centres[g], axis=1).mean() for g in range(3))
    gaps = [np.linalg.norm(centres[i] - centres[j]) for i in range(3) for j in range(i + 1, 3)]
    assert min(gaps) > 3 * spread


def test_reduce_features_small_and_degenerate_inputs():
    rng = np.random.default_rng(1)
    for n in (3, 8, 14, 40):
        out = reduce_features(rng.normal(size=(n, 12)).astype(np.float32), UmapSettings())
        assert out.shape == (n, 5) and np.isfinite(out).all()
    repeated = np.repeat(rng.normal(size=(3, 12)), 15, axis=0).astype(np.float32)
    out = reduce_features(repeated, UmapSettings())
    assert out.shape == (45, 5) and np.isfinite(out).all()


def test_reduction_compiles_nothing():
    """A log's reduction (below `EXACT_KNN_MAX` distinct texts) imports neither umap-learn
    nor numba: nothing to compile on a fresh machine (issue 17); a small one (up to
    `NUMPY_KNN_MAX`) not torch either."""
    code = (
        "import sys, numpy as np\n"
        "from twitchtopics.clustering.reduction import UmapSettings, reduce_features\n"
        "x = np.random.default_rng(0).normal(size=(300, 16)).astype(np.float32)\n"
        "reduce_features(x, UmapSettings())\n"
        "print(sorted(m for m in ('umap', 'numba', 'pynndescent', 'torch') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_compiled_batches_move_the_points_exactly_as_numpy(monkeypatch, threads):
    """`_layout_jit` (taken where Ward takes numba) gives the numpy layout bit for bit: same
    random points, same float32 steps, the same float64 sums in the same order, on one
    thread, with the schedule made ahead on a second, and with two parts beside it."""
    points, _ = blobs(seed=3, per=150)
    indices, distances, _ = exact_knn(points, 15, "cosine")
    monkeypatch.setattr(L, "takes_compiled_loop", lambda n_points: False)
    plain = L.layout(indices, distances, 5, n_epochs=40, seed=11)
    monkeypatch.setattr(L, "takes_compiled_loop", lambda n_points: True)
    monkeypatch.setattr(L, "compiled_threads", lambda: threads)
    compiled = L.layout(indices, distances, 5, n_epochs=40, seed=11)
    assert np.array_equal(plain, compiled)
    assert not np.array_equal(plain, L.layout(indices, distances, 5, n_epochs=41, seed=11))
