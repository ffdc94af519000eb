"""The steps from a log to a bundle: normalise, embed distinct texts, group (through the
grouping cache), describe, record (`build_meta`); `ClusterOptions`, the record of a run.

`twitchtopics.topics_model.ChatTopics.fit` is the one place that chains these steps;
`twitchtopics.runs.cluster_log` (read a file, fit, save) is what the CLI and the benchmarks
run. Nothing here imports `components`' callers or `topics_model`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from twitchtopics._version import __version__
from twitchtopics.cache.folder import cache_dir
from twitchtopics.cache.groupings import GROUPING_VERSION, Grouping
from twitchtopics.options import CLUSTERED_KINDS, DEFAULT_MODEL
from twitchtopics.progress import StageProgress, Stages


@dataclass
class ClusterOptions:
    """Every knob of a `cluster` run; all of them are recorded in the bundle."""

    model: str | None = None
    time_scale: float | str | None = "auto"
    method: str = "ward"
    min_cluster_size: int | None = None
    min_samples: int | None = None
    n_components: int = 5
    n_neighbors: int = 15
    seed: int = 42
    include: tuple[str, ...] = CLUSTERED_KINDS
    use_cache: bool = True
    format: str | None = None
    columns: dict[str, str] | None = None
    start: str | None = None
    tz: str | None = None
    bots: tuple[str, ...] = ()
    keywords: int = 10
    labeler: str | None = None


@dataclass
class ClusterResult:
    """What a run produced: the bundle's three parts, and where it was written."""

    messages: pd.DataFrame
    topics: list[dict[str, Any]]
    meta: dict[str, Any]
    path: Path | None = None
    themes: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)  # search vectors (.npy files)


def sha256_of(path: Path) -> str:
    """Fingerprint of the input file, recorded so a bundle can be traced to its log ("" for
    a FIFO); the run cache's key reads the same digest (`cache.runs.file_sha256`)."""
    from twitchtopics.cache.runs import file_sha256

    return file_sha256(path)


def message_themes(grouping: Grouping, selected: np.ndarray, n_messages: int) -> np.ndarray:
    """The `theme` column: each clustered message's theme, -1 elsewhere. A grouping without
    themes (e.g. `--method hdbscan` before themes existed) gives each group its own theme."""
    full = np.full(n_messages, -1, dtype=np.int64)
    full[selected] = grouping.labels if grouping.themes is None else grouping.themes
    return full


def normalized_texts(texts: pd.Series, known_emotes: frozenset[str]) -> list[str]:
    """The text each message is embedded and described by; computed once per distinct text."""
    from twitchtopics.chat.normalize import normalize_text

    cache: dict[str, str] = {}
    out = []
    for text in texts.tolist():
        value = cache.get(text)
        if value is None:
            value = cache[text] = normalize_text(text, known_emotes)
        out.append(value)
    return out


@dataclass
class DistinctTexts:
    """Each distinct normalised text once, its embedding, and which one each message holds."""

    texts: list[str]
    embeddings: np.ndarray
    inverse: np.ndarray
    model_name: str
    fingerprint: str | None = None
    users: np.ndarray | None = None
    """Who wrote each message (int codes, parallel to `inverse`), when known: copypasta waves
    need distinct chatters (`twitchtopics.chat.copypasta`)."""


def embed_distinct(
    clean: list[str], options: ClusterOptions, stages: Stages, *, embedder: Any = None
) -> DistinctTexts:
    """Embed each distinct normalised text once: through the on-disk cache when the embedder
    has a `fingerprint` and `dim`, else by calling its `encode` (see `components`).

    `embedder` None resolves `options.model` (a registered name, a folder or a hub name).
    """
    from twitchtopics.components import (
        embedder_name,
        encode_uncached,
        is_cacheable,
        resolve_embedder,
    )
    from twitchtopics.embed.embedders import EmbeddingCache, embed_texts, unique_with_inverse

    uniques, inverse, _counts = unique_with_inverse(clean)
    if embedder is None:
        with stages.stage("load model", options.model or f"{DEFAULT_MODEL} (the default)"):
            embedder = resolve_embedder(options.model, progress=stages.show_bars)
    with stages.stage(
        "embed", f"{len(uniques)} distinct texts of {len(clean)} messages", bar=False
    ):
        if is_cacheable(embedder) and not getattr(embedder, "cache_vectors", True):
            embeddings = _embed_as_block(list(uniques), embedder, options.use_cache)
        elif is_cacheable(embedder):
            cache = EmbeddingCache() if options.use_cache else None
            embeddings = embed_texts(
                list(uniques), embedder, cache=cache, progress=stages.show_bars
            )
        else:
            embeddings = encode_uncached(list(uniques), embedder)
    return DistinctTexts(
        texts=list(uniques),
        embeddings=np.asarray(embeddings, dtype=np.float32),
        inverse=np.asarray(inverse),
        model_name=embedder_name(embedder),
        fingerprint=getattr(embedder, "fingerprint", None),
    )


def _embed_as_block(uniques: list[str], embedder: Any, use_cache: bool) -> np.ndarray:
    """The distinct texts' vectors from a model that is faster than the per-text cache,
    remembered as one block (`twitchtopics.cache.vector_blocks`) when the cache is on."""
    from twitchtopics.cache.vector_blocks import block_key, load_block, save_block
    from twitchtopics.embed.embedders import embed_texts

    if not use_cache:
        return embed_texts(uniques, embedder)
    key = block_key(str(embedder.fingerprint), uniques)
    folder = cache_dir()
    cached = load_block(folder, key, (len(uniques), int(embedder.dim)))
    if cached is not None:
        return cached
    vectors = embed_texts(uniques, embedder)
    save_block(folder, key, vectors)
    return vectors


def group_messages(
    distinct: DistinctTexts, offsets: np.ndarray, options: ClusterOptions, stages: Stages
) -> Grouping:
    """Group the selected messages, or take their grouping from the cache when the exact same
    inputs and settings were grouped before (see ``twitchtopics.cache.groupings``)."""
    from twitchtopics.cache.groupings import grouping_key, load_grouping, save_grouping

    if not options.use_cache:
        return compute_grouping(distinct, offsets, options, stages)
    folder = cache_dir()
    with stages.stage("grouping cache"):
        key = grouping_key(
            distinct.texts,
            distinct.embeddings,
            distinct.inverse,
            offsets,
            grouping_settings(options),
            __version__,
            users=distinct.users,
        )
        cached = load_grouping(folder, key, len(offsets))
    if cached is not None:
        return cached
    grouping = compute_grouping(distinct, offsets, options, stages)
    save_grouping(folder, key, grouping)
    return grouping


def grouping_settings(options: ClusterOptions) -> dict[str, Any]:
    """The options a grouping depends on (the model is in the embeddings themselves)."""
    from twitchtopics.embed.precision import resolve_precision

    return {
        "precision": resolve_precision("cpu"),
        "n_components": options.n_components,
        "n_neighbors": options.n_neighbors,
        "time_scale": options.time_scale,
        "min_cluster_size": options.min_cluster_size,
        "min_samples": options.min_samples,
        "method": options.method,
        "seed": options.seed,
    }


def compute_grouping(
    distinct: DistinctTexts,
    offsets: np.ndarray,
    options: ClusterOptions,
    stages: Stages,
    *,
    clusterer: Any = None,
) -> Grouping:
    """Cluster (with `clusterer`, a chat clusterer, or the one `options.method` names), then
    score every clustered message (silhouette, centrality)."""
    from twitchtopics.clustering.grouping import renumber_by_first_appearance
    from twitchtopics.clustering.scores import centrality, silhouettes

    clusterer = fit_clusterer(distinct, offsets, options, stages, clusterer=clusterer)
    labels = renumber_by_first_appearance(clusterer.labels_)  # messages are in time order
    with stages.stage("themes"):
        themes = grouping_themes(clusterer, labels, distinct.inverse)
    with stages.stage("silhouette"):
        sil = silhouettes(clusterer.features_, labels)
        central = centrality(clusterer.features_, labels)
    return Grouping(
        labels=labels,
        silhouette=sil.values,
        centrality=central,
        silhouette_method=sil.method,
        time_scale=clusterer.time_scale_,
        min_cluster_size=int(clusterer.min_cluster_size_),
        themes=themes,
    )


def grouping_themes(clusterer: Any, labels: np.ndarray, inverse: np.ndarray) -> np.ndarray:
    """Themes of the messages (`twitchtopics.clustering.themes`), from the clusterer's reduced text
    coordinates when it has them (else the space it clustered in) and its reactions, which
    stay themes of their own."""
    from twitchtopics.clustering.themes import group_themes

    reduced = getattr(clusterer, "reduced_unique_", None)
    points = reduced[inverse] if reduced is not None else np.asarray(clusterer.features_)
    reaction = getattr(clusterer, "reaction_", None)
    standalone = None if reaction is None else np.array([r is not None for r in reaction])
    return group_themes(labels, points, standalone=standalone)


def make_clusterer(options: ClusterOptions) -> Any:
    """The clusterer `options.method` names in `twitchtopics.registry.clusterers`."""
    from twitchtopics import registry

    return registry.clusterers.create(
        options.method,
        n_components=options.n_components,
        n_neighbors=options.n_neighbors,
        time_scale=options.time_scale,
        min_cluster_size=options.min_cluster_size,
        min_samples=options.min_samples,
        random_state=options.seed,
        cache_dir=cache_dir() if options.use_cache else None,
    )


def fit_clusterer(
    distinct: DistinctTexts,
    offsets: np.ndarray,
    options: ClusterOptions,
    stages: Stages,
    *,
    clusterer: Any = None,
):
    """Reduce, attach time and cluster the selected messages."""
    clusterer = clusterer if clusterer is not None else make_clusterer(options)
    extra = {"users": distinct.users} if distinct.users is not None and _takes(clusterer) else {}
    clusterer.fit(
        distinct.embeddings,
        offsets_s=offsets,
        inverse=distinct.inverse,
        texts=distinct.texts,
        stage=stages.stage,
        **extra,
    )
    return clusterer


def _takes(clusterer: Any, name: str = "users") -> bool:
    """Whether the clusterer's `fit` accepts the keyword `name` (chat clusterers registered
    before it existed do not)."""
    import inspect

    try:
        params = inspect.signature(clusterer.fit).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def describe_topics(
    messages: pd.DataFrame,
    known_emotes: frozenset[str],
    top_n: int,
    *,
    progress: StageProgress | None = None,
) -> list[dict[str, Any]]:
    """Label, keywords, category, answers, moderation, representatives, size, span per group."""
    from twitchtopics.describe.group import describe_groups

    return describe_groups(messages, known_emotes, top_n, progress=progress)


def describe_all(
    messages: pd.DataFrame,
    known_emotes: frozenset[str],
    top_n: int,
    *,
    describer: Any = None,
    progress: StageProgress | None = None,
    use_cache: bool = False,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The describe step of a run: topics.json's `topics` (by `describer`, None = the default
    c-TF-IDF one) and `themes` (keywords and a 2-6 word label each, as for groups).

    `use_cache`: read and write the description cache (`twitchtopics.cache.descriptions`),
    for the built-in describer only; the result is the same either way."""
    from twitchtopics.components import CTfidfDescriber, resolve_describer

    describer = resolve_describer(describer) if describer is None else describer
    if not (use_cache and type(describer) is CTfidfDescriber):
        return _describe(messages, known_emotes, top_n, describer, progress)
    from twitchtopics.cache.descriptions import (
        description_key,
        load_description,
        save_description,
    )

    folder = cache_dir()
    key = description_key(messages, known_emotes, top_n)
    cached = None if key is None else load_description(folder, key)
    if cached is not None:
        return cached
    topics, themes = _describe(messages, known_emotes, top_n, describer, progress)
    if key is not None:
        save_description(folder, key, topics, themes)
    return topics, themes


def _describe(
    messages: pd.DataFrame,
    known_emotes: frozenset[str],
    top_n: int,
    describer: Any,
    progress: StageProgress | None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    from twitchtopics.describe.group import label_themes
    from twitchtopics.describe.themes import describe_themes
    from twitchtopics.memory import collector_paused

    with collector_paused():  # millions of live containers, no garbage (memory.py)
        topics = describer.describe(messages, known_emotes, top_n, progress=progress)
        themes = describe_themes(messages, topics, known_emotes, top_n)
        return topics, label_themes(messages, themes, known_emotes)


def _mean_or_none(values: pd.Series) -> float | None:
    clean = values.dropna()
    return round(float(clean.mean()), 4) if len(clean) else None


def _iso(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).isoformat()


def input_meta(log_path: Path | None, fmt: str, messages: pd.DataFrame) -> dict[str, Any]:
    """meta.json's `input`: the log file and its sha256, or a DataFrame's content digest."""
    if log_path is None:
        from twitchtopics.readers.frames import frame_fingerprint

        return {"path": None, "name": None, "sha256": frame_fingerprint(messages), "format": fmt}
    return {
        "path": str(log_path),
        "name": log_path.name,
        "sha256": sha256_of(log_path),
        "format": fmt,
    }


def build_meta(
    log,
    log_path: Path | None,
    options: ClusterOptions,
    grouping: Grouping,
    model_name: str,
    messages: pd.DataFrame,
    topics: list[dict],
) -> dict[str, Any]:
    """meta.json: where the result comes from and how it was made."""
    info = log.info
    clustered = int((messages["topic"] >= 0).sum())
    considered = int(messages["kind"].isin(options.include).sum())
    sil = messages["silhouette"].dropna()
    offsets = messages["offset_s"]
    params = asdict(options)
    params["include"] = list(options.include)
    params["bots"] = list(options.bots)
    params["time_scale_used"] = grouping.time_scale
    params["min_cluster_size_used"] = grouping.min_cluster_size
    return {
        "tool_version": __version__,
        "grouping_version": GROUPING_VERSION,  # a season keeps a bundle only if it matches
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "input": input_meta(log_path, info.format, messages),
        "stream": {
            "start": _iso(info.start),
            "tz": info.tz,
            "title": info.title,
            "channel": info.channel,
            "video_id": getattr(info, "video_id", None),
            "end": _iso(messages["time"].max()),
            "duration_s": float(offsets.max() - min(0.0, offsets.min())) if len(offsets) else 0.0,
            "emotes": sorted(info.emotes),
        },
        "params": params,
        "model": model_name,
        "silhouette_method": grouping.silhouette_method,
        "counts": {
            "read": int(len(messages)),
            "considered": considered,
            "clustered": clustered,
            "outliers": considered - clustered,
            "groups": len(topics),
            "mean_silhouette": round(float(sil.mean()), 4) if len(sil) else None,
            "by_kind": {str(k): int(v) for k, v in messages["kind"].value_counts().items()},
            "lines_skipped": int(info.lines_skipped),
            "skipped_examples": [list(x) for x in info.skipped_examples],
            "decode_errors": int(getattr(info, "decode_errors", 0)),
        },
    }
