"""Remember UMAP reductions on disk, so that a second run on the same log skips UMAP.

A reduction is deterministic given its exact input (the distinct texts' features) and its
settings (`twitchtopics.clustering.reduction.reduction_settings`): `reduction_key` hashes
both. Entries are plain `.npy` files under `<cache>/reductions/`, written atomically
(temporary file, fsync, rename: a crash never leaves a 0-byte entry) and read without
pickle; an unreadable entry is deleted and recomputed (`twitchtopics.safe_output.load_entry`),
one with the wrong number of rows is recomputed, never trusted.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np


def reduction_key(features: np.ndarray, settings: tuple) -> str:
    """A hex digest of the features (as float32) and the reduction's settings."""
    digest = hashlib.sha256(np.ascontiguousarray(features, dtype=np.float32).tobytes())
    digest.update(repr(settings).encode())
    return digest.hexdigest()


def entry_path(cache_dir: str | os.PathLike[str], key: str) -> Path:
    return Path(cache_dir) / "reductions" / f"{key}.npy"


def load_reduction(cache_dir: str | os.PathLike[str], key: str, n_rows: int) -> np.ndarray | None:
    """The cached reduction for `key`, or None (missing, unreadable, or not `n_rows` long)."""
    from twitchtopics.safe_output import load_array_entry

    cached = load_array_entry(entry_path(cache_dir, key))
    if cached is not None and cached.shape[0] == n_rows:
        return cached
    return None


def save_reduction(cache_dir: str | os.PathLike[str], key: str, reduced: np.ndarray) -> None:
    """Store an entry atomically; a cache that cannot be written only costs speed."""
    from twitchtopics.safe_output import save_array_entry

    save_array_entry(entry_path(cache_dir, key), reduced)
