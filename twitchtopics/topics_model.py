"""`ChatTopics`: the library's face, in the spirit of scikit-learn and BERTopic.

    from twitchtopics import ChatTopics, read_log

    model = ChatTopics(random_state=42).fit(read_log("stream.json"))   # or fit(a DataFrame)
    model.topic_info()          # one row per group: size, keywords, category, span...
    model.messages_             # every message with its topic, silhouette, centrality
    model.save("stream.twitchtopics")

`__init__` only stores and checks the parameters; `fit` runs the steps (the functions of
`twitchtopics.pipeline`: normalise, embed, group, describe) and sets the attributes ending in
`_`. This is the only place that chains the steps: `twitchtopics cluster` and
`runs.cluster_log` read a log and call `fit`, so the CLI and the library make the same
bundle from the same options.

Components are names (found in `twitchtopics.registry`) or objects:

- `embedder`: None (the packaged MiniLM), a registered name, a sentence-transformers folder or
  cached hub name, or any object with `encode(list[str]) -> ndarray` (and `name`); objects
  that also have `fingerprint` and `dim` are cached on disk, others are encoded each time;
- `clusterer`: `"ward"` (default), `"hdbscan"`, a registered name, or an object: a chat
  clusterer or any scikit-learn-style estimator (`fit_predict(X)` or `fit(X)` + `labels_`),
  fed one row per message: [its text embedding (reduced by `reducer` when given), seconds
  since the start / time scale] (see `twitchtopics.components`);
- `describer`: `"ctfidf"` (default) or an object with
  `describe(messages, known_emotes, top_n) -> list[dict]`;
- `labeler`: None (the phrase label chatters wrote), a registered name, a local
  text-generation model folder (`--labeler PATH`, `twitchtopics.describe.labeler`) or an
  object with `name` and `label(topic) -> str | None`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from twitchtopics.errors import OptionError, TwitchTopicsError
from twitchtopics.options import CLUSTERED_KINDS, check_settings, parse_kinds, parse_time_scale


class ChatTopics:
    """Topics over time in a chat: fit on a log or a DataFrame, read the results, save them.

    Parameters mirror `twitchtopics cluster` (`random_state` is `--seed`, `clusterer` is
    `--method`, `embedder` is `--model`); see the module docstring for components.
    `verbose=True` prints the stages and their progress on stderr.
    """

    def __init__(
        self,
        embedder: Any = None,
        clusterer: Any = "ward",
        describer: Any = None,
        labeler: Any = None,
        *,
        reducer: Any = None,
        time_scale: float | str | None = "auto",
        min_cluster_size: int | None = None,
        min_samples: int | None = None,
        n_components: int = 5,
        n_neighbors: int = 15,
        keywords: int = 10,
        include: tuple[str, ...] | str = CLUSTERED_KINDS,
        random_state: int = 42,
        use_cache: bool = True,
        verbose: bool = False,
    ) -> None:
        self.embedder = embedder
        self.clusterer = clusterer
        self.describer = describer
        self.labeler = labeler
        self.reducer = reducer
        self.time_scale = parse_time_scale(time_scale)
        self.min_cluster_size = min_cluster_size
        self.min_samples = min_samples
        self.n_components = n_components
        self.n_neighbors = n_neighbors
        self.keywords = keywords
        self.include = parse_kinds(include)
        self.random_state = random_state
        self.use_cache = use_cache
        self.verbose = verbose
        self._reading: dict[str, Any] = {}
        self._check()

    # ---------------------------------------------------------------------------- set-up

    @classmethod
    def from_options(cls, options: Any) -> ChatTopics:
        """The model a `ClusterOptions` (the CLI's options) describes."""
        model = cls(
            embedder=options.model,
            clusterer=options.method,
            labeler=options.labeler,
            time_scale=options.time_scale,
            min_cluster_size=options.min_cluster_size,
            min_samples=options.min_samples,
            n_components=options.n_components,
            n_neighbors=options.n_neighbors,
            keywords=options.keywords,
            include=options.include,
            random_state=options.seed,
            use_cache=options.use_cache,
        )
        model._reading = {
            "format": options.format,
            "columns": options.columns,
            "start": options.start,
            "tz": options.tz,
            "bots": tuple(options.bots),
        }
        return model

    def _check(self) -> None:
        from twitchtopics import registry
        from twitchtopics.components import check_labeler

        check_labeler(self.labeler)
        check_settings(
            random_state=self.random_state,
            time_scale=self.time_scale,
            min_cluster_size=self.min_cluster_size,
            min_samples=self.min_samples,
            n_components=self.n_components,
            n_neighbors=self.n_neighbors,
            keywords=self.keywords,
            include=self.include,
        )
        if isinstance(self.clusterer, str):
            if self.clusterer not in registry.clusterers:
                known = ", ".join(registry.clusterers.names())
                raise OptionError(f"unknown clustering method {self.clusterer!r} ({known})")
        elif self.clusterer is None or not _is_clusterer(self.clusterer):
            raise OptionError(
                "clusterer must be a method name or an object with fit_predict(X) or fit(X) "
                f"and labels_, not {type(self.clusterer).__name__}"
            )
        if self.reducer is not None:
            if not callable(getattr(self.reducer, "fit_transform", None)):
                raise OptionError("reducer must have fit_transform(X), like umap.UMAP or PCA")
            if self._builtin_method() is not None:
                raise OptionError(
                    f"reducer= is for custom clusterers; {self.clusterer!r} reduces with its "
                    "own UMAP (n_components, n_neighbors)"
                )

    def _builtin_method(self) -> str | None:
        """The clusterer's name when it is a built-in method (its groupings are cacheable)."""
        from twitchtopics import registry

        if isinstance(self.clusterer, str) and registry.clusterers.is_builtin(self.clusterer):
            return self.clusterer.strip().lower()
        return None

    def cluster_options(self) -> Any:
        """These settings as the `ClusterOptions` recorded in meta.json's `params`."""
        from twitchtopics.components import embedder_name, labeler_name
        from twitchtopics.pipeline import ClusterOptions

        model = self.embedder
        if model is not None and not isinstance(model, str):
            model = embedder_name(model)
        method = self.clusterer
        if not isinstance(method, str):
            method = type(method).__name__
        return ClusterOptions(
            model=model,
            time_scale=self.time_scale,
            method=method,
            min_cluster_size=self.min_cluster_size,
            min_samples=self.min_samples,
            n_components=self.n_components,
            n_neighbors=self.n_neighbors,
            seed=int(self.random_state),
            include=tuple(self.include),
            use_cache=self.use_cache,
            keywords=self.keywords,
            labeler=labeler_name(self.labeler),
            **self._reading,
        )

    # ---------------------------------------------------------------------------- fitting

    def fit(
        self,
        messages: Any,
        *,
        columns: dict[str, str] | None = None,
        stages: Any = None,
    ) -> ChatTopics:
        """Group the messages of a `ChatLog` (from `read_log`) or a DataFrame.

        A DataFrame is either a messages table (`offset_s`, `text`, ...) or a plain table
        whose time / user / text columns are found like a CSV log's (`columns=` names them).
        Raises a `TwitchTopicsError` (one clear line) when there is nothing to group.
        `stages` (a `progress.Stages`) times and shows the steps; the CLI passes its own.
        """
        from twitchtopics.progress import Stages

        self._check()
        log = self._as_log(messages, columns)
        stages = stages or Stages(quiet=not self.verbose)
        self._fit_log(log, stages)
        return self

    def fit_transform(self, messages: Any, **kwargs: Any) -> np.ndarray:
        """`fit`, then each message's topic (-1 = outlier or a kind that is not clustered)."""
        return self.fit(messages, **kwargs).labels_

    def _as_log(self, messages: Any, columns: dict[str, str] | None) -> Any:
        from twitchtopics.readers.frames import log_from_frame

        if isinstance(messages, pd.DataFrame):
            reading = {k: self._reading.get(k) for k in ("start", "tz")}
            return log_from_frame(
                messages, columns=columns, bots=self._reading.get("bots", ()), **reading
            )
        if hasattr(messages, "messages") and hasattr(messages, "info"):
            return messages
        raise OptionError(
            f"fit() takes a ChatLog (read_log) or a pandas DataFrame, not {type(messages).__name__}"
        )

    def _fit_log(self, log: Any, stages: Any) -> None:
        from twitchtopics import pipeline
        from twitchtopics.bundle import CENTROIDS_FILE
        from twitchtopics.components import load_labeler, resolve_describer, resolve_embedder
        from twitchtopics.describe.labeler import apply_labeler
        from twitchtopics.vectors import search_arrays, vectors_meta

        options = self.cluster_options()
        name = _display_name(log.info.path)
        # a model folder loads now, before any embedding (a bad one fails at once)
        labeler = load_labeler(self.labeler, use_cache=self.use_cache, stages=stages)
        messages = log.messages.reset_index(drop=True).copy()
        known_emotes = frozenset(log.info.emotes)
        with stages.stage("normalize"):
            messages["clean"] = pipeline.normalized_texts(messages["text"], known_emotes)
        selected = _selected_rows(messages, options, name)

        embedder = None
        if self.embedder is not None and not isinstance(self.embedder, str):
            embedder = resolve_embedder(self.embedder)
        clean = messages["clean"].to_numpy()[selected].tolist()
        distinct = pipeline.embed_distinct(clean, options, stages, embedder=embedder)
        chatters = messages["user"].astype(str).to_numpy()[selected]
        distinct.users = pd.factorize(chatters)[0].astype(np.int64)  # copypasta waves
        offsets = messages["offset_s"].to_numpy(dtype=np.float64)[selected]
        grouping = self._group(distinct, offsets, options, stages)
        for column, values, empty in (
            ("topic", grouping.labels, -1),
            ("silhouette", grouping.silhouette, np.nan),
            ("centrality", grouping.centrality, np.nan),
        ):
            full = np.full(len(messages), empty, dtype=np.asarray(values).dtype)
            full[selected] = values
            messages[column] = full
        messages["theme"] = pipeline.message_themes(grouping, selected, len(messages))

        describer = resolve_describer(self.describer)
        with stages.stage("keywords") as progress:
            topics, themes = pipeline.describe_all(
                messages,
                known_emotes,
                self.keywords,
                describer=describer,
                progress=progress,
                use_cache=self.use_cache,
            )
        if self.labeler is None:
            apply_labeler(topics, labeler)  # the phrase labels, and each one's label_source
        else:
            with stages.stage("labels", options.labeler or "") as progress:
                apply_labeler(topics, labeler, progress=progress)
        meta = pipeline.build_meta(
            log, _input_path(log), options, grouping, distinct.model_name, messages, topics
        )
        meta["counts"]["themes"] = len(themes)
        meta["labeler"] = {
            "name": labeler.name,
            "fingerprint": getattr(labeler, "fingerprint", None),
        }
        self.themes_ = themes
        self.messages_ = messages
        self.topic_list_ = topics
        self.meta_ = meta
        self.labels_ = messages["topic"].to_numpy()
        self.arrays_ = search_arrays(
            len(messages), selected, distinct.embeddings, distinct.inverse, messages["topic"]
        )
        meta["vectors"] = vectors_meta(distinct.model_name, distinct.fingerprint, self.arrays_)
        self.centroids_ = self.arrays_[CENTROIDS_FILE].astype(np.float32)
        meta["timings"] = stages.timings  # the same dict: stages timed later (write) appear too
        self.stages_ = stages
        self.info_ = log.info

    def _group(self, distinct: Any, offsets: np.ndarray, options: Any, stages: Any) -> Any:
        """Built-in methods go through the grouping cache; objects are fitted every time
        (their settings are not known to the cache key)."""
        from twitchtopics import pipeline

        if self._builtin_method() is not None:
            return pipeline.group_messages(distinct, offsets, options, stages)
        return pipeline.compute_grouping(
            distinct, offsets, options, stages, clusterer=self._clusterer_object(options)
        )

    def _clusterer_object(self, options: Any) -> Any:
        from twitchtopics.components import EstimatorClusterer, is_chat_clusterer
        from twitchtopics.pipeline import make_clusterer

        obj = make_clusterer(options) if isinstance(self.clusterer, str) else self.clusterer
        if is_chat_clusterer(obj):
            return obj
        return EstimatorClusterer(
            obj,
            reducer=self.reducer,
            time_scale=self.time_scale,
            min_cluster_size=self.min_cluster_size,
        )

    # ---------------------------------------------------------------------------- results

    def _fitted(self) -> None:
        if not hasattr(self, "messages_"):
            raise TwitchTopicsError("this ChatTopics is not fitted yet: call fit() first")

    @property
    def topics_(self) -> pd.DataFrame:
        """One row per group, with every field of topics.json (keywords as [word, score])."""
        self._fitted()
        return pd.DataFrame(self.topic_list_)

    def topic_info(self) -> pd.DataFrame:
        """A BERTopic-like overview: Topic, Count, Name, Keywords, Category, Representative,
        First/Last (times, or offsets when the log has no clock), Silhouette."""
        self._fitted()
        rows = []
        for topic in self.topic_list_:
            words = [w for w, _ in topic.get("keywords", [])]
            reps = topic.get("representatives") or []
            rows.append(
                {
                    "Topic": topic["id"],
                    "Count": topic["size"],
                    "Name": topic.get("label") or f"{topic['id']}_" + "_".join(words[:4]),
                    "Keywords": words,
                    "Category": topic.get("category"),
                    "Representative": reps[0] if reps else None,
                    "First": topic.get("first_time") or topic.get("first_offset_s"),
                    "Last": topic.get("last_time") or topic.get("last_offset_s"),
                    "Silhouette": topic.get("silhouette"),
                }
            )
        return pd.DataFrame(rows)

    def get_topic(self, topic_id: int) -> list[tuple[str, float]]:
        """The keywords of one group, as (word, c-TF-IDF score); KeyError for an unknown id."""
        self._fitted()
        for topic in self.topic_list_:
            if topic["id"] == topic_id:
                return [(w, float(s)) for w, s in topic.get("keywords", [])]
        raise KeyError(topic_id)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the bundle: messages.parquet, topics.json, meta.json and the search arrays
        (text_vectors.npy, text_index.npy, centroids.npy)."""
        from twitchtopics.bundle import save_bundle

        self._fitted()
        target = Path(path)
        with self.stages_.stage("write", str(target)):
            return save_bundle(
                target,
                self.messages_,
                self.topic_list_,
                self.meta_,
                self.arrays_,
                themes=self.themes_,
            )

    def __repr__(self) -> str:
        shown = {
            "embedder": self.embedder,
            "clusterer": self.clusterer,
            "random_state": self.random_state,
        }
        return "ChatTopics(" + ", ".join(f"{k}={v!r}" for k, v in shown.items()) + ")"


def _is_clusterer(obj: Any) -> bool:
    from twitchtopics.components import is_chat_clusterer, is_estimator

    return is_chat_clusterer(obj) or is_estimator(obj)


def _display_name(path: str | None) -> str:
    return Path(path).name if path and not path.startswith("<") else (path or "<messages>")


def _input_path(log: Any) -> Path | None:
    """The log's file (its sha256 goes into meta.json), or None for a DataFrame."""
    path = log.info.path
    if not path or path.startswith("<"):
        return None
    return Path(path) if Path(path).is_file() else None


def _selected_rows(messages: pd.DataFrame, options: Any, name: str) -> np.ndarray:
    """Rows of the kinds to cluster; a clear error when there are none or too few."""
    selected = np.flatnonzero(messages["kind"].isin(options.include).to_numpy())
    if len(selected) == 0:
        raise TwitchTopicsError(
            f"{name}: no message of kind {', '.join(options.include)} to cluster"
        )
    min_size = options.min_cluster_size
    if min_size is not None and len(selected) < min_size:
        raise TwitchTopicsError(
            f"{name}: {len(selected)} messages to cluster, fewer than --min-cluster-size {min_size}"
        )
    return selected
