"""Brute-force exact neighbours (UMAP's precomputed_knn)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.neighbors import NearestNeighbors

from twitchtopics.clustering import neighbors
from twitchtopics.clustering.neighbors import exact_knn


def _points(n: int = 400, dim: int = 24, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(8, dim))
    return (centres[rng.integers(0, 8, n)] + 0.4 * rng.normal(size=(n, dim))).astype(np.float32)


@pytest.mark.parametrize(
    ("backend", "precision"), [("numpy", None), ("torch", "fp32"), ("torch", "bf16")]
)
@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
def test_matches_scikit_learn(metric, backend, precision, monkeypatch) -> None:
    monkeypatch.setattr(neighbors, "BLOCK_CELLS", 5_000)  # many blocks
    if backend == "torch":
        monkeypatch.setattr(neighbors, "NUMPY_KNN_MAX", 0)
    pts = _points()
    idx, dist, index = exact_knn(pts, 10, metric, precision=precision)
    want_dist, want_idx = (
        NearestNeighbors(n_neighbors=10, metric=metric, algorithm="brute").fit(pts).kneighbors(pts)
    )
    assert index is None and idx.dtype == np.int32 and dist.dtype == np.float32
    assert idx.shape == dist.shape == (len(pts), 10)
    assert (idx[:, 0] == np.arange(len(pts))).all() and (dist[:, 0] == 0).all()
    same = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(idx, want_idx, strict=True)])
    assert same > 0.99
    np.testing.assert_allclose(np.sort(dist, axis=1), np.sort(want_dist, axis=1), atol=1e-3)
    assert (np.diff(dist, axis=1) >= -1e-6).all()  # nearest first


@pytest.mark.parametrize("numpy_max", [0, 10_000])
def test_duplicates_keep_each_point_first_and_small_inputs_work(numpy_max, monkeypatch) -> None:
    monkeypatch.setattr(neighbors, "NUMPY_KNN_MAX", numpy_max)  # torch, then numpy
    pts = np.vstack([_points(30), _points(30)])  # every point twice
    idx, dist, _ = exact_knn(pts, 5, "cosine", precision="bf16")
    assert (idx[:, 0] == np.arange(60)).all()
    assert (idx[:30, 1] == np.arange(30, 60)).all() and np.allclose(dist[:, 1], 0, atol=1e-6)
    idx, dist, _ = exact_knn(pts[:3], 15, "cosine")
    assert idx.shape == (3, 3) and sorted(idx[1]) == [0, 1, 2]


def test_unknown_metric_is_refused() -> None:
    with pytest.raises(ValueError, match="cosine and euclidean"):
        exact_knn(_points(10), 3, "manhattan")


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_same_neighbours_whatever_the_thread_count(precision, monkeypatch) -> None:
    """The search runs on `knn_threads` threads (all cores for `cluster`, one in a season's
    single-thread stream): the result must not depend on how many."""
    monkeypatch.setattr(neighbors, "NUMPY_KNN_MAX", 0)
    monkeypatch.setattr(neighbors, "BLOCK_CELLS", 400_000)  # several blocks
    pts = _points(n=3_000, dim=96, seed=3)
    results = []
    for threads in ("1", "2", "3"):
        monkeypatch.setenv("OMP_NUM_THREADS", threads)
        assert neighbors.knn_threads() == int(threads)
        results.append(exact_knn(pts, 15, "cosine", precision=precision))
    for idx, dist, _ in results[1:]:
        np.testing.assert_array_equal(idx, results[0][0])
        np.testing.assert_array_equal(dist, results[0][1])


def test_knn_threads_lifts_the_clusterings_one_thread_and_restores_it(monkeypatch) -> None:
    """Inside `one_blas_thread` torch is held to one thread; the search asks for its own
    count there and gives the clustering's back afterwards."""
    torch = pytest.importorskip("torch")
    from twitchtopics.clustering.threads import one_blas_thread

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert neighbors.knn_threads() >= 1
    with one_blas_thread():
        held = torch.get_num_threads()
        with neighbors.torch_threads(2):
            assert torch.get_num_threads() == 2
        assert torch.get_num_threads() == held


def test_top_k_is_the_same_compiled_or_in_numpy_even_with_ties() -> None:
    """Both top-k's order by score, then column: rows full of equal scores (chat's texts that
    differ only in case have equal features) pick the same columns either way."""
    rng = np.random.default_rng(4)
    score = rng.integers(0, 6, size=(40, 300)).astype(np.float32)  # hundreds of ties a row
    score[:, 7] = np.inf
    for k in (1, 5, 15, 300):
        plain = neighbors._ranked_top_k(score, k)
        compiled = neighbors._compiled_top_k(score, k)
        assert np.array_equal(plain[0], compiled[0]) and np.array_equal(plain[1], compiled[1])
        assert (plain[0][:, 0] == 7).all()
        ties = plain[1][:, :-1] == plain[1][:, 1:]
        assert (np.diff(plain[0], axis=1)[ties] > 0).all()  # equal scores: lower column first


def test_exact_knn_is_the_same_whichever_top_k(monkeypatch) -> None:
    from twitchtopics.clustering import ward

    rng = np.random.default_rng(5)
    points = np.repeat(rng.normal(size=(60, 8)), 4, axis=0).astype(np.float32)  # 4 copies each
    monkeypatch.setattr(ward, "takes_compiled_loop", lambda n_points: False)
    plain = exact_knn(points, 10)
    monkeypatch.setattr(ward, "takes_compiled_loop", lambda n_points: True)
    compiled = exact_knn(points, 10)
    assert np.array_equal(plain[0], compiled[0]) and np.array_equal(plain[1], compiled[1])
