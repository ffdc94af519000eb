"""Time-aware clustering: text features reduced with UMAP, + time, then Ward on a kNN graph.

The seed's idea stays: the same words an hour apart are different moments of a stream, so
the seconds elapsed since the start, divided by a time scale, are appended to the reduced
text embedding. The reduction sees only distinct texts (chat repeats itself: a "+1" flood is
one point for UMAP, then one point per message again once time is attached).

What changed after measuring against hand labels (benchmarks/quality.py, issue 5):

- text features = the sentence embedding + character n-grams fitted on the log itself
  (`twitchtopics.clustering.features`), when the distinct texts are given to `fit`;
- reactions (laughter, a greeting, "+1") are one group per kind over the whole log, not
  sliced by time, and so is each emote that messages are made only of; each copypasta wave
  is one group (when the chatters are given to `fit`);
- the other messages are grouped by Ward agglomeration constrained to a kNN graph (plus each
  message's neighbours in time, so the graph is connected), and the tree is cut where two
  groups' centres are farther apart than a gap that grows slowly with their size
  (`SEPARATION`, `SIZE_EXPONENT`), or differ by more than `MAX_SEPARATION` standard errors
  (issue 11): the grain follows what chat says, not the clock or how much it says; every
  message gets a group, where HDBSCAN left half of real chat as outliers;
- adjacent groups with the same content (centroid cosine >= `merge_similarity`, time gap at
  most a few time scales) are joined, so a topic is not cut only because it lasted;
- groups smaller than `min_cluster_size` are outliers (-1).

`method="hdbscan"` keeps the previous density clustering for comparison.
`TimeAwareClusterer` follows scikit-learn's conventions: `__init__` only stores parameters,
`fit` does the work, learned attributes end in `_`, `random_state` is honoured.

The steps live in their own modules, composed here: `twitchtopics.clustering.features` (text
features, reaction kinds), `twitchtopics.clustering.reduction` (UMAP, cached on disk, + time),
`twitchtopics.clustering.grouping` (Ward, HDBSCAN, merges) and
`twitchtopics.clustering.scores` (silhouettes, centrality). Their public names are importable
from here too.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

import numpy as np

from twitchtopics.clustering.grouping import (
    MAX_SEPARATION,
    MERGE_GAP_SCALES,
    MERGE_SIMILARITY,
    MIN_MOMENT,
    SEPARATION,
    SIZE_EXPONENT,
    WARD_BLOCK_SIZE,
    auto_min_cluster_size,
    cut_tree,
    drop_small_groups,
    hdbscan_groups,
    knn_time_graph,
    merge_adjacent_groups,
    merge_scores,
    renumber_by_first_appearance,
    time_blocks,
    ward_groups,
)
from twitchtopics.clustering.reduction import (
    TIME_SCALE_AT_ONE_PER_MINUTE,
    UMAP_EPOCHS,
    UmapSettings,
    auto_time_scale,
    cached_reduce,
    reduce_features,
    with_time,
)
from twitchtopics.clustering.scores import (
    CANDIDATE_GROUPS,
    EXACT_SILHOUETTE_MAX,
    SAMPLE_PER_GROUP,
    SILHOUETTE_CHUNK,
    SilhouetteResult,
    centrality,
    sampled_silhouette,
    silhouettes,
)

__all__ = [
    "CANDIDATE_GROUPS",
    "EXACT_SILHOUETTE_MAX",
    "MERGE_GAP_SCALES",
    "MERGE_SIMILARITY",
    "MIN_MOMENT",
    "SAMPLE_PER_GROUP",
    "MAX_SEPARATION",
    "SEPARATION",
    "SIZE_EXPONENT",
    "SILHOUETTE_CHUNK",
    "TIME_SCALE_AT_ONE_PER_MINUTE",
    "UMAP_EPOCHS",
    "WARD_BLOCK_SIZE",
    "SilhouetteResult",
    "TimeAwareClusterer",
    "auto_min_cluster_size",
    "auto_time_scale",
    "centrality",
    "cut_tree",
    "drop_small_groups",
    "knn_time_graph",
    "merge_adjacent_groups",
    "renumber_by_first_appearance",
    "sampled_silhouette",
    "merge_scores",
    "silhouettes",
    "time_blocks",
]


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
        X: np.ndarray,
        y: None = None,
        *,
        offsets_s: np.ndarray,
        inverse: np.ndarray | None = None,
        texts: Sequence[str] | None = None,
        stage: Callable[[str], AbstractContextManager[Any]] | None = None,
        users: Sequence[object] | np.ndarray | None = None,
    ) -> TimeAwareClusterer:
        """Cluster messages given their text embeddings `X` (scikit-learn's `fit(X)`).

        `X` holds one embedding per row: per distinct text, with `inverse[i]` the row of
        message i (chat repeats itself, so the distinct texts are far fewer than the
        messages), or per message when `inverse` is None. `offsets_s[i]` is message i's
        seconds since the stream's start; `texts`, optional, are the (normalised) texts of
        `X`'s rows: with them the log's own n-grams join the features and reactions are
        grouped by kind. `y` is ignored (scikit-learn's convention). `stage`, optional, is
        entered around each step ("text features", "reduce", "cluster"), e.g.
        `Stages.stage` to show progress; the steps' seconds are in `timings_` either way.
        `users`, optional, one chatter id per message: with texts, copypasta waves (several
        chatters copying one text) become one group each (`features.message_reactions`).
        """
        unique_embeddings = np.asarray(X)
        if inverse is None:
            inverse = np.arange(len(unique_embeddings))
        from twitchtopics.clustering.features import message_reactions, text_features

        if self.method not in ("ward", "hdbscan"):
            raise ValueError(f"method must be 'ward' or 'hdbscan', not {self.method!r}")
        inverse = np.asarray(inverse, dtype=np.int64)
        offsets = np.asarray(offsets_s, dtype=np.float64)
        n = len(inverse)
        if len(offsets) != n:
            raise ValueError(f"offsets_s has {len(offsets)} values for {n} messages")
        self.n_messages_ = n
        self.n_features_in_ = int(unique_embeddings.shape[1]) if unique_embeddings.ndim == 2 else 0
        if texts is not None and len(texts) != len(unique_embeddings):
            raise ValueError("texts must hold one text per row of X")
        self._check_time_scale()
        self.min_cluster_size_ = self.min_cluster_size or (
            MIN_MOMENT if self.method == "ward" else auto_min_cluster_size(n)
        )
        reaction = np.full(n, None, dtype=object)
        self.own_group_ = np.full(n, -1, dtype=np.int64)
        if texts is not None and self.reactions and self.method == "ward":
            reaction, self.own_group_ = message_reactions(texts, inverse, offsets, users)
        self.reaction_ = reaction
        rest = np.array([r is None for r in reaction], dtype=bool)
        self.time_scale_ = self._resolve_time_scale(offsets[rest])
        self.timings_ = {}
        from twitchtopics.clustering.threads import one_blas_thread

        # One BLAS/OpenMP thread for the n-gram SVD, the layout's spectral start and Ward:
        # small products where threads cost more than they give. Measured on 8,614 distinct
        # texts on 2 busy cores: the SVD 12.7 s -> 1.5 s, UMAP 8.6-19.7 s -> 5.6-6.0 s. The
        # same thread count in every fit of every process (`threads` says why it loads first).
        with one_blas_thread():
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
        from twitchtopics.clustering.features import EMOTE

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
            own = self.own_group_ >= 0  # a group per copypasta wave and per emote, after them
            labels[own] = base + len(REACTIONS) + self.own_group_[own]
            if self.time_scale_ is not None:  # whole-log, like the reactions above
                _time_to_group_mean(
                    self.features_, self.own_group_, self.own_group_[self.reaction_ == EMOTE]
                )
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

    def _umap_settings(self) -> UmapSettings:
        return UmapSettings(
            n_components=self.n_components,
            n_neighbors=self.n_neighbors,
            min_dist=self.min_dist,
            metric=self.metric,
            n_epochs=self.n_epochs,
            random_state=self.random_state,
        )

    def _cached_reduce(self, unique_features: np.ndarray) -> np.ndarray:
        """`_reduce`, remembered on disk when `cache_dir` is set (`reduction.cached_reduce`)."""
        return cached_reduce(
            unique_features, self._umap_settings(), self.cache_dir, reduce=self._reduce
        )

    def _reduce(self, unique_features: np.ndarray) -> np.ndarray:
        """A UMAP layout in a few dimensions (`reduction.reduce_features`)."""
        return reduce_features(unique_features, self._umap_settings())

    def _features(self, reduced: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        return with_time(reduced, offsets, self.time_scale_)

    def _ward(self, features: np.ndarray) -> np.ndarray:
        """`grouping.ward_groups`, its tree cut where groups stay apart (`merge_scores`)."""
        return ward_groups(
            features,
            separation=self.separation,
            graph_neighbors=self.graph_neighbors,
            has_time=self.time_scale_ is not None,
        )

    def _hdbscan(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return hdbscan_groups(
            features,
            min_cluster_size=self.min_cluster_size_,
            min_samples=self.min_samples,
            cluster_selection_epsilon=self.cluster_selection_epsilon,
            cluster_selection_method=self.cluster_selection_method,
        )


def _time_to_group_mean(features: np.ndarray, group_of: np.ndarray, groups: np.ndarray) -> None:
    """Each of `groups`' messages gets its group's mean time coordinate (`features`' last
    column), in place. The members of a group are taken in message order, as a boolean mask
    would take them, so each mean is the same float; one stable sort instead of a pass over
    all messages per group (144,385 emote-only messages in thousands of emote groups at 1M)."""
    wanted = np.unique(groups)
    if len(wanted) == 0:
        return
    rows = np.flatnonzero(np.isin(group_of, wanted))
    rows = rows[np.argsort(group_of[rows], kind="stable")]
    cuts = np.flatnonzero(np.diff(group_of[rows])) + 1
    for members in np.split(rows, cuts):
        features[members, -1] = features[members, -1].mean()
