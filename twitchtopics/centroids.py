"""Each group's mean text embedding, read back from a bundle so that linking never re-embeds.

`centroids.npy` (written with the bundle's search arrays, `twitchtopics.vectors`)
holds one row per group in ascending topic id order (n_topics x dim): the L2-normalised mean
of the model's embeddings of the group's messages, float16. Read with `allow_pickle=False`
(a bundle is untrusted input).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from twitchtopics.bundle import CENTROIDS_FILE

__all__ = ["CENTROIDS_FILE", "load_centroids"]


def load_centroids(bundle: str | os.PathLike[str]) -> np.ndarray | None:
    """The bundle's centroids, or None when it has none (bundles written before them)."""
    path = Path(bundle) / CENTROIDS_FILE
    if not path.is_file():
        return None
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, OSError):
        return None
