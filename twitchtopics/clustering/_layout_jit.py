"""One batch of the layout's edge samples (`layout._step`) as two compiled loops.

`layout._step` is a dozen numpy passes over a batch's edge and negative samples (gathers,
einsums, powers, three `np.bincount`s per coordinate); on 45,530 distinct texts (the 100k
benchmark log) its 792 batches took 6.2 of the reduction's 15 s on one core. These loops do
the same floating-point operations in the same order: float32 arithmetic per sample from
the batch's start positions, each coordinate's pulls and pushes summed in float64 in sample
order (as `np.bincount` sums them), then added to the float32 positions. The powers d^(2b)
stay numpy's, between the two loops: numpy's float32 power (SIMD, here within one ulp)
differs from the compiled one in about one value in five. So the layout is the numpy
code's bit for bit (`tests/test_layout.py` compares them).

Compiled once per machine (`cache=True`).
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def squared_distances(
    y: np.ndarray, head: np.ndarray, tail: np.ndarray, n_negative: np.ndarray, other: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each edge's squared distance (head to tail) and each negative sample's (head to its
    random point), in float32, coordinates summed in order (as numpy's einsum does)."""
    dim = y.shape[0]
    d2 = np.empty(len(head), dtype=np.float32)
    nd2 = np.empty(len(other), dtype=np.float32)
    k = 0
    for j in range(len(head)):
        h, t = head[j], tail[j]
        s = np.float32(0.0)
        for c in range(dim):
            v = y[c, h] - y[c, t]
            s += v * v
        d2[j] = s
        for _ in range(n_negative[j]):
            o = other[k]
            s = np.float32(0.0)
            for c in range(dim):
                v = y[c, h] - y[c, o]
                s += v * v
            nd2[k] = s
            k += 1
    return d2, nd2


@numba.njit(cache=True, nogil=True)
def apply_batch(  # noqa: PLR0913 - the batch, its powers and UMAP's constants
    y: np.ndarray,
    head: np.ndarray,
    tail: np.ndarray,
    n_negative: np.ndarray,
    other: np.ndarray,
    d2: np.ndarray,
    pb: np.ndarray,
    nd2: np.ndarray,
    npb: np.ndarray,
    a: np.float32,
    attract: np.float32,
    repel: np.float32,
    alpha: np.float32,
    clip: np.float32,
) -> None:
    """Move `y` (dim x n float32, in place) by one batch: `d2`, `nd2` from
    `squared_distances`, `pb`, `npb` their powers d2^b; `attract` = -2ab and `repel` = 2b,
    each rounded once to float32 (as numpy rounds a Python scalar)."""
    dim, n = y.shape
    pulls = np.zeros((dim, n))
    pushed_away = np.zeros((dim, n))
    pushes = np.zeros((dim, n))
    one = np.float32(1.0)
    eps = np.float32(0.001)
    k = 0
    for j in range(len(head)):
        h, t = head[j], tail[j]
        coeff = np.float32(0.0)
        if d2[j] > 0:
            coeff = attract * (pb[j] / d2[j]) / (a * pb[j] + one)
        for c in range(dim):
            g = min(max((y[c, h] - y[c, t]) * coeff, -clip), clip) * alpha
            pulls[c, h] += g
            pushed_away[c, t] += g
        for _ in range(n_negative[j]):
            o = other[k]
            ncoeff = np.float32(0.0)
            if nd2[k] > 0:
                ncoeff = repel / ((eps + nd2[k]) * (a * npb[k] + one))
            for c in range(dim):
                pushes[c, h] += min(max((y[c, h] - y[c, o]) * ncoeff, -clip), clip) * alpha
            k += 1
    for c in range(dim):
        for i in range(n):
            moved = pulls[c, i] - pushed_away[c, i] + pushes[c, i]
            y[c, i] = np.float32(np.float64(y[c, i]) + moved)
