"""The built-in components behind the registry's names, and adapters for users' own objects.

Two clusterer protocols meet here:

- a **chat clusterer** (the built-in `TimeAwareClusterer`, or any object with a true
  `chat_clusterer` attribute) sees the chat as it is: one embedding per *distinct* text,
  which text each message holds (`inverse`), each message's seconds since the start and the
  texts; `fit(X, offsets_s=..., inverse=..., texts=..., stage=...)` (X: one embedding per
  distinct text, `inverse[i]` message i's row) sets `labels_`
  (one per message, -1 = outlier), `features_` (the space silhouettes are measured in),
  `time_scale_` and `min_cluster_size_`;
- any **scikit-learn-style estimator** (KMeans, HDBSCAN, AgglomerativeClustering, ...) with
  `fit_predict(X)` or `fit(X)` + `labels_`. `EstimatorClusterer` adapts it: X has one row per
  clustered message, its text embedding (reduced by `reducer.fit_transform` when a reducer
  is given, fitted on distinct texts like the built-ins do) followed by
  `offset_s / time_scale` when time is on. Its own parameters (seed included) are left as the
  user set them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

import numpy as np
import pandas as pd

from twitchtopics.errors import OptionError

# --------------------------------------------------------------------------------------------
# embedders


def packaged_minilm(*, progress: bool = False) -> Any:
    """The packaged all-MiniLM-L6-v2, loaded only when a text misses the cache."""
    from twitchtopics.embed.embedders import load_embedder

    return load_embedder("minilm", progress=progress, lazy=True)


def static_minilm(*, progress: bool = False) -> Any:
    """The model2vec distillation of the packaged MiniLM (`--model static`)."""
    from twitchtopics.embed.embedders import load_embedder

    return load_embedder("static", progress=progress)


def hashing_embedder() -> Any:
    """A model-free hashed bag of words, for smoke runs."""
    from twitchtopics.embed.embedders import HashingEmbedder

    return HashingEmbedder()


def resolve_embedder(spec: Any, *, progress: bool = False) -> Any:
    """An embedder object from a registered name, a model folder / hub name, None (the
    default) or an object with `encode`."""
    from twitchtopics import registry

    if spec is not None and not isinstance(spec, str):
        if not callable(getattr(spec, "encode", None)):
            raise OptionError(
                f"embedder must be a name or an object with encode(list[str]), "
                f"not {type(spec).__name__}"
            )
        return spec
    if spec is None or spec in registry.embedders:
        return registry.embedders.create(spec, progress=progress)
    from twitchtopics.embed.embedders import load_embedder

    return load_embedder(spec, progress=progress, lazy=True)


def embedder_name(embedder: Any) -> str:
    """What meta.json records as the model."""
    return str(getattr(embedder, "name", None) or type(embedder).__name__)


def is_cacheable(embedder: Any) -> bool:
    """Vectors are cached only under a `fingerprint` and a known `dim`: an object without them
    could change its weights under the same name, and a stale vector would change results."""
    return bool(getattr(embedder, "fingerprint", None)) and isinstance(
        getattr(embedder, "dim", None), int
    )


def encode_uncached(texts: list[str], embedder: Any, chunk: int = 1024) -> np.ndarray:
    """Encode distinct texts with an object that only has `encode`; checks what comes back."""
    from twitchtopics.errors import ModelError

    name = embedder_name(embedder)
    parts = []
    for start in range(0, len(texts), chunk):
        batch = texts[start : start + chunk]
        vectors = np.asarray(embedder.encode(batch), dtype=np.float32)
        if vectors.ndim != 2 or len(vectors) != len(batch):
            raise ModelError(
                f"embedder {name} returned shape {vectors.shape} for {len(batch)} texts"
            )
        parts.append(vectors)
    if not parts:
        return np.zeros((0, 1), dtype=np.float32)
    out = np.vstack(parts)
    if not np.isfinite(out).all():
        raise ModelError(f"embedder {name} returned NaN or infinite values")
    return out


# --------------------------------------------------------------------------------------------
# clusterers


def _time_aware(method: str, **settings: Any) -> Any:
    from twitchtopics.clustering.clusterer import TimeAwareClusterer

    return TimeAwareClusterer(method=method, **settings)


def ward_clusterer(
    *,
    n_components: int = 5,
    n_neighbors: int = 15,
    time_scale: float | str | None = "auto",
    min_cluster_size: int | None = None,
    random_state: int | None = 42,
    cache_dir: Any = None,
) -> Any:
    """Ward on a kNN graph of [UMAP(text), time]; every message in a group (the default)."""
    return _time_aware(
        "ward",
        n_components=n_components,
        n_neighbors=n_neighbors,
        time_scale=time_scale,
        min_cluster_size=min_cluster_size,
        random_state=random_state,
        cache_dir=cache_dir,
    )


def hdbscan_clusterer(
    *,
    n_components: int = 5,
    n_neighbors: int = 15,
    time_scale: float | str | None = "auto",
    min_cluster_size: int | None = None,
    min_samples: int | None = None,
    random_state: int | None = 42,
    cache_dir: Any = None,
) -> Any:
    """HDBSCAN on [UMAP(text), time], with outliers (the seed's density clustering)."""
    return _time_aware(
        "hdbscan",
        n_components=n_components,
        n_neighbors=n_neighbors,
        time_scale=time_scale,
        min_cluster_size=min_cluster_size,
        min_samples=min_samples,
        random_state=random_state,
        cache_dir=cache_dir,
    )


def is_chat_clusterer(obj: Any) -> bool:
    """True for clusterers that take distinct texts + inverse + offsets (see module doc)."""
    from twitchtopics.clustering.clusterer import TimeAwareClusterer

    return isinstance(obj, TimeAwareClusterer) or bool(getattr(obj, "chat_clusterer", False))


def is_estimator(obj: Any) -> bool:
    return callable(getattr(obj, "fit_predict", None)) or callable(getattr(obj, "fit", None))


class EstimatorClusterer:
    """A scikit-learn-style estimator seen as a chat clusterer (see the module docstring)."""

    chat_clusterer = True

    def __init__(
        self,
        estimator: Any,
        *,
        reducer: Any = None,
        time_scale: float | str | None = "auto",
        min_cluster_size: int | None = None,
    ) -> None:
        self.estimator = estimator
        self.reducer = reducer
        self.time_scale = time_scale
        self.min_cluster_size = min_cluster_size

    def fit(
        self,
        X: np.ndarray,
        y: None = None,
        *,
        offsets_s: np.ndarray,
        inverse: np.ndarray | None = None,
        texts: list[str] | None = None,
        stage: Callable[[str], AbstractContextManager[Any]] | None = None,
    ) -> EstimatorClusterer:
        """The chat clusterer protocol (see the module docstring): `X` one embedding per
        distinct text, `inverse[i]` message i's row (None: one row per message)."""
        from twitchtopics.clustering.grouping import drop_small_groups
        from twitchtopics.clustering.reduction import auto_time_scale

        unique_embeddings = np.asarray(X)
        if inverse is None:
            inverse = np.arange(len(unique_embeddings))
        inverse = np.asarray(inverse, dtype=np.int64)
        offsets = np.asarray(offsets_s, dtype=np.float64)
        self.timings_: dict[str, float] = {}
        with self._step("reduce", stage):
            reduced = np.asarray(unique_embeddings, dtype=np.float64)
            if self.reducer is not None:
                reduced = np.asarray(self.reducer.fit_transform(reduced), dtype=np.float64)
                if reduced.ndim != 2 or len(reduced) != len(unique_embeddings):
                    raise OptionError(
                        f"reducer returned shape {reduced.shape} for {len(unique_embeddings)} rows"
                    )
        if self.time_scale is None:
            self.time_scale_ = None
        elif isinstance(self.time_scale, str):
            self.time_scale_ = auto_time_scale(offsets)
        else:
            self.time_scale_ = float(self.time_scale)
        rows = reduced[inverse]
        if self.time_scale_ is not None:
            rows = np.hstack([rows, (offsets / self.time_scale_).reshape(-1, 1)])
        self.features_ = rows
        with self._step("cluster", stage):
            labels = self._labels(rows)
        self.min_cluster_size_ = int(self.min_cluster_size or 1)
        if self.min_cluster_size:
            labels = drop_small_groups(labels, self.min_cluster_size)
        self.labels_ = labels
        return self

    def _labels(self, features: np.ndarray) -> np.ndarray:
        name = type(self.estimator).__name__
        if callable(getattr(self.estimator, "fit_predict", None)):
            labels = self.estimator.fit_predict(features)
        else:
            fitted = self.estimator.fit(features)
            labels = getattr(fitted if fitted is not None else self.estimator, "labels_", None)
            if labels is None:
                labels = getattr(self.estimator, "labels_", None)
            if labels is None:
                raise OptionError(f"clusterer {name}: fit(X) set no labels_ attribute")
        labels = np.asarray(labels)
        if labels.shape != (len(features),):
            raise OptionError(
                f"clusterer {name} returned {labels.shape} labels for {len(features)} messages"
            )
        if not np.issubdtype(labels.dtype, np.integer):
            if not np.all(np.isfinite(labels)) or not np.all(labels == np.round(labels)):
                raise OptionError(f"clusterer {name} returned labels that are not integers")
        labels = labels.astype(np.int64)
        if (labels < -1).any():
            raise OptionError(f"clusterer {name} returned labels below -1 (-1 = outlier)")
        return labels

    @contextmanager
    def _step(
        self, name: str, stage: Callable[[str], AbstractContextManager[Any]] | None
    ) -> Iterator[None]:
        began = time.perf_counter()
        with stage(name) if stage is not None else nullcontext():
            yield
        self.timings_[name] = time.perf_counter() - began


# --------------------------------------------------------------------------------------------
# describers


class CTfidfDescriber:
    """Keywords (c-TF-IDF), category, representatives, size, silhouette and span per group."""

    name = "ctfidf"

    def describe(
        self,
        messages: pd.DataFrame,
        known_emotes: frozenset[str],
        top_n: int,
        *,
        progress: Any = None,
    ) -> list[dict[str, Any]]:
        from twitchtopics.describe.group import describe_groups

        return describe_groups(messages, known_emotes, top_n, progress=progress)


def resolve_describer(spec: Any) -> Any:
    """A describer object from a registered name (None = the default) or an object."""
    from twitchtopics import registry

    if spec is None or isinstance(spec, str):
        return registry.describers.create(spec)
    if not callable(getattr(spec, "describe", None)):
        raise OptionError(
            "describer must be a name or an object with "
            f"describe(messages, known_emotes, top_n), not {type(spec).__name__}"
        )
    return spec


# --------------------------------------------------------------------------------------------
# labelers


def phrase_labeler() -> Any:
    """The built-in label: the best phrase chatters wrote (`describe/labels.py`)."""
    from twitchtopics.describe.labeler import PhraseLabeler

    return PhraseLabeler()


def is_labeler_path(spec: Any) -> bool:
    """True when `spec` names a model folder (`--labeler PATH`), not a registered labeler."""
    from twitchtopics import registry

    if isinstance(spec, os.PathLike):
        return True
    return isinstance(spec, str) and spec not in registry.labelers


def check_labeler(spec: Any) -> None:
    """The cheap checks of a labeler (no model loaded): a folder that looks like a model,
    a registered name, or an object with `label`; one-line errors otherwise."""
    from twitchtopics.describe.labeler import check_model_folder

    if spec is None or (isinstance(spec, str) and not is_labeler_path(spec)):
        return
    if is_labeler_path(spec):
        check_model_folder(spec)
    elif not callable(getattr(spec, "label", None)):
        raise OptionError(
            f"labeler must be a name, a model folder or an object with label(topic), "
            f"not {type(spec).__name__}"
        )


def resolve_labeler(spec: Any, *, cache_dir: Any = None) -> Any:
    """A labeler object from None (the phrase label), a registered name, a local model folder
    (loaded now; its answers cached in `cache_dir` unless None) or an object with `label`."""
    from twitchtopics import registry

    check_labeler(spec)
    if is_labeler_path(spec):
        from twitchtopics.describe.labeler import ModelLabeler

        return ModelLabeler(spec, cache_dir=cache_dir)
    if spec is None or isinstance(spec, str):
        return registry.labelers.create(spec, cache_dir=cache_dir)
    return spec


def load_labeler(spec: Any, *, use_cache: bool, stages: Any) -> Any:
    """`resolve_labeler` as a fit runs it: a stage line while a model folder loads, and its
    answers cached in the tool's cache folder unless `use_cache` is off."""
    from twitchtopics.cache.folder import cache_dir

    if spec is None:
        return resolve_labeler(None)
    with stages.stage("load labeler", labeler_name(spec) or ""):
        return resolve_labeler(spec, cache_dir=cache_dir() if use_cache else None)


def labeler_name(spec: Any) -> str | None:
    """What meta.json's params record as the labeler: None, a name, a folder, a class name."""
    if spec is None or isinstance(spec, str):
        return spec
    if isinstance(spec, os.PathLike):
        return os.fspath(spec)
    return str(getattr(spec, "name", None) or type(spec).__name__)
