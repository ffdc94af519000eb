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

The positions here are one row per point (n x dim: a point's coordinates share a cache line,
and the float64 sums live across batches in one (3, n, dim) array, zeroed as they are
applied), where the numpy batch keeps them one row per coordinate for `np.take`; the numbers
do not depend on that. Compiled once per machine (`cache=True`).
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def squared_distances(  # noqa: PLR0913 - the batch and the edges to do
    y: np.ndarray,
    head: np.ndarray,
    tail: np.ndarray,
    n_negative: np.ndarray,
    first_negative: np.ndarray,
    other: np.ndarray,
    lo: int,
    hi: int,
    d2: np.ndarray,
    nd2: np.ndarray,
) -> None:
    """Edges `lo` to `hi`: each one's squared distance (head to tail) into `d2`, and each of
    its negative samples' (head to its random point; the edge's first at `first_negative`)
    into `nd2`, in float32, coordinates summed in order (as numpy's einsum does); `y` is
    n x dim. Each output is written by one edge only, so parts can run side by side."""
    dim = y.shape[1]
    for j in range(lo, hi):
        h, t = head[j], tail[j]
        s = np.float32(0.0)
        for c in range(dim):
            v = y[h, c] - y[t, c]
            s += v * v
        d2[j] = s
        k = first_negative[j]
        for _ in range(n_negative[j]):
            o = other[k]
            s = np.float32(0.0)
            for c in range(dim):
                v = y[h, c] - y[o, c]
                s += v * v
            nd2[k] = s
            k += 1


@numba.njit(cache=True, nogil=True)
def accumulate(  # noqa: PLR0913 - the batch, its powers, UMAP's constants and the part
    y: np.ndarray,
    head: np.ndarray,
    tail: np.ndarray,
    n_negative: np.ndarray,
    first_negative: np.ndarray,
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
    sums: np.ndarray,
    lo: int,
    hi: int,
) -> None:
    """Add one batch's moves of the points `lo` to `hi` to `sums` ((3, n, dim)
    float64: the pulls on heads, on tails, the pushes), reading `y` (n x dim float32) as the
    batch's start positions. `d2`, `nd2` from `squared_distances`, `pb`, `npb` their powers
    d2^b; `attract` = -2ab and `repel` = 2b, each rounded once to float32 (as numpy rounds a
    Python scalar). Every part goes through the edges in order and adds only to its own
    points (a range: parts never write to one cache line but at their bounds), so each point's sums are added in sample order whichever part runs where."""
    dim = y.shape[1]
    pulls, pushed_away, pushes = sums[0], sums[1], sums[2]
    one = np.float32(1.0)
    eps = np.float32(0.001)
    here = np.empty(dim, dtype=np.float32)
    pushed = np.empty(dim)
    for j in range(len(head)):
        h, t = head[j], tail[j]
        mine_h = lo <= h < hi
        mine_t = lo <= t < hi
        if not (mine_h or mine_t):
            continue
        coeff = np.float32(0.0)
        if d2[j] > 0:
            coeff = attract * (pb[j] / d2[j]) / (a * pb[j] + one)
        for c in range(dim):
            g = min(max((y[h, c] - y[t, c]) * coeff, -clip), clip) * alpha
            if mine_h:
                pulls[h, c] += g
            if mine_t:
                pushed_away[t, c] += g
        if n_negative[j] == 0 or not mine_h:
            continue
        for c in range(dim):
            here[c] = y[h, c]
            pushed[c] = pushes[h, c]  # summed here in the same order, stored once
        k = first_negative[j]
        for _ in range(n_negative[j]):
            o = other[k]
            ncoeff = np.float32(0.0)
            if nd2[k] > 0:
                ncoeff = repel / ((eps + nd2[k]) * (a * npb[k] + one))
            for c in range(dim):
                pushed[c] += min(max((here[c] - y[o, c]) * ncoeff, -clip), clip) * alpha
            k += 1
        for c in range(dim):
            pushes[h, c] = pushed[c]


@numba.njit(cache=True, nogil=True)
def move(y: np.ndarray, sums: np.ndarray, lo: int, hi: int) -> None:
    """Points `lo` to `hi` moved by their sums (added in float64, then rounded to the float32
    position), the sums zeroed for the next batch."""
    pulls, pushed_away, pushes = sums[0], sums[1], sums[2]
    for i in range(lo, hi):
        for c in range(y.shape[1]):
            moved = pulls[i, c] - pushed_away[i, c] + pushes[i, c]
            y[i, c] = np.float32(np.float64(y[i, c]) + moved)
            pulls[i, c] = 0.0
            pushed_away[i, c] = 0.0
            pushes[i, c] = 0.0


@numba.njit(cache=True, nogil=True)
def due(
    epoch: int,
    next_sample: np.ndarray,
    per_sample: np.ndarray,
    next_negative: np.ndarray,
    per_negative: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """`layout._due` in one pass: the edges sampled in `epoch` (ascending) and each one's
    number of negative samples (truncated, at least 0), the schedule moved on in place; the
    same float64 operations per edge."""
    count = 0
    for i in range(len(next_sample)):
        if next_sample[i] <= epoch:
            count += 1
    active = np.empty(count, dtype=np.int64)
    n_negative = np.empty(count, dtype=np.int64)
    j = 0
    for i in range(len(next_sample)):
        if next_sample[i] <= epoch:
            active[j] = i
            next_sample[i] += per_sample[i]
            m = max(np.int64((epoch - next_negative[i]) / per_negative[i]), 0)
            n_negative[j] = m
            next_negative[i] += m * per_negative[i]
            j += 1
    return active, n_negative
