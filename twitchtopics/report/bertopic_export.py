"""A bundle as a BERTopic model folder: `BERTopic.load(DIR)` shows the same groups and keywords.

BERTopic's own safetensors serialization (bertopic/_save_utils.py, 0.16-0.17) is written
without importing BERTopic, so a plain install can export and any machine with BERTopic can
load:

- `topics.json`: `topic_representations` = each group's keywords from the bundle's
  topics.json, with their c-TF-IDF scores (a group with none gets BERTopic's own padding,
  `("", 1e-05)`); `topics` = the group of each message of a clustered kind, in time order;
  `topic_sizes`, `topic_mapper`, `topic_labels`, `custom_labels` (the bundle's labels when it
  has them), `_outliers`;
- `config.json`: BERTopic's parameters (`top_n_words`, `min_topic_size` = the run's min
  cluster size, ...), without `embedding_model`: BERTopic would look it up on the Hugging
  Face hub at load time (a minute of retries offline, measured); pass the model instead,
  e.g. `BERTopic.load(DIR, embedding_model=SentenceTransformer(str(packaged_model_path())))`;
- `topic_embeddings.safetensors`: the bundle's `centroids.npy` (one unit-length mean text
  embedding per group, `twitchtopics.vectors.group_centroids`; the outliers' row
  first and all zero when there are outliers);
- `ctfidf.safetensors` + `ctfidf_config.json`: the c-TF-IDF matrix of every group (outliers
  included) over the keyword tokens of the messages, with BERTopic's formula, and a
  CountVectorizer vocabulary for `transform`-like uses (`topics_over_time`, ...).

Nothing is pickled; the folder is built beside its target and renamed into place.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from twitchtopics.bundle import CENTROIDS_FILE, Bundle, load_bundle
from twitchtopics.errors import BundleError

BERTOPIC_FILES = (
    "config.json",
    "topics.json",
    "topic_embeddings.safetensors",
    "ctfidf.safetensors",
    "ctfidf_config.json",
)
PADDING = ("", 1e-05)
"""What BERTopic itself puts in a representation that has too few words."""


def export_bertopic(
    bundle: Bundle | str | os.PathLike[str], directory: str | os.PathLike[str]
) -> Path:
    """Write `bundle` (a Bundle or its folder) as a BERTopic model folder; returns its path."""
    if not isinstance(bundle, Bundle):
        bundle = load_bundle(bundle)
    centroids = bundle.array(CENTROIDS_FILE)
    if centroids is None or centroids.ndim != 2:
        raise BundleError(
            f"{bundle.path} has no centroids.npy (made by an older version): run "
            "`twitchtopics cluster` on its log again to export it"
        )
    target = Path(directory)
    _check_target(target)
    labels = _document_topics(bundle)
    ids = sorted(int(t["id"]) for t in bundle.topics)
    if len(centroids) != len(ids):
        raise BundleError(f"{bundle.path}: {len(centroids)} centroids for {len(ids)} topics")
    classes = ([-1] if (labels == -1).any() else []) + ids
    files = {
        "topics.json": _topics_json(bundle, labels, classes),
        "config.json": _config_json(bundle),
    }
    matrix, idf, vocabulary = _ctfidf(bundle, labels, classes)
    files["ctfidf_config.json"] = _ctfidf_config(vocabulary)
    embeddings = np.vstack(
        [
            np.zeros((len(classes) - len(ids), centroids.shape[1]), dtype=np.float32),
            centroids.astype(np.float32),
        ]
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for name, data in files.items():
            (tmp / name).write_text(json.dumps(data, indent=2, ensure_ascii=False), "utf-8")
        _save_safetensors(tmp / "topic_embeddings.safetensors", {"topic_embeddings": embeddings})
        _save_safetensors(
            tmp / "ctfidf.safetensors",
            {
                "indptr": matrix.indptr,
                "indices": matrix.indices,
                "data": matrix.data,
                "shape": np.array(matrix.shape),
                "diag": idf,
            },
        )
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def _check_target(target: Path) -> None:
    """Never overwrite a folder that is not an earlier export."""
    if target.exists() and not target.is_dir():
        raise BundleError(f"{target} exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not (target / "config.json").is_file():
        raise BundleError(f"{target} is not empty and is not a BERTopic export: choose another")


def _considered(bundle: Bundle) -> np.ndarray:
    """Messages of a clustered kind (BERTopic's documents): bots, commands and system notices
    that the run did not cluster are left out, not counted as outliers."""
    messages = bundle.messages
    include = bundle.meta.get("params", {}).get("include") or ["chat", "action"]
    return messages["kind"].isin(include).to_numpy() | (messages["topic"] >= 0).to_numpy()


def _document_topics(bundle: Bundle) -> np.ndarray:
    """The topic of each document, in time order."""
    return bundle.messages["topic"].to_numpy(dtype=np.int64)[_considered(bundle)]


def _representation(topic: dict[str, Any]) -> list[list[Any]]:
    words = [[str(w), float(s)] for w, s in topic.get("keywords") or []]
    return words or [list(PADDING)]


def _topics_json(bundle: Bundle, labels: np.ndarray, classes: list[int]) -> dict[str, Any]:
    by_id = {int(t["id"]): t for t in bundle.topics}
    representations = {
        str(c): (_representation(by_id[c]) if c in by_id else [list(PADDING)]) for c in classes
    }
    sizes = {str(c): int((labels == c).sum()) for c in classes}
    names = {str(c): f"{c}_" + "_".join(w for w, _ in representations[str(c)][:4]) for c in classes}
    custom = None
    if any(by_id[c].get("label") for c in classes if c in by_id):
        custom = [
            "Outliers" if c == -1 else (by_id[c].get("label") or names[str(c)]) for c in classes
        ]
    return {
        "topic_representations": representations,
        "topics": [int(t) for t in labels],
        "topic_sizes": sizes,
        "topic_mapper": [[c, c] for c in classes],
        "topic_labels": names,
        "custom_labels": custom,
        "_outliers": int(-1 in classes),
        "topic_aspects": {},
    }


def _config_json(bundle: Bundle) -> dict[str, Any]:
    params = bundle.meta.get("params", {})
    return {
        "calculate_probabilities": False,
        "language": "multilingual",
        "low_memory": False,
        "min_topic_size": int(params.get("min_cluster_size_used") or 10),
        "n_gram_range": [1, 1],
        "nr_topics": None,
        "seed_topic_list": None,
        "top_n_words": int(params.get("keywords") or 10),
        "verbose": False,
    }


def _ctfidf(bundle: Bundle, labels: np.ndarray, classes: list[int]) -> tuple[Any, Any, dict]:
    """BERTopic's c-TF-IDF (tf l1-normalised per class, square-rooted; idf log(A/f + 1))
    of each class over the messages' keyword tokens, each word once per message."""
    from scipy import sparse

    from twitchtopics.chat.tokens import keyword_tokens

    messages = bundle.messages
    column = "clean" if "clean" in messages else "text"
    texts = messages[column].astype(str).to_numpy()[_considered(bundle)]
    emotes = frozenset(bundle.meta.get("stream", {}).get("emotes") or ())
    row_of = {c: i for i, c in enumerate(classes)}
    vocabulary: dict[str, int] = {}
    rows, cols = [], []
    memo: dict[str, list[str]] = {}
    for text, label in zip(texts, labels, strict=True):
        tokens = memo.get(text)
        if tokens is None:
            tokens = memo[text] = list(dict.fromkeys(keyword_tokens(text, emotes)))
        for token in tokens:
            rows.append(row_of[int(label)])
            cols.append(vocabulary.setdefault(token, len(vocabulary)))
    shape = (len(classes), max(1, len(vocabulary)))
    counts = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)
    counts.sum_duplicates()
    frequency = np.maximum(np.asarray(counts.sum(axis=0)).ravel(), 1.0)
    words_per_class = np.asarray(counts.sum(axis=1)).ravel()
    idf = np.log(max(1, int(words_per_class.mean())) / frequency + 1).astype(np.float64)
    tf = (sparse.diags(1.0 / np.maximum(words_per_class, 1)) @ counts).tocsr()
    tf.data = np.sqrt(tf.data)
    matrix = (tf @ sparse.diags(idf)).tocsr()
    matrix.sort_indices()
    return matrix, idf, vocabulary


def _ctfidf_config(vocabulary: dict[str, int]) -> dict[str, Any]:
    """What BERTopic needs to rebuild its CountVectorizer and ClassTfidfTransformer."""
    return {
        "ctfidf_model": {"bm25_weighting": False, "reduce_frequent_words": True},
        "vectorizer_model": {
            "params": {
                "analyzer": "word",
                "binary": False,
                "decode_error": "strict",
                "encoding": "utf-8",
                "input": "content",
                "lowercase": False,  # emote names keep their case (ponceJAM)
                "max_df": 1.0,
                "max_features": None,
                "min_df": 1,
                "ngram_range": [1, 1],
                "stop_words": None,
                "strip_accents": None,
                "token_pattern": r"(?u)\b\w\w+\b",
                "vocabulary": None,
            },
            "vocab": vocabulary,
        },
    }


def _save_safetensors(path: Path, tensors: dict[str, np.ndarray]) -> None:
    from safetensors.numpy import save_file

    save_file({k: np.ascontiguousarray(v) for k, v in tensors.items()}, str(path))
