"""What `search` needs, kept in the bundle: one float16 vector per distinct text, which text each
message holds, and one centroid per group.

Search embeds only the query; everything else comes from these arrays (`.npy`, read with
`allow_pickle=False`). Per-message vectors would repeat the same text many times (45,797
distinct texts for 100,000 messages in `benchmarks/speed.py`'s log), so vectors are kept per
distinct normalised text plus an int32 index per message row. float16 keeps cosine scores
within 1e-3 of float32, far below the gaps between search results, at half the size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from twitchtopics.bundle import CENTROIDS_FILE, TEXT_INDEX_FILE, TEXT_VECTORS_FILE, Bundle
from twitchtopics.errors import BundleError

VECTOR_DTYPE = np.float16
# Float64 values of the text vectors converted at once for the centroids' product: columns
# are taken in blocks of at most this many values. Gathering every clustered message of the
# 1M-message speed log at once in float64 made this step the run's peak (4.7 GB sampled with
# the static model; 6.5 GB for the default model's run); 25M values are 200 MB.
CENTROID_BLOCK_VALUES = 25_000_000


def l2_normalize(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), in float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def group_centroids(
    text_vectors: np.ndarray, text_index: np.ndarray, topics: np.ndarray
) -> np.ndarray:
    """One unit-length mean vector per group (rows in ascending topic id, ids 0..max).

    The mean is over messages, so a text written 50 times weighs 50 times; a group id with
    no message (never, after renumbering) gets a zero row.

    Each group's sum is one row of a sparse (group x text) product with one entry per message,
    in message order and duplicates kept: scipy adds a row's entries one after another from
    0.0, so a sum is its messages' float64 vectors added one by one, in order. The code before
    (`np.add.reduceat` over gathered rows) added the first row to a pairwise sum of the rest,
    which can differ in the last bit of a float64 sum; the unit-length float32 centroids were
    the same on the 1M-message speed log (36,486 groups) and the shared logs' bundles. There:
    10.0 -> 0.7 s.
    """
    from scipy import sparse

    topics = np.asarray(topics)
    text_index = np.asarray(text_index)
    keep = (topics >= 0) & (text_index >= 0)
    n_topics = int(topics[keep].max()) + 1 if keep.any() else 0
    dim = text_vectors.shape[1] if text_vectors.ndim == 2 else 0
    sums = np.zeros((n_topics, dim), dtype=np.float64)
    order = np.flatnonzero(keep)
    if not len(order):
        return l2_normalize(sums)
    order = order[np.argsort(topics[order], kind="stable")]
    indptr = np.zeros(n_topics + 1, dtype=np.int64)
    np.cumsum(np.bincount(topics[order], minlength=n_topics), out=indptr[1:])
    members = sparse.csr_matrix(
        (np.ones(len(order)), text_index[order].astype(np.int64), indptr),
        shape=(n_topics, len(text_vectors)),
    )
    vectors = np.asarray(text_vectors, dtype=np.float32)
    step = max(1, CENTROID_BLOCK_VALUES // max(len(vectors), 1))
    for lo in range(0, dim, step):
        sums[:, lo : lo + step] = members @ vectors[:, lo : lo + step].astype(np.float64)
    return l2_normalize(sums)


def search_arrays(
    n_messages: int,
    selected: np.ndarray,
    embeddings: np.ndarray,
    inverse: np.ndarray,
    topics: np.ndarray,
) -> dict[str, np.ndarray]:
    """The bundle's search arrays from a run's distinct-text embeddings.

    `selected` are the message rows that were embedded, `inverse[i]` the distinct text of
    `selected[i]`, `topics` every message row's group id.
    """
    vectors = l2_normalize(embeddings)
    index = np.full(n_messages, -1, dtype=np.int32)
    index[np.asarray(selected)] = np.asarray(inverse, dtype=np.int32)
    centroids = group_centroids(vectors, index, np.asarray(topics))
    return {
        TEXT_VECTORS_FILE: vectors.astype(VECTOR_DTYPE),
        TEXT_INDEX_FILE: index,
        CENTROIDS_FILE: centroids.astype(VECTOR_DTYPE),
    }


def vectors_meta(model_name: str, fingerprint: str | None, arrays: dict[str, np.ndarray]) -> dict:
    """meta.json's `vectors` section: which model made them, so search embeds queries alike."""
    vectors = arrays[TEXT_VECTORS_FILE]
    return {
        "model": model_name,
        "fingerprint": fingerprint,
        "dtype": str(vectors.dtype),
        "dim": int(vectors.shape[1]) if vectors.ndim == 2 else 0,
        "texts": int(vectors.shape[0]),
        "files": [TEXT_VECTORS_FILE, TEXT_INDEX_FILE, CENTROIDS_FILE],
    }


@dataclass
class SearchIndex:
    """A bundle's search arrays, checked against its messages table."""

    text_vectors: np.ndarray  # float16 (n_texts, dim)
    text_index: np.ndarray  # int32 (n_messages,)
    centroids: np.ndarray  # float16 (n_topics, dim)
    model: str
    fingerprint: str | None


def load_search_index(bundle: Bundle) -> SearchIndex:
    """The bundle's search arrays, or one clear BundleError saying how to get them."""
    info = bundle.meta.get("vectors")
    vectors = bundle.array(TEXT_VECTORS_FILE)
    index = bundle.array(TEXT_INDEX_FILE)
    if not isinstance(info, dict) or vectors is None or index is None:
        raise BundleError(
            f"{bundle.path} keeps no message vectors (made by an older twitchtopics): "
            "run `twitchtopics cluster` on the log again to search it"
        )
    n = len(bundle.messages)
    if index.ndim != 1 or len(index) != n or vectors.ndim != 2:
        raise BundleError(f"{bundle.path}: search arrays do not match its {n} messages")
    if len(index) and int(index.max(initial=-1)) >= len(vectors):
        raise BundleError(f"{bundle.path}: {TEXT_INDEX_FILE} points past {TEXT_VECTORS_FILE}")
    centroids = bundle.array(CENTROIDS_FILE)
    if centroids is None or centroids.ndim != 2 or centroids.shape[1] != vectors.shape[1]:
        topics = bundle.messages["topic"].fillna(-1).astype(int).to_numpy()
        centroids = group_centroids(vectors, index, topics).astype(VECTOR_DTYPE)
    return SearchIndex(
        text_vectors=vectors,
        text_index=index.astype(np.int64),
        centroids=centroids,
        model=str(info.get("model") or bundle.meta.get("model") or ""),
        fingerprint=info.get("fingerprint"),
    )


def describe_vectors(info: dict[str, Any] | None) -> str:
    """One line on what a bundle keeps for search (for messages and errors)."""
    if not info:
        return "no vectors"
    return f"{info.get('texts', 0):,} text vectors ({info.get('dtype')}, dim {info.get('dim')})"


__all__ = [
    "SearchIndex",
    "describe_vectors",
    "group_centroids",
    "l2_normalize",
    "load_search_index",
    "search_arrays",
    "vectors_meta",
]
