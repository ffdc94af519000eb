"""Exact k nearest neighbours by brute force, for UMAP's `precomputed_knn`.

UMAP finds neighbours with NN-descent, whose numba code cannot be cached on disk and is
compiled anew in every process: about 23 s on 2 cores before the first neighbour, then ~3 s
for 46,000 points. A brute-force search is one matrix product per block of rows plus a
top-k: on 2 cores it takes ~0.2 s for 6,000 points and ~8-19 s for 46,000 (below), so up to
`EXACT_KNN_MAX` distinct texts it is both faster than NN-descent in a fresh process and
exact (NN-descent is approximate).

torch does the products and the top-k (numpy's `argpartition` was 2-5x slower here), on
`knn_threads` threads: the clustering runs inside `threads.one_blas_thread`, which also held
torch to one thread whenever torch was loaded before it (`--model minilm` loads it), so
the search ran on one core (see `knn_threads`). On CPUs with native bfloat16 (see
`twitchtopics.embed.precision`) candidates are found in bfloat16, twice as fast, then
re-ranked in float32 (compiled, `_knn_jit.reranked`): `CANDIDATE_FACTOR` x k candidates per
point, so the result matches the float32 search (recall 0.98 before re-ranking, measured on
46k real chat texts; the exact float32 distances are recomputed for every candidate).

Up to `NUMPY_KNN_MAX` points the same search runs in numpy (float32, exact): a run with the
static model imports torch for nothing else, and that import (2-3 s on a quiet machine,
10-20 s on the loaded one) cost more than the whole search at that size.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext

import numpy as np

EXACT_KNN_MAX = 60_000
"""Up to this many points `exact_knn` replaces NN-descent (at 60k about as fast as NN-descent
with its per-process compile, faster below)."""

BLOCK_CELLS = 96_000_000
"""Similarities (or candidate coordinates) held at once per block (<= 384 MB)."""

NUMPY_KNN_MAX = 10_000
"""Up to this many points `exact_knn` runs in numpy. Measured on 6,212 real chat texts (the
10k benchmark log; 2 cores, load 9): numpy's search 9.8 s against torch's 4.6 s plus 22 s
to import torch in a fresh process; on the README demo's ~1,500 texts numpy takes ~0.3 s."""

CANDIDATE_FACTOR = 3
"""bfloat16 candidates per wanted neighbour, re-ranked in float32."""


def knn_threads() -> int:
    """Threads for the search's products and top-k: ``OMP_NUM_THREADS`` when set (a season's
    single-thread streams and Dask workers set 1: other streams run beside them), else the
    cores this process may run on.

    Why not the clustering's one thread: on 45,530 real chat texts (484 features, the 100k
    benchmark log, default model) the search took 11.4 s on one thread and 6.4 s on two,
    with the same neighbours and distances bit for bit (each similarity is one row-column
    product, whichever thread computes it); `tests/test_neighbors.py` checks the sameness.
    """
    wanted = os.environ.get("OMP_NUM_THREADS", "").strip()
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@contextmanager
def torch_threads(count: int) -> Iterator[None]:
    """torch's intra-op thread count set to `count` for the block, then restored."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def exact_knn(
    points: np.ndarray, k: int, metric: str = "cosine", *, precision: str | None = None
) -> tuple[np.ndarray, np.ndarray, None]:
    """Each point's `k` nearest neighbours, itself first, as UMAP's `precomputed_knn`.

    `metric` is "cosine" (distance 1 - cosine similarity) or "euclidean". Returns (indices
    int32, distances float32, None); rows are sorted by distance. `precision` "bf16" or
    "fp32" forces the candidate search's precision (default: `resolve_precision`).
    """
    if metric not in ("cosine", "euclidean"):
        raise ValueError(f"exact_knn supports cosine and euclidean, not {metric!r}")
    pts = np.ascontiguousarray(points, dtype=np.float32)
    n = len(pts)
    k = max(1, min(k, n))
    if metric == "cosine":
        norms = np.linalg.norm(pts, axis=1, keepdims=True)
        pts = pts / np.where(norms > 0, norms, 1.0)
    if n <= NUMPY_KNN_MAX:
        return _numpy_knn(pts, k, metric)
    import torch

    from twitchtopics.embed.precision import resolve_precision

    full = torch.from_numpy(pts)
    sq = (full * full).sum(dim=1)
    # bfloat16 search for cosine only: -|y|^2 terms of a euclidean score need more bits
    bf16 = metric == "cosine" and (precision or resolve_precision("cpu")) == "bf16"
    search = full.to(torch.bfloat16) if bf16 else full
    n_candidates = min(n, k * CANDIDATE_FACTOR) if bf16 else k
    idx = np.empty((n, k), dtype=np.int64)
    dist = np.empty((n, k), dtype=np.float32)
    # rows per block: the similarities (rows x n); the candidates x dim bound is the one torch's
    # gathered re-rank needed, kept so that the blocks, and the products, stay as they were
    step = max(1, min(n, BLOCK_CELLS // max(n, n_candidates * pts.shape[1], 1)))
    threads = knn_threads()
    pool = ThreadPoolExecutor(threads - 1) if bf16 and threads > 1 else None
    with torch.inference_mode(), torch_threads(threads), pool or nullcontext():
        for start in range(0, n, step):
            stop = min(n, start + step)
            rows = torch.arange(start, stop)
            # larger score = nearer: similarity, or 2 x.y - |y|^2 (= |x|^2 - squared distance)
            score = search[start:stop] @ search.T
            if metric == "euclidean":
                score = score * 2.0 - sq[None, :]
            score[torch.arange(stop - start), rows] = torch.inf  # itself first
            best, cand = torch.topk(score, n_candidates, dim=1)  # sorted, nearest first
            if bf16:  # re-rank the candidates by their float32 similarity
                cand, best = map(
                    torch.from_numpy, _reranked(pts, start, cand.numpy(), k, pool, threads)
                )
            best = best.float()
            if metric == "cosine":
                d = 1.0 - best
            else:
                d = (sq[start:stop, None] - best).clamp_min(0.0).sqrt()
            d[:, 0] = 0.0
            idx[start:stop] = cand.numpy()
            dist[start:stop] = d.clamp_min(0.0).numpy()
    return idx.astype(np.int32), dist, None


def _reranked(
    pts: np.ndarray,
    start: int,
    candidates: np.ndarray,
    k: int,
    pool: ThreadPoolExecutor | None,
    parts: int,
) -> tuple[np.ndarray, np.ndarray]:
    """`_knn_jit.reranked` of a block's candidates, its rows split between this thread and
    the pool's (compiled code holds no GIL; each row is worked out alone, so the result is
    the same), in `parts` parts: 0.6 s on one core for the 100k benchmark log's 45,530 texts."""
    from twitchtopics.clustering._knn_jit import reranked
    from twitchtopics.clustering.threads import in_parts

    done = in_parts(
        pool, parts, len(candidates),
        lambda lo, hi: reranked(pts, start + lo, candidates[lo:hi], k),
    )  # fmt: skip
    return np.concatenate([d[0] for d in done]), np.concatenate([d[1] for d in done])


def _numpy_knn(pts: np.ndarray, k: int, metric: str) -> tuple[np.ndarray, np.ndarray, None]:
    """`exact_knn` in numpy on prepared points (unit rows for cosine), float32 throughout."""
    from twitchtopics.clustering.ward import takes_compiled_loop

    top_k = _compiled_top_k if takes_compiled_loop(len(pts)) else _ranked_top_k
    n = len(pts)
    sq = np.einsum("ij,ij->i", pts, pts)
    idx = np.empty((n, k), dtype=np.int64)
    dist = np.empty((n, k), dtype=np.float32)
    step = max(1, min(n, BLOCK_CELLS // max(n, 1)))
    for start in range(0, n, step):
        stop = min(n, start + step)
        # larger score = nearer: similarity, or 2 x.y - |y|^2 (= |x|^2 - squared distance)
        score = pts[start:stop] @ pts.T
        if metric == "euclidean":
            score = score * np.float32(2.0) - sq[None, :]
        score[np.arange(stop - start), np.arange(start, stop)] = np.inf  # itself first
        cand, best = top_k(score, k)
        if metric == "cosine":
            d = 1.0 - best
        else:
            d = np.sqrt(np.maximum(sq[start:stop, None] - best, 0.0))
        d[:, 0] = 0.0
        idx[start:stop] = cand
        dist[start:stop] = np.maximum(d, 0.0)
    return idx.astype(np.int32), dist, None


def _ranked_top_k(score: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(columns, scores) of each row's `k` largest scores, by score descending, equal scores by
    column ascending: a total order, so `_compiled_top_k` gives the same. `np.argpartition`
    finds the k-th largest value; of the values equal to it, the lowest columns are kept."""
    rows, n = score.shape
    if k >= n:
        cand = np.tile(np.arange(n), (rows, 1))
    else:
        part = np.argpartition(score, n - k, axis=1)[:, n - k :]
        kth = np.take_along_axis(score, part, axis=1).min(axis=1, keepdims=True)
        chosen = score >= kth
        room = k - (score > kth).sum(axis=1)
        for row in np.flatnonzero(chosen.sum(axis=1) > k):  # more ties than room: lowest first
            tied = np.flatnonzero(score[row] == kth[row])
            chosen[row, tied[room[row] :]] = False
        cand = np.nonzero(chosen)[1].reshape(rows, k)  # columns ascending in each row
    best = np.take_along_axis(score, cand, axis=1)
    order = np.argsort(-best, axis=1, kind="stable")
    return np.take_along_axis(cand, order, axis=1), np.take_along_axis(best, order, axis=1)


def _compiled_top_k(score: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """`_ranked_top_k` in one compiled pass per row (`_knn_jit`): the same columns and scores."""
    from twitchtopics.clustering._knn_jit import top_k_rows

    return top_k_rows(np.ascontiguousarray(score), k)
