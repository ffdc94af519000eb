"""Remember a log's grouping on disk, so that a second run on the same input skips clustering.

Clustering is deterministic given its exact inputs: the distinct texts, their embeddings,
which text and which time each message has, the clustering settings and the code. The
`grouping_key` hashes all of them (with the package version and `GROUPING_VERSION`, to bump
whenever the clustering changes its results); an entry holds each clustered message's group,
silhouette and centrality, and the few learned values the bundle records. A second run on the
same log then costs reading, embedding lookups, keywords and writing: the ~25 % (or less) of
the first run that issue 6 asks for, at every size (on 1M messages Ward and the silhouettes
are most of a run).

Entries are `.npz` files under `<cache>/groupings/`, written atomically (temporary file, then
rename) and read with `allow_pickle=False`; an unreadable or mismatched entry is recomputed,
never trusted. `--no-cache` neither reads nor writes them.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from twitchtopics.cache.folder import add_library_versions

GROUPING_VERSION = "2026-12-03.1"
"""Version of everything that decides a grouping (features, reduction, Ward cut, themes,
reaction rules, the built-in clusterers). Bump it in the same commit as any change that can
change a grouping's labels, silhouettes, centrality or themes: it is part of every cached
grouping's key, so entries written by other code are never read. An explicit version, not a
hash of module sources, so that moving or tidying code does not void every cache (issue 15)."""

GROUPING_LIBRARIES = (
    "numpy",
    "scipy",
    "scikit-learn",
    "umap-learn",
    "pynndescent",
    "numba",
    "hdbscan",
)
"""Libraries whose version is part of the key."""


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A digest of the grouping version and the versions of the libraries that compute it."""

    digest = hashlib.sha256(f"twitchtopics-grouping=={GROUPING_VERSION}\0".encode())
    add_library_versions(digest, GROUPING_LIBRARIES)
    return digest.hexdigest()


@dataclass
class Grouping:
    """The clustering's result for the messages it was given (in their order)."""

    labels: np.ndarray
    silhouette: np.ndarray
    centrality: np.ndarray
    silhouette_method: str
    time_scale: float | None
    min_cluster_size: int
    themes: np.ndarray | None = None
    """Theme of each message (-1 where its group is -1); None when not computed."""


def grouping_key(
    texts: Sequence[str],
    embeddings: np.ndarray,
    inverse: np.ndarray,
    offsets: np.ndarray,
    settings: dict,
    version: str,
    *,
    users: np.ndarray | None = None,
) -> str:
    """A hex digest of everything a grouping depends on (`users`: each message's chatter
    code, when the grouping saw them)."""
    digest = hashlib.sha256()
    header = {"version": version, "code": code_fingerprint(), "settings": settings}
    digest.update(json.dumps(header, sort_keys=True, default=str).encode())
    for text in texts:
        digest.update(text.encode("utf-8", "surrogatepass") + b"\0")
    for array, dtype in ((embeddings, np.float32), (inverse, np.int64), (offsets, np.float64)):
        data = np.ascontiguousarray(array, dtype=dtype)
        digest.update(repr(data.shape).encode())
        digest.update(data.tobytes())
    if users is not None:
        data = np.ascontiguousarray(users, dtype=np.int64)
        digest.update(b"users" + repr(data.shape).encode())
        digest.update(data.tobytes())
    return digest.hexdigest()


def entry_path(cache_dir: Path, key: str) -> Path:
    return Path(cache_dir) / "groupings" / f"{key}.npz"


def load_grouping(cache_dir: Path, key: str, n_messages: int) -> Grouping | None:
    """The cached grouping for `key`, or None (missing, unreadable, or not `n_messages` long)."""
    try:
        with np.load(entry_path(cache_dir, key), allow_pickle=False) as data:
            info = json.loads(str(data["info"]))
            grouping = Grouping(
                labels=data["labels"].astype(np.int64),
                silhouette=data["silhouette"].astype(np.float64),
                centrality=data["centrality"].astype(np.float64),
                silhouette_method=str(info["silhouette_method"]),
                time_scale=None if info["time_scale"] is None else float(info["time_scale"]),
                min_cluster_size=int(info["min_cluster_size"]),
                themes=data["themes"].astype(np.int64) if "themes" in data.files else None,
            )
    except FileNotFoundError:
        return None
    except Exception:  # truncated, not a zip, wrong fields: recompute, and heal the entry
        with contextlib.suppress(OSError):
            entry_path(cache_dir, key).unlink()
        return None
    arrays = (grouping.labels, grouping.silhouette, grouping.centrality)
    if any(a.shape != (n_messages,) for a in arrays):
        return None
    if grouping.themes is not None and grouping.themes.shape != (n_messages,):
        return None
    return grouping


def save_grouping(cache_dir: Path, key: str, grouping: Grouping) -> None:
    """Store an entry atomically; a cache that cannot be written only costs speed."""
    path = entry_path(cache_dir, key)
    info = {
        "silhouette_method": grouping.silhouette_method,
        "time_scale": grouping.time_scale,
        "min_cluster_size": grouping.min_cluster_size,
    }
    from twitchtopics.safe_output import atomic_save

    def write(handle: Any) -> None:
        np.savez(
            handle,
            labels=grouping.labels.astype(np.int64),
            silhouette=grouping.silhouette.astype(np.float64),
            centrality=grouping.centrality.astype(np.float64),
            info=np.array(json.dumps(info)),
            **({} if grouping.themes is None else {"themes": grouping.themes.astype(np.int64)}),
        )

    try:  # temporary file, fsync, rename: a crash never leaves a half entry
        atomic_save(path, write)
    except OSError:
        pass  # a read-only cache only costs speed
