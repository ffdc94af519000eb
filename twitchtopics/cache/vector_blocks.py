"""Remember all the vectors of a log's distinct texts as one block, for models whose vectors
are not cached text by text.

The packaged static model encodes faster than the per-text SQLite cache can store and read
its vectors (`embed.static.PackagedStaticEmbedder.cache_vectors`), so every run encoded
every distinct text again: on the 10k benchmark log that was 0.2 s of a 0.7 s warm rerun
(issue 17 asks a warm rerun for under 10 % of the cold one). One `.npy` per model
fingerprint and exact list of distinct texts, under `<cache>/vector-blocks/`, is read back
in milliseconds. Written atomically, read without pickle; an entry of the wrong shape is
recomputed, never trusted. float32 as computed, so a warm run groups exactly the same
vectors as the cold one.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

BLOCK_VERSION = "1"


def block_key(fingerprint: str, texts: Sequence[str]) -> str:
    """A hex digest of the model's fingerprint and the texts, in order."""
    digest = hashlib.sha256(f"{BLOCK_VERSION}\0{fingerprint}\0{len(texts)}\0".encode())
    for text in texts:
        digest.update(text.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


def entry_path(cache_dir: str | os.PathLike[str], key: str) -> Path:
    return Path(cache_dir) / "vector-blocks" / f"{key}.npy"


def load_block(
    cache_dir: str | os.PathLike[str], key: str, shape: tuple[int, int]
) -> np.ndarray | None:
    """The cached float32 block for `key`, or None (missing, unreadable, or not `shape`)."""
    from twitchtopics.safe_output import load_array_entry

    cached = load_array_entry(entry_path(cache_dir, key))
    if cached is not None and cached.shape == shape and cached.dtype == np.float32:
        return cached
    return None


def save_block(cache_dir: str | os.PathLike[str], key: str, vectors: np.ndarray) -> None:
    """Store an entry atomically; a cache that cannot be written only costs speed."""
    from twitchtopics.safe_output import save_array_entry

    save_array_entry(entry_path(cache_dir, key), np.ascontiguousarray(vectors, dtype=np.float32))
