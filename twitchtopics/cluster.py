"""Time-aware clustering: UMAP on the text embeddings, + time as a feature, then HDBSCAN.

The seed's idea: the same words an hour apart are different moments of a stream, so the
seconds elapsed since the start, divided by a time scale, are appended to the reduced text
embedding before density clustering. The reduction sees only distinct texts (chat repeats
itself: a "+1" flood is one point for UMAP, then one point per message again once time is
attached), which is both faster and kinder to UMAP's neighbour graph.

`TimeAwareClusterer` follows scikit-learn's conventions: `__init__` only stores parameters,
`fit` does the work, learned attributes end in `_`, `random_state` is honoured.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EXACT_SILHOUETTE_MAX = 20_000
"""Up to this many clustered messages silhouettes are exact; above, the simplified
(centroid) silhouette is used and recorded in the bundle as such."""


@dataclass
class SilhouetteResult:
    """Per-message silhouettes (NaN for outliers) and how they were computed."""

    values: np.ndarray
    method: str


def auto_time_scale(offsets_s: np.ndarray) -> float:
    """A time scale from the log itself: a tenth of the stream's span, at least 60 s.

    Keeps the time feature's range comparable across short and long streams (a 2 h stream
    gets 720 s, close to the seed's 600 s).
    """
    if len(offsets_s) == 0:
        return 600.0
    span = float(np.nanmax(offsets_s) - np.nanmin(offsets_s))
    return max(60.0, span / 10.0)


def auto_min_cluster_size(n_messages: int) -> int:
    """HDBSCAN's smallest group, scaled to the log's size: 5 for small logs, more for big ones."""
    return int(max(5, min(100, round(n_messages / 400))))


class TimeAwareClusterer:
    """Reduce distinct-text embeddings with UMAP, attach time, cluster with HDBSCAN.

    Parameters mirror the CLI: `time_scale` is seconds per unit of the time feature
    (None disables it, "auto" picks it from the stream's span), `min_cluster_size`
    None picks it from the number of messages.
    """

    def __init__(
        self,
        *,
        n_components: int = 5,
        n_neighbors: int = 15,
        min_dist: float = 0.0,
        metric: str = "cosine",
        time_scale: float | str | None = 600.0,
        min_cluster_size: int | None = None,
        min_samples: int | None = None,
        cluster_selection_epsilon: float = 0.0,
        cluster_selection_method: str = "eom",
        random_state: int | None = 42,
    ) -> None:
        self.n_components = n_components
        self.n_neighbors = n_neighbors
        self.min_dist = min_dist
        self.metric = metric
        self.time_scale = time_scale
        self.min_cluster_size = min_cluster_size
        self.min_samples = min_samples
        self.cluster_selection_epsilon = cluster_selection_epsilon
        self.cluster_selection_method = cluster_selection_method
        self.random_state = random_state

    def fit(
        self,
        unique_embeddings: np.ndarray,
        inverse: np.ndarray,
        offsets_s: np.ndarray,
    ) -> TimeAwareClusterer:
        """Cluster messages given distinct-text embeddings and each message's text index.

        `inverse[i]` is the row of `unique_embeddings` holding message i's text;
        `offsets_s[i]` is its seconds since the stream's start.
        """
        inverse = np.asarray(inverse, dtype=np.int64)
        offsets = np.asarray(offsets_s, dtype=np.float64)
        n = len(inverse)
        self.n_messages_ = n
        self.reduced_unique_ = self._reduce(np.asarray(unique_embeddings, dtype=np.float32))
        self.time_scale_ = self._resolve_time_scale(offsets)
        self.features_ = self._features(self.reduced_unique_[inverse], offsets)
        self.min_cluster_size_ = self.min_cluster_size or auto_min_cluster_size(n)
        self.labels_, self.probabilities_ = self._cluster(self.features_)
        return self

    def _resolve_time_scale(self, offsets: np.ndarray) -> float | None:
        if self.time_scale is None:
            return None
        if isinstance(self.time_scale, str):
            if self.time_scale != "auto":
                raise ValueError(
                    f"time_scale must be seconds, 'auto' or None, not {self.time_scale!r}"
                )
            return auto_time_scale(offsets)
        if self.time_scale <= 0:
            raise ValueError("time_scale must be positive")
        return float(self.time_scale)

    def _reduce(self, unique_embeddings: np.ndarray) -> np.ndarray:
        """UMAP to a few dimensions; tiny inputs skip it (UMAP needs more points than neighbours)."""
        n_unique, dim = unique_embeddings.shape
        n_components = min(self.n_components, dim)
        if n_unique <= n_components + 2:
            return unique_embeddings[:, :n_components].astype(np.float32)
        import warnings

        import umap

        warnings.filterwarnings("ignore", message=".*n_jobs value.*", category=UserWarning)
        reducer = umap.UMAP(
            n_neighbors=max(2, min(self.n_neighbors, n_unique - 1)),
            n_components=n_components,
            min_dist=self.min_dist,
            metric=self.metric,
            random_state=self.random_state,
            init="spectral" if n_unique > n_components + 10 else "random",
            low_memory=True,
        )
        return reducer.fit_transform(unique_embeddings).astype(np.float32)

    def _features(self, reduced: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        if self.time_scale_ is None:
            return reduced.astype(np.float64)
        time = (offsets / self.time_scale_).reshape(-1, 1)
        return np.hstack([reduced.astype(np.float64), time])

    def _cluster(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = len(features)
        if n < self.min_cluster_size_:
            return np.full(n, -1, dtype=np.int64), np.zeros(n)
        import hdbscan

        model = hdbscan.HDBSCAN(
            min_cluster_size=self.min_cluster_size_,
            min_samples=self.min_samples,
            cluster_selection_epsilon=self.cluster_selection_epsilon,
            cluster_selection_method=self.cluster_selection_method,
            core_dist_n_jobs=1,
        )
        model.fit(features)
        return model.labels_.astype(np.int64), model.probabilities_.astype(np.float64)


def renumber_by_first_appearance(labels: np.ndarray, order: np.ndarray | None = None) -> np.ndarray:
    """Give groups ids 0, 1, 2... in order of their first message (outliers stay -1).

    `order` is the time order of messages; by default the labels are already in time order.
    """
    labels = np.asarray(labels)
    sequence = labels if order is None else labels[order]
    mapping: dict[int, int] = {}
    for label in sequence:
        if label >= 0 and label not in mapping:
            mapping[int(label)] = len(mapping)
    out = np.full(len(labels), -1, dtype=np.int64)
    for old, new in mapping.items():
        out[labels == old] = new
    return out


def silhouettes(
    features: np.ndarray, labels: np.ndarray, *, exact_max: int = EXACT_SILHOUETTE_MAX
) -> SilhouetteResult:
    """Silhouette of every clustered message in the space the clustering saw.

    Outliers (-1) get NaN and are not scored. Exact (scikit-learn, computed in blocks) up to
    `exact_max` clustered messages; above that the simplified silhouette, which measures
    distances to group centroids instead of to every member (linear instead of quadratic).
    With a single group a silhouette is undefined: NaN.
    """
    labels = np.asarray(labels)
    values = np.full(len(labels), np.nan)
    mask = labels >= 0
    groups = np.unique(labels[mask])
    if len(groups) < 2:
        return SilhouetteResult(values, "undefined (fewer than two groups)")
    points, member_labels = features[mask], labels[mask]
    if mask.sum() <= exact_max:
        from sklearn.metrics import silhouette_samples

        values[mask] = silhouette_samples(points, member_labels, metric="euclidean")
        return SilhouetteResult(values, "exact")
    values[mask] = simplified_silhouette(points, member_labels)
    return SilhouetteResult(values, "simplified (centroid distances)")


def simplified_silhouette(points: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Silhouette with a = distance to own centroid, b = distance to the nearest other centroid."""
    groups, index = np.unique(labels, return_inverse=True)
    centroids = np.vstack([points[index == g].mean(axis=0) for g in range(len(groups))])
    out = np.empty(len(points))
    for start in range(0, len(points), 4096):
        block = points[start : start + 4096]
        dist = np.sqrt(((block[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2))
        own = index[start : start + 4096]
        a = dist[np.arange(len(block)), own]
        dist[np.arange(len(block)), own] = np.inf
        b = dist.min(axis=1)
        denom = np.maximum(a, b)
        out[start : start + 4096] = np.where(
            denom > 0, (b - a) / np.where(denom > 0, denom, 1), 0.0
        )
    return out


def centrality(features: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """How central each clustered message is in its group, 1 = at the centroid, 0 = farthest.

    Used to pick representative messages; NaN for outliers.
    """
    labels = np.asarray(labels)
    out = np.full(len(labels), np.nan)
    for group in np.unique(labels[labels >= 0]):
        members = np.flatnonzero(labels == group)
        pts = features[members]
        dist = np.sqrt(((pts - pts.mean(axis=0)) ** 2).sum(axis=1))
        top = dist.max()
        out[members] = 1.0 - dist / top if top > 0 else 1.0
    return out
