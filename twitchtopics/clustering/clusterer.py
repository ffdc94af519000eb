"""Time-aware clustering: text features reduced with UMAP, + time, then Ward on a kNN graph.

The seed's idea stays: the same words an hour apart are different moments of a stream, so
the seconds elapsed since the start, divided by a time scale, are appended to the reduced
text embedding. The reduction sees only distinct texts (chat repeats itself: a "+1" flood is
one point for UMAP, then one point per message again once time is attached).

What changed after measuring against hand labels (benchmarks/quality.py, issue 5):

- text features = the sentence embedding + character n-grams fitted on the log itself
  (`twitchtopics.clustering.features`), when the distinct texts are given to `fit`;
- reactions (laughter, a greeting, "+1") are one group per kind over the whole log, not
  sliced by time;
- the other messages are grouped by Ward agglomeration constrained to a kNN graph (plus each
  message's neighbours in time, so the graph is connected), and the tree is cut where two
  groups differ by more than `SEPARATION` standard errors (issue 11): the grain follows what
  chat says, not the clock; every message gets a group, where HDBSCAN left half of real
  chat as outliers;
- adjacent groups with the same content (centroid cosine >= `merge_similarity`, time gap at
  most a few time scales) are joined, so a topic is not cut only because it lasted;
- groups smaller than `min_cluster_size` are outliers (-1).

`method="hdbscan"` keeps the previous density clustering for comparison.
`TimeAwareClusterer` follows scikit-learn's conventions: `__init__` only stores parameters,
`fit` does the work, learned attributes end in `_`, `random_state` is honoured.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from twitchtopics.clustering.neighbors import EXACT_KNN_MAX, exact_knn
from twitchtopics.embed.precision import resolve_precision

EXACT_SILHOUETTE_MAX = 20_000
"""Up to this many clustered messages silhouettes are exact; above, `sampled_silhouette`
estimates them, and the bundle records which was used."""

UMAP_EPOCHS = 100
"""UMAP's layout epochs. UMAP itself uses 500 below 10,000 points and 200 above; the layout is
single-threaded (to honour the seed) and was most of the reduction's time: 100 everywhere
costs 5x less on small logs and 2x less on large ones, and scored the same on the gold
windows over 3 seeds (benchmarks/quality.py; B3 F1 0.453 / 0.470 against 0.447 / 0.480 with
200 epochs). None lets UMAP choose."""

SEPARATION = 7.0
"""The grain. Ward joins the two groups whose merge adds the least within-group variance; its
merge distance sqrt(2 n1 n2 / (n1 + n2)) * |c1 - c2| is sqrt(2) x the two-sample t statistic
of the difference of their centres, with distances in UMAP's layout unit (UMAP places points
at a fixed scale, spread 1, whatever the log, so one unit means the same everywhere). The
tree is cut wherever that statistic exceeds this value: two groups stay apart when what they
say (and when) differs by more than SEPARATION standard errors. More messages give more
evidence, so a busy chat is cut finer and a quiet one coarser, with no count of groups or of
messages per group. Measured on the four gold windows (benchmarks/quality.py, B3 F1
1699408450 / chat / hsdogdog3 / admiralbulldog): 5.0 gave 0.438 / 0.433 / 0.532 / 0.632,
6.5 0.434 / 0.448 / 0.536 / 0.629, 7.0 0.436 / 0.457 / 0.535 / 0.630, 9.0 0.439 / 0.458 /
0.529 / 0.629: a plateau; 7 keeps the grain within 0.7-1.2x the gold's on all four."""

TIME_SCALE_AT_ONE_PER_MINUTE = 10.0
"""`time_scale="auto"` = this x sqrt(chat messages per minute), in seconds. Under the grain
above, one unchanging topic at a rate r is cut into pieces whose length grows with
time_scale / sqrt(r): scaling with sqrt(r) makes that time resolution the same on slow and
fast chat, so what splits a busy chat is what it says. 10 gives 47-85 s on the dev logs
(22-73 messages a minute), 230 s at 530 a minute; measured on the gold windows 30-240 s
were on a plateau."""

MIN_MOMENT = 3
"""Default smallest group of the Ward method: one or two messages are no topic."""

MERGE_SIMILARITY = 0.98
"""Adjacent groups whose text centroids are at least this cosine-similar are one topic."""

MERGE_GAP_SCALES = 4.0
"""...when the silence between them is at most this many time scales."""


@dataclass
class SilhouetteResult:
    """Per-message silhouettes (NaN for outliers) and how they were computed."""

    values: np.ndarray
    method: str


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


def separation_threshold(separation: float) -> float:
    """Ward merge distance above which groups stay apart: sqrt(2) x `separation` (see
    `SEPARATION`; the unit is UMAP's layout unit)."""
    return float(np.sqrt(2.0) * separation)


def auto_min_cluster_size(n_messages: int) -> int:
    """HDBSCAN's smallest group, scaled to the log's size: 5 for small logs, more for big ones
    (the Ward method's is `MIN_MOMENT`: its grain comes from `SEPARATION`)."""
    return int(max(5, min(100, round(n_messages / 400))))


class TimeAwareClusterer:
    """Reduce distinct-text features with UMAP, attach time, group every message.

    Parameters mirror the CLI: `time_scale` is seconds per unit of the time feature
    (None disables it, "auto" picks it from the log), `min_cluster_size` None picks it from
    the number of messages; `min_samples` is only used by `method="hdbscan"`.
    """

    def __init__(
        self,
        *,
        n_components: int = 5,
        n_neighbors: int = 15,
        min_dist: float = 0.0,
        metric: str = "cosine",
        n_epochs: int | None = UMAP_EPOCHS,
        time_scale: float | str | None = "auto",
        min_cluster_size: int | None = None,
        min_samples: int | None = None,
        cluster_selection_epsilon: float = 0.0,
        cluster_selection_method: str = "eom",
        method: str = "ward",
        ngram_weight: float = 0.7,
        reactions: bool = True,
        graph_neighbors: int = 15,
        merge_similarity: float | None = MERGE_SIMILARITY,
        separation: float = SEPARATION,
        random_state: int | None = 42,
        cache_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        self.n_components = n_components
        self.n_neighbors = n_neighbors
        self.min_dist = min_dist
        self.metric = metric
        self.n_epochs = n_epochs
        self.time_scale = time_scale
        self.min_cluster_size = min_cluster_size
        self.min_samples = min_samples
        self.cluster_selection_epsilon = cluster_selection_epsilon
        self.cluster_selection_method = cluster_selection_method
        self.method = method
        self.ngram_weight = ngram_weight
        self.reactions = reactions
        self.graph_neighbors = graph_neighbors
        self.merge_similarity = merge_similarity
        self.separation = separation
        self.random_state = random_state
        self.cache_dir = cache_dir

    def fit(
        self,
        unique_embeddings: np.ndarray,
        inverse: np.ndarray,
        offsets_s: np.ndarray,
        texts: Sequence[str] | None = None,
        *,
        stage: Callable[[str], AbstractContextManager[Any]] | None = None,
    ) -> TimeAwareClusterer:
        """Cluster messages given distinct-text embeddings and each message's text index.

        `inverse[i]` is the row of `unique_embeddings` holding message i's text;
        `offsets_s[i]` is its seconds since the stream's start; `texts`, optional, are the
        distinct (normalised) texts in the same order as `unique_embeddings`: with them the
        log's own n-grams join the features and reactions are grouped by kind. `stage`,
        optional, is entered around each step ("text features", "reduce", "cluster"), e.g.
        `Stages.stage` to show progress; the steps' seconds are in `timings_` either way.
        """
        from twitchtopics.clustering.features import reaction_kinds, text_features

        if self.method not in ("ward", "hdbscan"):
            raise ValueError(f"method must be 'ward' or 'hdbscan', not {self.method!r}")
        inverse = np.asarray(inverse, dtype=np.int64)
        offsets = np.asarray(offsets_s, dtype=np.float64)
        n = len(inverse)
        self.n_messages_ = n
        if texts is not None and len(texts) != len(unique_embeddings):
            raise ValueError("texts must hold one distinct text per row of unique_embeddings")
        self._check_time_scale()
        self.min_cluster_size_ = self.min_cluster_size or (
            MIN_MOMENT if self.method == "ward" else auto_min_cluster_size(n)
        )
        reaction = np.full(n, None, dtype=object)
        if texts is not None and self.reactions and self.method == "ward":
            reaction = reaction_kinds(texts)[inverse] if n else reaction
        self.reaction_ = reaction
        rest = np.array([r is None for r in reaction], dtype=bool)
        self.time_scale_ = self._resolve_time_scale(offsets[rest])
        self.timings_ = {}
        with self._step("text features", stage):
            text = text_features(
                unique_embeddings,
                texts,
                ngram_weight=self.ngram_weight if self.method == "ward" else 0.0,
                random_state=self.random_state,
            )
        self.text_unique_ = text
        with self._step("reduce", stage):
            self.reduced_unique_ = self._cached_reduce(text)
            self.features_ = self._features(self.reduced_unique_[inverse], offsets)
        with self._step("cluster", stage):
            if self.method == "hdbscan":
                self.labels_, self.probabilities_ = self._hdbscan(self.features_)
            else:
                self._fit_ward(rest, inverse, offsets)
        return self

    @contextmanager
    def _step(
        self, name: str, stage: Callable[[str], AbstractContextManager[Any]] | None
    ) -> Iterator[None]:
        began = time.perf_counter()
        with stage(name) if stage is not None else nullcontext():
            yield
        self.timings_[name] = time.perf_counter() - began

    def _fit_ward(self, rest: np.ndarray, inverse: np.ndarray, offsets: np.ndarray) -> None:
        """Ward on the non-reaction messages (`rest`), merges, then one group per reaction kind."""
        from twitchtopics.chat.reactions import REACTIONS

        n = len(inverse)
        labels = np.full(n, -1, dtype=np.int64)
        if n >= self.min_cluster_size_:
            labels[rest] = self._ward(self.features_[rest])
            if self.merge_similarity is not None:
                labels[rest] = merge_adjacent_groups(
                    labels[rest],
                    self.text_unique_,
                    offsets[rest],
                    rows=inverse[rest],
                    min_similarity=self.merge_similarity,
                    max_gap_s=(
                        np.inf if self.time_scale_ is None else MERGE_GAP_SCALES * self.time_scale_
                    ),
                )
            base = labels.max() + 1
            for k, kind in enumerate(REACTIONS):
                members = self.reaction_ == kind
                labels[members] = base + k
                if self.time_scale_ is not None and members.any():
                    # reactions are grouped whatever their time: in the space this grouping
                    # saw, their time coordinate is the group's (for silhouettes, centrality)
                    self.features_[members, -1] = self.features_[members, -1].mean()
            labels = drop_small_groups(labels, self.min_cluster_size_)
        self.labels_ = labels
        self.probabilities_ = (labels >= 0).astype(np.float64)

    def _check_time_scale(self) -> None:
        if self.time_scale is None:
            return
        if isinstance(self.time_scale, str):
            if self.time_scale != "auto":
                raise ValueError(
                    f"time_scale must be seconds, 'auto' or None, not {self.time_scale!r}"
                )
        elif self.time_scale <= 0:
            raise ValueError("time_scale must be positive")

    def _resolve_time_scale(self, offsets: np.ndarray) -> float | None:
        if self.time_scale is None:
            return None
        if isinstance(self.time_scale, str):
            return auto_time_scale(offsets)
        return float(self.time_scale)

    def _cached_reduce(self, unique_features: np.ndarray) -> np.ndarray:
        """`_reduce`, remembered on disk (when `cache_dir` is set) by a hash of its exact input
        and settings: a second run on the same log skips UMAP. Stored as plain .npy, read
        without pickle; an unreadable entry is recomputed."""
        if self.cache_dir is None:
            return self._reduce(unique_features)
        import hashlib

        digest = hashlib.sha256(np.ascontiguousarray(unique_features, dtype=np.float32).tobytes())
        settings = (
            self.n_components,
            self.n_neighbors,
            self.min_dist,
            self.metric,
            self.n_epochs,
            self.random_state,
            EXACT_KNN_MAX,
            resolve_precision("cpu"),  # the precision of exact_knn's candidate search
        )
        digest.update(repr(settings).encode())
        path = Path(self.cache_dir) / "reductions" / f"{digest.hexdigest()}.npy"
        from twitchtopics.safe_output import atomic_save, load_entry

        cached = load_entry(path, lambda p: np.load(p, allow_pickle=False))
        if cached is not None and cached.shape[0] == len(unique_features):
            return cached
        reduced = self._reduce(unique_features)
        try:  # fsynced before the rename: a crash never leaves a 0-byte entry
            atomic_save(path, lambda handle: np.save(handle, reduced, allow_pickle=False))
        except OSError:
            pass  # a read-only cache only costs speed
        return reduced

    def _reduce(self, unique_features: np.ndarray) -> np.ndarray:
        """UMAP to a few dimensions; tiny inputs skip it (UMAP needs more points than neighbours)."""
        n_unique, dim = unique_features.shape
        n_components = min(self.n_components, dim)
        if n_unique <= n_components + 2:
            return unique_features[:, :n_components].astype(np.float32)
        import warnings

        from twitchtopics.clustering._jit import import_umap

        umap = import_umap()
        warnings.filterwarnings("ignore", message=".*n_jobs value.*", category=UserWarning)
        n_neighbors = max(2, min(self.n_neighbors, n_unique - 1))
        knn = None
        if n_unique <= EXACT_KNN_MAX and self.metric in ("cosine", "euclidean"):
            # brute force: exact, and faster than NN-descent's per-process compile
            knn = exact_knn(unique_features, n_neighbors, self.metric)
        reducer = umap.UMAP(
            n_neighbors=n_neighbors,
            n_components=n_components,
            min_dist=self.min_dist,
            metric=self.metric,
            n_epochs=self.n_epochs,
            random_state=self.random_state,
            init="spectral" if n_unique > n_components + 10 else "random",
            low_memory=True,
            precomputed_knn=knn if knn is not None else (None, None, None),
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return reducer.fit_transform(unique_features).astype(np.float32)

    def _features(self, reduced: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        if self.time_scale_ is None:
            return reduced.astype(np.float64)
        time = (offsets / self.time_scale_).reshape(-1, 1)
        return np.hstack([reduced.astype(np.float64), time])

    def _ward(self, features: np.ndarray) -> np.ndarray:
        """Ward agglomeration on a kNN graph + time neighbours, cut where groups differ by more
        than `separation` standard errors (`separation_threshold`).

        Long logs are cut into time blocks of about `WARD_BLOCK_SIZE` messages, at the
        quietest moment near each nominal cut, and each block is clustered on its own with the
        log's threshold: groups last minutes (the time scale is seconds to minutes), so a block
        boundary almost never splits one, and the cost stays linear in the number of messages.
        """
        n = len(features)
        if n < 3:
            return np.zeros(n, dtype=np.int64)
        has_time = self.time_scale_ is not None
        self.threshold_ = separation_threshold(self.separation)
        if not has_time or n <= WARD_BLOCK_SIZE:
            return self._ward_block(features, has_time)
        order = np.argsort(features[:, -1], kind="stable")
        labels = np.empty(n, dtype=np.int64)
        base = 0
        for block in time_blocks(features[order, -1], WARD_BLOCK_SIZE):
            members = order[block]
            part = self._ward_block(features[members], has_time)
            labels[members] = part + base
            base += int(part.max()) + 1
        return labels

    def _ward_block(self, features: np.ndarray, has_time: bool) -> np.ndarray:
        if len(features) < 3:
            return np.zeros(len(features), dtype=np.int64)
        import warnings

        from sklearn.cluster import ward_tree

        graph = knn_time_graph(features, self.graph_neighbors, has_time=has_time)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # components joined: said in the docs
            children, _, n_leaves, _, distances = ward_tree(
                features, connectivity=graph, return_distance=True
            )
        return cut_tree(children, distances, n_leaves, self.threshold_)

    def _hdbscan(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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


WARD_BLOCK_SIZE = 40_000
"""Above this many messages Ward runs on consecutive time blocks of about this size."""


def cut_tree(
    children: np.ndarray, distances: np.ndarray, n_leaves: int, threshold: float
) -> np.ndarray:
    """Flat groups of a merge tree: from the top, every merge at a distance above `threshold`
    is undone; the nodes reached that merged at or below it are the groups.

    Top-down, because Ward on a connectivity graph is not monotone: a merge can be cheaper
    than one below it, and then the whole subtree is one group. Several roots (a graph in
    pieces) are each cut the same way. Ids follow the tree's order (renumbered later).
    """
    m = len(children)
    group = np.full(n_leaves + m, -1, dtype=np.int64)
    next_id = 0
    for i in range(m - 1, -1, -1):
        g = group[n_leaves + i]
        if g < 0 and distances[i] <= threshold:
            g = next_id
            next_id += 1
        if g >= 0:
            group[children[i]] = g
    leaves = group[:n_leaves]
    free = np.flatnonzero(leaves < 0)
    leaves[free] = next_id + np.arange(len(free))
    return leaves


def time_blocks(times: np.ndarray, size: int) -> list[slice]:
    """Cut sorted times into consecutive slices of about `size`, each cut at the widest gap
    between messages within a tenth of `size` of the nominal position."""
    n = len(times)
    n_blocks = max(1, int(round(n / size)))
    cuts = [0]
    for b in range(1, n_blocks):
        nominal = b * n // n_blocks
        lo, hi = max(cuts[-1] + 1, nominal - size // 10), min(n - 1, nominal + size // 10)
        if hi <= lo:
            continue
        gaps = np.diff(times[lo - 1 : hi])
        cuts.append(lo + int(np.argmax(gaps)))
    cuts.append(n)
    return [slice(a, b) for a, b in zip(cuts[:-1], cuts[1:], strict=True) if b > a]


def knn_time_graph(features: np.ndarray, k: int, *, has_time: bool) -> object:
    """Symmetric sparse connectivity: each point's k nearest neighbours in `features`, plus its
    predecessor and successor in time (the last column) when there is a time feature, so the
    graph has one component and a topic can grow along the chat.

    Without time, components left apart are joined by a chain in feature order (Ward's merge
    cost still decides; the chain only makes the graph connected).
    """
    import scipy.sparse as sp
    from sklearn.neighbors import kneighbors_graph

    n = len(features)
    graph = kneighbors_graph(features, min(k, n - 1), include_self=False)
    order = np.argsort(features[:, -1] if has_time else features[:, 0], kind="stable")
    chain = sp.coo_matrix((np.ones(n - 1), (order[:-1], order[1:])), shape=(n, n)).tocsr()
    graph = graph + chain
    return (graph + graph.T).tocsr()


def merge_adjacent_groups(
    labels: np.ndarray,
    text: np.ndarray,
    offsets_s: np.ndarray,
    *,
    min_similarity: float,
    max_gap_s: float,
    rows: np.ndarray | None = None,
) -> np.ndarray:
    """Join groups that say the same thing and touch in time.

    `text` holds one row per message, or, with `rows`, one row per distinct text and
    `rows[i]` is message i's row (so the per-message matrix, gigabytes on a million
    messages, is never built). Two groups merge when the cosine of their text centroids
    (mean of their messages' rows) is at least
    `min_similarity` and the silence between their time spans is at most `max_gap_s`
    (overlapping spans have gap 0). Most similar pairs first; centroids and spans are updated
    as groups merge, so a chain of merges never joins groups that no longer qualify.
    Outliers (-1) stay. Labels come back as the smallest original label of each merged set.
    """
    labels = np.asarray(labels, dtype=np.int64)
    mask = labels >= 0
    if mask.sum() == 0:
        return labels.copy()
    groups, index = np.unique(labels[mask], return_inverse=True)
    g = len(groups)
    if g < 2:
        return labels.copy()
    import scipy.sparse as sp

    text = np.asarray(text, dtype=np.float64)
    times = np.asarray(offsets_s, dtype=np.float64)[mask]
    member_rows = (np.arange(len(labels)) if rows is None else np.asarray(rows))[mask]
    membership = sp.csr_matrix(
        (np.ones(len(member_rows)), (index, member_rows)), shape=(g, len(text))
    )
    sums = np.asarray(membership @ text)
    lo = np.full(g, np.inf)
    hi = np.full(g, -np.inf)
    np.minimum.at(lo, index, times)
    np.maximum.at(hi, index, times)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    unit = sums / np.where(norms > 0, norms, 1.0)
    order = np.argsort(lo, kind="stable")
    candidates: list[tuple[float, int, int]] = []
    # time-adjacent pairs only: a group's span against the spans that start before it ends
    for pos, a in enumerate(order):
        for b in order[pos + 1 :]:
            if lo[b] - hi[a] > max_gap_s:
                break
            sim = float(unit[a] @ unit[b])
            if sim >= min_similarity:
                candidates.append((-sim, int(min(a, b)), int(max(a, b))))
    if not candidates:
        return labels.copy()
    candidates.sort()
    parent = np.arange(g)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = int(parent[x])
        return x

    for _, a, b in candidates:
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        ua = sums[ra] / (np.linalg.norm(sums[ra]) or 1.0)
        ub = sums[rb] / (np.linalg.norm(sums[rb]) or 1.0)
        gap = max(0.0, max(lo[ra], lo[rb]) - min(hi[ra], hi[rb]))
        if float(ua @ ub) < min_similarity or gap > max_gap_s:
            continue
        keep, gone = min(ra, rb), max(ra, rb)
        parent[gone] = keep
        sums[keep] += sums[gone]
        lo[keep] = min(lo[keep], lo[gone])
        hi[keep] = max(hi[keep], hi[gone])
    roots = np.array([find(i) for i in range(g)])
    out = labels.copy()
    out[mask] = groups[roots[index]]
    return out


def drop_small_groups(labels: np.ndarray, min_size: int) -> np.ndarray:
    """Groups with fewer than `min_size` messages become outliers (-1)."""
    labels = np.asarray(labels, dtype=np.int64)
    out = labels.copy()
    mask = labels >= 0
    if not mask.any():
        return out
    groups, counts = np.unique(labels[mask], return_counts=True)
    small = groups[counts < min_size]
    out[np.isin(labels, small)] = -1
    return out


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
    `exact_max` clustered messages; above that `sampled_silhouette`, linear in the number
    of messages. With a single group a silhouette is undefined: NaN.
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
    values[mask] = sampled_silhouette(points, member_labels)
    return SilhouetteResult(
        values,
        f"sampled ({SAMPLE_PER_GROUP} members per group, {CANDIDATE_GROUPS} nearest groups)",
    )


SAMPLE_PER_GROUP = 64
SILHOUETTE_CHUNK = 8192
"""Points of one group handled at once by `sampled_silhouette` (bounds its memory to
chunk x groups distances, ~250 MB with 4,000 groups)."""
CANDIDATE_GROUPS = 8


def sampled_silhouette(
    points: np.ndarray,
    labels: np.ndarray,
    *,
    per_group: int = SAMPLE_PER_GROUP,
    candidates: int = CANDIDATE_GROUPS,
    seed: int = 0,
) -> np.ndarray:
    """An estimate of the exact silhouette, linear in the number of points.

    a(i) is the mean distance to (a seeded sample of at most `per_group` of) the other members
    of i's group, b(i) the smallest mean distance to a sample of another group, searched among
    the groups whose centroids are among the `candidates` nearest to some member of i's group. Groups no
    larger than the sample are measured exactly. Unlike the simplified (centroid) silhouette,
    it is not biased upwards: on a real 4,800-message chat its mean is within 0.001 of the
    exact one (tests/test_cluster.py checks 0.01 per group).
    """
    rng = np.random.default_rng(seed)
    groups, index = np.unique(labels, return_inverse=True)
    members = [np.flatnonzero(index == g) for g in range(len(groups))]
    samples = [
        m if len(m) <= per_group else np.sort(rng.choice(m, per_group, replace=False))
        for m in members
    ]
    centroids = np.vstack([points[m].mean(axis=0) for m in members])
    out = np.empty(len(points))
    for g, own in enumerate(members):
        # in chunks of points: a reaction group can hold a fifth of a million-message log
        chunks = [own[i : i + SILHOUETTE_CHUNK] for i in range(0, len(own), SILHOUETTE_CHUNK)]
        nearest = np.unique(
            np.concatenate([_candidate_groups(points[c], centroids, g, candidates) for c in chunks])
        )
        a = np.empty(len(own))
        b = np.full(len(own), np.inf)
        for i, chunk in zip(range(0, len(own), SILHOUETTE_CHUNK), chunks, strict=True):
            pts = points[chunk]
            part = slice(i, i + len(chunk))
            a[part] = _mean_distance(pts, points[samples[g]], chunk, samples[g])
            for h in nearest:
                b[part] = np.minimum(b[part], _mean_distance(pts, points[samples[h]]))
        denom = np.maximum(a, b)
        out[own] = np.where(denom > 0, (b - a) / np.where(denom > 0, denom, 1.0), 0.0)
        if len(own) == 1:
            out[own] = 0.0  # scikit-learn's convention for a group of one
    return out


def _candidate_groups(pts: np.ndarray, centroids: np.ndarray, own: int, k: int) -> np.ndarray:
    """Other groups whose centroid is among the `k` nearest to at least one of the points.

    Per point, not per group: a group spread over the whole stream (laughter) has different
    neighbours at different times.
    """
    sq = (pts**2).sum(1)[:, None] + (centroids**2).sum(1)[None, :] - 2.0 * pts @ centroids.T
    sq[:, own] = np.inf
    k = min(k, len(centroids) - 1)
    top = np.argpartition(sq, k - 1, axis=1)[:, :k] if k < len(centroids) - 1 else None
    if top is None:
        return np.array([h for h in range(len(centroids)) if h != own])
    return np.unique(top)


def _mean_distance(
    pts: np.ndarray,
    sample: np.ndarray,
    own: np.ndarray | None = None,
    sample_idx: np.ndarray | None = None,
) -> np.ndarray:
    """Mean Euclidean distance of each point to a sample, leaving a point out of its own sample."""
    sq = (pts**2).sum(1)[:, None] + (sample**2).sum(1)[None, :] - 2.0 * pts @ sample.T
    dist = np.sqrt(np.maximum(sq, 0.0))
    if own is None:
        return dist.mean(axis=1)
    is_self = own[:, None] == sample_idx[None, :]
    dist[is_self] = 0.0
    count = len(sample_idx) - is_self.sum(axis=1)
    return np.where(count > 0, dist.sum(axis=1) / np.maximum(count, 1), 0.0)


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
