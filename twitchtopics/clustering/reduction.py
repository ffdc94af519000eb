"""The space the grouping sees: the distinct texts' features reduced to a UMAP layout, then,
per message, its seconds since the start divided by a time scale.

The reduction sees only distinct texts (chat repeats itself: a "+1" flood is one point for
the layout, then one point per message again once time is attached). Up to `EXACT_KNN_MAX`
distinct texts (every single stream measured here) the layout is `twitchtopics.clustering.
layout`'s, from the exact kNN, in plain numpy: umap-learn's numba code took 20-70 s to
compile on a fresh machine, most of a first run. Above, umap-learn itself (NN-descent finds
the neighbours; its compile is then a small part of the run). With a cache folder the
reduction is remembered on disk (`twitchtopics.cache.reductions`), so a second run on the
same log skips it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from twitchtopics.clustering.neighbors import EXACT_KNN_MAX, exact_knn
from twitchtopics.embed.precision import resolve_precision

LAYOUT_VERSION = "numpy-3"
"""Part of a cached reduction's key: which layout code computed it (`layout.layout` below
`EXACT_KNN_MAX` distinct texts) and from which neighbours (numpy-3: up to `NUMPY_KNN_MAX`
points, equal similarities ranked by index, where `np.argpartition` had left them in any
order). Bump with any change to its results."""

UMAP_EPOCHS = 100
"""UMAP's layout epochs (both layouts). UMAP itself uses 500 below 10,000 points and 200 above; the layout is
single-threaded (to honour the seed) and was most of the reduction's time: 100 everywhere
costs 5x less on small logs and 2x less on large ones, and scored the same on the gold
windows over 3 seeds (benchmarks/quality.py; B3 F1 0.453 / 0.470 against 0.447 / 0.480 with
200 epochs). None lets UMAP choose."""

TIME_SCALE_AT_ONE_PER_MINUTE = 10.0
"""`time_scale="auto"` = this x sqrt(chat messages per minute), in seconds. Under the grain
(`SEPARATION` in `twitchtopics.clustering.grouping`), one unchanging topic at a rate r is cut
into pieces whose length grows with time_scale / sqrt(r): scaling with sqrt(r) makes that
time resolution the same on slow and fast chat, so what splits a busy chat is what it says.
10 gives 47-85 s on the dev logs (22-73 messages a minute), 230 s at 530 a minute; measured
on the gold windows 30-240 s were on a plateau."""


def auto_time_scale(offsets_s: np.ndarray) -> float:
    """Seconds per unit of the time feature: `TIME_SCALE_AT_ONE_PER_MINUTE` x sqrt(messages per
    minute over the chat's span). At least 1 s; 60 s when the span is empty."""
    if len(offsets_s) < 2:
        return 60.0
    span = float(np.nanmax(offsets_s) - np.nanmin(offsets_s))
    if span <= 0:
        return 60.0
    per_minute = len(offsets_s) / (span / 60.0)
    return max(1.0, TIME_SCALE_AT_ONE_PER_MINUTE * float(np.sqrt(per_minute)))


def with_time(reduced: np.ndarray, offsets_s: np.ndarray, time_scale: float | None) -> np.ndarray:
    """Each message's reduced text + its seconds since the start / `time_scale` as the last
    column (float64); without a time scale, the reduced text alone."""
    if time_scale is None:
        return reduced.astype(np.float64)
    time = (offsets_s / time_scale).reshape(-1, 1)
    return np.hstack([reduced.astype(np.float64), time])


@dataclass(frozen=True)
class UmapSettings:
    """UMAP's parameters (as `TimeAwareClusterer` takes them)."""

    n_components: int = 5
    n_neighbors: int = 15
    min_dist: float = 0.0
    metric: str = "cosine"
    n_epochs: int | None = UMAP_EPOCHS
    random_state: int | None = 42

    def cache_settings(self) -> tuple:
        """What a cached reduction's key holds besides its input: these settings, and what
        decides the neighbours UMAP is given."""
        return (
            self.n_components,
            self.n_neighbors,
            self.min_dist,
            self.metric,
            self.n_epochs,
            self.random_state,
            EXACT_KNN_MAX,
            resolve_precision("cpu"),  # the precision of exact_knn's candidate search
            LAYOUT_VERSION,
        )


def cached_reduce(
    unique_features: np.ndarray,
    settings: UmapSettings,
    cache_dir: str | os.PathLike[str] | None,
    *,
    reduce: Callable[[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    """`reduce` (by default `reduce_features` with `settings`), remembered on disk (when
    `cache_dir` is set) by a hash of its exact input and settings: a second run on the same
    log skips the reduction. Stored as plain .npy, read without pickle; an unreadable entry is
    recomputed (`twitchtopics.cache.reductions`)."""
    if reduce is None:

        def reduce(features: np.ndarray) -> np.ndarray:
            return reduce_features(features, settings)

    if cache_dir is None:
        return reduce(unique_features)
    from twitchtopics.cache.reductions import load_reduction, reduction_key, save_reduction

    key = reduction_key(unique_features, settings.cache_settings())
    cached = load_reduction(cache_dir, key, len(unique_features))
    if cached is not None:
        return cached
    reduced = reduce(unique_features)
    save_reduction(cache_dir, key, reduced)
    return reduced


def reduce_features(unique_features: np.ndarray, settings: UmapSettings) -> np.ndarray:
    """A UMAP layout in a few dimensions (float32): `layout.layout` on the exact kNN up to
    `EXACT_KNN_MAX` distinct texts, umap-learn above (or with another metric); tiny inputs
    skip it (a layout needs more points than neighbours)."""
    n_unique, dim = unique_features.shape
    n_components = min(settings.n_components, dim)
    if n_unique <= n_components + 2:
        return unique_features[:, :n_components].astype(np.float32)
    if n_unique > EXACT_KNN_MAX or settings.metric not in ("cosine", "euclidean"):
        return umap_reduce(unique_features, settings)
    from twitchtopics.clustering.layout import layout

    n_neighbors = max(2, min(settings.n_neighbors, n_unique - 1))
    indices, distances, _ = exact_knn(unique_features, n_neighbors, settings.metric)
    return layout(
        indices,
        distances,
        n_components,
        n_epochs=settings.n_epochs or UMAP_EPOCHS,
        min_dist=settings.min_dist,
        seed=settings.random_state,
    )


def umap_reduce(unique_features: np.ndarray, settings: UmapSettings) -> np.ndarray:
    """umap-learn's UMAP to a few dimensions; tiny inputs skip it (UMAP needs more points
    than neighbours)."""
    n_unique, dim = unique_features.shape
    n_components = min(settings.n_components, dim)
    if n_unique <= n_components + 2:
        return unique_features[:, :n_components].astype(np.float32)
    import warnings

    from twitchtopics.clustering._jit import import_umap

    umap = import_umap()
    warnings.filterwarnings("ignore", message=".*n_jobs value.*", category=UserWarning)
    n_neighbors = max(2, min(settings.n_neighbors, n_unique - 1))
    knn = None
    if n_unique <= EXACT_KNN_MAX and settings.metric in ("cosine", "euclidean"):
        # brute force: exact, and faster than NN-descent's per-process compile
        knn = exact_knn(unique_features, n_neighbors, settings.metric)
    reducer = umap.UMAP(
        n_neighbors=n_neighbors,
        n_components=n_components,
        min_dist=settings.min_dist,
        metric=settings.metric,
        n_epochs=settings.n_epochs,
        random_state=settings.random_state,
        init="spectral" if n_unique > n_components + 10 else "random",
        low_memory=True,
        precomputed_knn=knn if knn is not None else (None, None, None),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return reducer.fit_transform(unique_features).astype(np.float32)
