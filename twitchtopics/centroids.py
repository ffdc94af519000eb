"""Each group's mean text embedding, kept in the bundle so that later steps never re-embed.

`centroids.npy` holds one row per group, in ascending topic id order (n_topics x dim), the
L2-normalised mean of the model's embeddings of the group's messages (one per message, so a
text repeated 50 times weighs 50), stored as float16: 0.75 KB per group with MiniLM, a
cosine within 1e-3 of float32's. Read back with `allow_pickle=False` (a bundle is untrusted
input). Linking a season's themes (`twitchtopics.season`) compares these rows.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

CENTROIDS_FILE = "centroids.npy"


def topic_centroids(
    embeddings: np.ndarray, inverse: np.ndarray, labels: np.ndarray, topic_ids: list[int]
) -> np.ndarray:
    """Row i = normalised mean embedding of the messages labelled `topic_ids[i]`.

    `embeddings` holds one row per distinct text, `inverse[m]` is message m's row and
    `labels[m]` its group (-1 = none)."""
    from scipy import sparse

    labels = np.asarray(labels)
    row_of = {int(t): i for i, t in enumerate(topic_ids)}
    keep = np.flatnonzero(labels >= 0)
    rows = np.array([row_of[int(t)] for t in labels[keep]], dtype=np.int64)
    counts = sparse.coo_matrix(
        (np.ones(len(keep), dtype=np.float64), (rows, np.asarray(inverse)[keep])),
        shape=(len(topic_ids), len(embeddings)),
    ).tocsr()
    sums = np.asarray(counts @ np.asarray(embeddings, dtype=np.float64))
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return (sums / np.where(norms > 0, norms, 1.0)).astype(np.float16)


def load_centroids(bundle: str | os.PathLike[str]) -> np.ndarray | None:
    """The bundle's centroids, or None when it has none (bundles written before them)."""
    path = Path(bundle) / CENTROIDS_FILE
    if not path.is_file():
        return None
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, OSError):
        return None
