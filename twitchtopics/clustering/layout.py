"""A UMAP-style layout in plain numpy: no numba, so no compile on a fresh machine.

UMAP (umap-learn) spends most of a first run compiling its numba code: 20-70 s on 2 cores
before the first point is placed, every time the JIT cache is empty. The grouping needs
what UMAP computes, not UMAP itself: Ward on PCA of the text features scored 0.42-0.45 B3
F1 on 1699408450 against 0.47 after UMAP, so a layout that pulls each text towards its
nearest neighbours matters. This module computes the same model as UMAP with the same
constants, vectorised:

- the fuzzy simplicial set of the exact kNN graph (`twitchtopics.clustering.neighbors`):
  each point's distances to its neighbours, offset by the nearest one and scaled so that
  their memberships sum to log2(k) (UMAP's `smooth_knn_dist`, a bisection on all points at
  once), symmetrised by fuzzy union;
- a spectral start: the leading eigenvectors of the graph's normalised adjacency, with a
  weak all-to-all term (regularised spectral embedding) so that a graph in several pieces
  still has one well-defined start;
- UMAP's epochs of attraction along edges (each edge sampled in proportion to its weight)
  and repulsion from random points, with UMAP's curve (a, b from `min_dist`, spread 1),
  gradient clip and learning rate schedule. The one difference: an epoch's edge samples
  are applied in `BATCHES` batches, each from the positions the previous batch left (as
  GPU implementations of UMAP apply them at once), where umap-learn applies them one after
  another; the random points come from numpy's generator, not UMAP's.

Deterministic for a seed (numpy's `default_rng`, sums by `np.bincount`). On 6,212 distinct
texts (10k messages) it took 3.0 s against umap-learn's 3.5 s with its JIT already compiled
(same process, 2 busy cores), and nothing to compile.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from twitchtopics.clustering.threads import compiled_threads, in_parts
from twitchtopics.clustering.ward import takes_compiled_loop  # numba where Ward takes it

NEGATIVE_SAMPLE_RATE = 5
"""Random points each edge sample is pushed away from (UMAP's default)."""

SMOOTH_K_TOLERANCE = 1e-5
MIN_K_DIST_SCALE = 1e-3
"""UMAP's constants for the bisection in `smooth_knn_dist`."""

GRADIENT_CLIP = 4.0
"""UMAP's bound on each coordinate of one edge's gradient."""

SPECTRAL_MIN_EXTRA = 10
"""Fewer points than the layout's dimensions + this start at random, as in umap-learn."""

BATCHES = 8
"""Each epoch's edge samples are applied in this many batches, positions updated between
them. All at once (1 batch), each point moved by the sum of its ~45 pulls and pushes of the
epoch from one position and overshot: on 6,212 real chat texts its nearest neighbour ended 0.44 away on average against
UMAP's 0.054 (the layout spread from -12 to 27 instead of 0 to 12). With 8 batches: 0.055,
-1.8 to 13, the same share of each text's 15 nearest neighbours kept as UMAP (0.37), and
B3 F1 on the four gold windows within 0.01 of UMAP's (benchmarks/quality.py)."""


def find_ab(min_dist: float, spread: float = 1.0) -> tuple[float, float]:
    """UMAP's curve 1 / (1 + a d^(2b)) fitted to its target membership (a least-squares fit
    on 300 distances, as umap-learn's `find_ab_params`)."""
    from scipy.optimize import curve_fit

    def curve(x: np.ndarray, a: float, b: float) -> np.ndarray:
        return 1.0 / (1.0 + a * x ** (2 * b))

    xv = np.linspace(0, spread * 3, 300)
    yv = np.where(xv < min_dist, 1.0, np.exp(-(xv - min_dist) / spread))
    params, _ = curve_fit(curve, xv, yv)
    return float(params[0]), float(params[1])


def smooth_knn_dist(distances: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(sigma, rho) per point: rho its nearest non-zero distance, sigma the scale at which
    exp(-(d - rho) / sigma) over its neighbours (itself excluded) sums to log2(k)."""
    d = np.asarray(distances, dtype=np.float64)
    n = len(d)
    positive = np.where(d > 0, d, np.inf)
    rho = positive.min(axis=1)
    rho[~np.isfinite(rho)] = 0.0
    target = np.log2(k)
    shifted = d[:, 1:] - rho[:, None]
    lo = np.zeros(n)
    hi = np.full(n, np.inf)
    mid = np.ones(n)
    done = np.zeros(n, dtype=bool)
    for _ in range(64):
        with np.errstate(divide="ignore", over="ignore"):
            terms = np.where(shifted > 0, np.exp(-shifted / mid[:, None]), 1.0)
        psum = terms.sum(axis=1)
        done |= np.abs(psum - target) < SMOOTH_K_TOLERANCE
        if done.all():
            break
        above = (psum > target) & ~done
        below = (psum <= target) & ~done
        hi = np.where(above, mid, hi)
        lo = np.where(below, mid, lo)
        mid = np.where(
            above | (below & np.isfinite(hi)),
            (lo + hi) / 2.0,
            np.where(below, mid * 2.0, mid),
        )
    floor = MIN_K_DIST_SCALE * np.where(rho > 0, d.mean(axis=1), d.mean())
    return np.maximum(mid, floor), rho


def fuzzy_graph(indices: np.ndarray, distances: np.ndarray) -> sp.coo_matrix:
    """UMAP's fuzzy simplicial set of a kNN graph (rows: each point's neighbours, itself
    first), symmetrised by fuzzy union A + A^T - A * A^T."""
    n, k = indices.shape
    sigma, rho = smooth_knn_dist(distances, k)
    d = np.asarray(distances, dtype=np.float64)
    with np.errstate(divide="ignore", over="ignore"):
        values = np.exp(-(d - rho[:, None]) / sigma[:, None])
    values = np.where((d - rho[:, None] <= 0) | (sigma[:, None] == 0), 1.0, values)
    rows = np.repeat(np.arange(n), k)
    cols = np.asarray(indices, dtype=np.int64).ravel()
    values = values.ravel()
    values[cols == rows] = 0.0
    graph = sp.csr_matrix((values, (rows, cols)), shape=(n, n))
    graph.eliminate_zeros()
    transpose = graph.T.tocsr()
    union = graph + transpose - graph.multiply(transpose)
    union = union.tocoo()
    union.sum_duplicates()
    return union


def spectral_start(graph: sp.coo_matrix, dim: int, seed: int | None) -> np.ndarray:
    """The `dim` leading non-trivial eigenvectors of the graph's normalised adjacency, with a
    weak all-to-all term (the graph's mean degree spread over all pairs: regularised
    spectral embedding), so that a graph in several pieces still has one start."""
    from scipy.sparse.linalg import LinearOperator, eigsh

    n = graph.shape[0]
    adjacency = graph.tocsr()
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    tau = float(degree.mean()) if n else 0.0
    scale = 1.0 / np.sqrt(degree + tau)

    def product(x: np.ndarray) -> np.ndarray:
        y = scale[:, None] * np.asarray(x).reshape(n, -1)
        return (scale[:, None] * (adjacency @ y + (tau / n) * y.sum(axis=0))).reshape(x.shape)

    operator = LinearOperator((n, n), matvec=product, matmat=product, dtype=np.float64)
    rng = np.random.default_rng(seed)
    k = dim + 1
    values, vectors = eigsh(
        operator, k=k, which="LA", v0=rng.uniform(0.5, 1.0, n), tol=1e-4, maxiter=n * 5
    )
    order = np.argsort(-values)[1:k]
    return vectors[:, order]


def optimize(
    graph: sp.coo_matrix,
    start: np.ndarray,
    n_epochs: int,
    *,
    a: float,
    b: float,
    seed: int | None,
) -> np.ndarray:
    """UMAP's epochs of attraction and repulsion from `start` (see the module docstring)."""
    rng = np.random.default_rng(seed)
    n, dim = start.shape
    weights = graph.data
    keep = weights >= weights.max() / n_epochs
    head = graph.row[keep].astype(np.int64)
    tail = graph.col[keep].astype(np.int64)
    per_sample = weights.max() / weights[keep]  # epochs between two samples of an edge
    per_negative = per_sample / NEGATIVE_SAMPLE_RATE
    next_sample = per_sample.copy()
    next_negative = per_negative.copy()
    compiled = takes_compiled_loop(n)
    threads = compiled_threads() if compiled else 1
    # one thread makes the next epoch's batches (`_epochs`), the others move the points
    steps = _CompiledSteps(start, max(1, threads - 1)) if compiled else _NumpySteps(start)
    due = _compiled_due() if compiled else _due
    order = rng.permutation(len(head))  # batches below are contiguous runs of a shuffle
    head, tail = head[order], tail[order]
    per_sample, per_negative = per_sample[order], per_negative[order]
    next_sample, next_negative = next_sample[order], next_negative[order]
    schedule = _Schedule(due, head, tail, (next_sample, per_sample, next_negative, per_negative))
    for epoch, batches in _epochs(schedule, n_epochs, rng, n, ahead=threads > 1):
        alpha = np.float32(1.0 - epoch / n_epochs)
        for batch in batches:
            steps(batch, a, b, alpha)
    return steps.positions()


class _Batch(NamedTuple):
    """One batch of edge samples: heads, tails, each sample's number of negative samples,
    the random points they are pushed from (all samples' in a row) and where each sample's
    first one is in `other`."""

    head: np.ndarray
    tail: np.ndarray
    n_negative: np.ndarray
    other: np.ndarray
    first: np.ndarray


class _Schedule(NamedTuple):
    """The edges (shuffled) and their sampling schedule, moved on by `due` epoch by epoch."""

    due: Callable[..., tuple[np.ndarray, np.ndarray]]
    head: np.ndarray
    tail: np.ndarray
    state: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]

    def batches(self, epoch: int, rng: np.random.Generator, n_points: int) -> list[_Batch]:
        """`epoch`'s edge samples in `BATCHES` contiguous runs, their random points drawn
        batch after batch (one draw per batch, as the numpy step drew them)."""
        active, n_negative = self.due(epoch, *self.state)
        bounds = np.linspace(0, len(active), BATCHES + 1).astype(np.int64)
        batches = []
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
            if hi > lo:
                chosen, counts = active[lo:hi], n_negative[lo:hi]
                other = rng.integers(0, n_points, size=int(counts.sum()))
                first = np.cumsum(counts) - counts
                batches.append(_Batch(self.head[chosen], self.tail[chosen], counts, other, first))
        return batches


def _epochs(
    schedule: _Schedule, n_epochs: int, rng: np.random.Generator, n_points: int, *, ahead: bool
) -> Iterator[tuple[int, list[_Batch]]]:
    """Each epoch with its batches. With `ahead`, the next epoch's batches are made on a
    thread while the caller moves the points for this one: they never read the positions.
    The same numbers either way: only that thread draws from `rng` meanwhile, in the same
    order.

    Measured on the 100k benchmark log's 45,530 distinct texts (100 epochs, 2 cores): the
    epochs took 4.96 s on one thread, 4.07 s with the batches in two parts side by side,
    and 3.76 s with the batches on one thread and this schedule on the other (two parts
    beside the schedule thread: 3.9-4.1 s; each split waits for the slower part 2,400
    times). The schedule (`due`, 0.45 s) and the draws of random points are most of what
    the batches' thread no longer does."""
    if not ahead or n_epochs < 2:
        for epoch in range(n_epochs):
            yield epoch, schedule.batches(epoch, rng, n_points)
        return
    with ThreadPoolExecutor(1, thread_name_prefix="layout-schedule") as pool:
        pending = pool.submit(schedule.batches, 0, rng, n_points)
        for epoch in range(n_epochs):
            batches = pending.result()
            if epoch + 1 < n_epochs:
                pending = pool.submit(schedule.batches, epoch + 1, rng, n_points)
            yield epoch, batches


def _due(
    epoch: int,
    next_sample: np.ndarray,
    per_sample: np.ndarray,
    next_negative: np.ndarray,
    per_negative: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The edges sampled in `epoch` (ascending) and each one's number of negative samples;
    their next sample and next negative sample moved on, in place (UMAP's schedule)."""
    active = np.flatnonzero(next_sample <= epoch)
    next_sample[active] += per_sample[active]
    n_negative = ((epoch - next_negative[active]) / per_negative[active]).astype(np.int64)
    np.maximum(n_negative, 0, out=n_negative)
    next_negative[active] += n_negative * per_negative[active]
    return active, n_negative


def _compiled_due() -> Callable[..., tuple[np.ndarray, np.ndarray]]:
    """`_due` in one compiled pass (`_layout_jit.due`), the same numbers: five passes over
    every edge per epoch were ~1 s of the layout's 4.1 s on the 100k benchmark log."""
    from twitchtopics.clustering._layout_jit import due

    return due


class _NumpySteps:
    """The positions as `_step` moves them: one row per coordinate (`np.take` per row is
    fast)."""

    def __init__(self, start: np.ndarray) -> None:
        self.y = np.ascontiguousarray(start.T, dtype=np.float32)

    def __call__(self, batch: _Batch, a: float, b: float, alpha: np.float32) -> None:
        _step(self.y, batch.head, batch.tail, batch.n_negative, batch.other, a, b, alpha)

    def positions(self) -> np.ndarray:
        return self.y.T


class _CompiledSteps:
    """`_step` in compiled loops (`_layout_jit`), the same numbers bit for bit: the random
    points are drawn as `_step` draws them, the powers are numpy's. One row per point.

    With `parts` > 1 each loop runs in that many parts side by side (compiled code holds no
    GIL): the distances and the moves split by edges and points, the sums by the points
    they add to, so each point's sums are added in the same order (`_layout_jit.accumulate`).
    Measured on the 100k benchmark log (45,530 texts, 2 cores): 3.2 -> 1.9 s of the
    layout's 4.1 s of epochs in two parts; with the schedule on its own thread one part is
    faster there (`_epochs`), so parts run only beside it on three cores or more."""

    def __init__(self, start: np.ndarray, parts: int = 1) -> None:
        self.y = np.ascontiguousarray(start, dtype=np.float32)
        self.sums = np.zeros((3, *self.y.shape))
        self.parts = max(1, parts)
        self._pool: ThreadPoolExecutor | None = None
        if self.parts > 1:
            self._pool = ThreadPoolExecutor(self.parts - 1, thread_name_prefix="layout")

    def __call__(self, batch: _Batch, a: float, b: float, alpha: np.float32) -> None:
        from twitchtopics.clustering import _layout_jit as jit

        y, sums = self.y, self.sums
        h, t, n_negative, other, first = batch
        d2 = np.empty(len(h), dtype=np.float32)
        nd2 = np.empty(len(other), dtype=np.float32)
        self._split(len(h), lambda lo, hi: jit.squared_distances(
            y, h, t, n_negative, first, other, lo, hi, d2, nd2))  # fmt: skip
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            pb, npb = d2**b, nd2**b
        constants = (
            np.float32(a), np.float32(-2.0 * a * b), np.float32(2.0 * b), alpha,
            np.float32(GRADIENT_CLIP),
        )  # fmt: skip
        self._split(len(y), lambda lo, hi: jit.accumulate(
            y, h, t, n_negative, first, other, d2, pb, nd2, npb, *constants, sums, lo, hi))  # fmt: skip
        self._split(len(y), lambda lo, hi: jit.move(y, sums, lo, hi))

    def _split(self, n: int, run: Callable[[int, int], None]) -> None:
        in_parts(self._pool, self.parts, n, run)

    def positions(self) -> np.ndarray:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        return self.y


def _step(
    y: np.ndarray,
    h: np.ndarray,
    t: np.ndarray,
    n_negative: np.ndarray,
    other: np.ndarray,
    a: float,
    b: float,
    alpha: np.float32,
) -> None:
    """One batch of edge samples (heads `h`, tails `t`), each with `n_negative` of the random
    points `other` (in sample order), applied to `y` (dim x n, updated in place) from the
    batch's start positions."""
    dim, n = y.shape
    diff = np.take(y, h, axis=1)
    diff -= np.take(y, t, axis=1)
    d2 = np.einsum("ij,ij->j", diff, diff)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        pb = d2**b
        coeff = (-2.0 * a * b) * (pb / d2) / (a * pb + 1.0)
    coeff[d2 <= 0] = 0.0
    grad = diff
    grad *= coeff
    np.clip(grad, -GRADIENT_CLIP, GRADIENT_CLIP, out=grad)
    grad *= alpha
    source = np.repeat(h, n_negative)
    ndiff = np.take(y, source, axis=1)
    ndiff -= np.take(y, other, axis=1)
    nd2 = np.einsum("ij,ij->j", ndiff, ndiff)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ncoeff = (2.0 * b) / ((0.001 + nd2) * (a * nd2**b + 1.0))
    ncoeff[nd2 <= 0] = 0.0
    ngrad = ndiff
    ngrad *= ncoeff
    np.clip(ngrad, -GRADIENT_CLIP, GRADIENT_CLIP, out=ngrad)
    ngrad *= alpha
    for c in range(dim):
        y[c] += (
            np.bincount(h, grad[c], minlength=n)
            - np.bincount(t, grad[c], minlength=n)
            + np.bincount(source, ngrad[c], minlength=n)
        )


def layout(
    indices: np.ndarray,
    distances: np.ndarray,
    dim: int,
    *,
    n_epochs: int,
    min_dist: float = 0.0,
    seed: int | None = 42,
) -> np.ndarray:
    """A `dim`-dimensional layout (float32) of the points whose kNN are (`indices`,
    `distances`), each row the point itself first."""
    from scipy.sparse.linalg import ArpackError, ArpackNoConvergence

    graph = fuzzy_graph(indices, distances)
    rng = np.random.default_rng(seed)
    start = None
    if len(indices) > dim + SPECTRAL_MIN_EXTRA:
        try:
            start = spectral_start(graph, dim, seed)
        except (ArpackError, ArpackNoConvergence):
            start = None  # as umap-learn: a random start when the eigensolver fails
    if start is None:
        start = rng.uniform(-10.0, 10.0, size=(len(indices), dim))
    start = start * (10.0 / max(float(np.abs(start).max()), 1e-12))
    start = start + rng.normal(scale=1e-4, size=start.shape)
    low, high = start.min(axis=0), start.max(axis=0)
    start = 10.0 * (start - low) / np.where(high > low, high - low, 1.0)
    a, b = find_ab(min_dist)
    return optimize(graph, start, n_epochs, a=a, b=b, seed=seed).astype(np.float32)
