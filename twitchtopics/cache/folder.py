"""The tool's one cache folder: embeddings, UMAP reductions and groupings all live under it.

``$TWITCHTOPICS_CACHE_DIR`` when set (what tests and benchmarks use to stay isolated), else
the platform's user cache folder (``~/.cache/twitchtopics`` on Linux).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

CACHE_DIR_ENV = "TWITCHTOPICS_CACHE_DIR"


def cache_dir() -> Path:
    """The tool's cache folder: ``$TWITCHTOPICS_CACHE_DIR`` or the platform's user cache dir."""
    env = os.environ.get(CACHE_DIR_ENV)
    if env:
        return Path(env).expanduser()
    try:
        import platformdirs
    except ImportError:  # pragma: no cover - platformdirs is a dependency
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        return Path(base) / "twitchtopics"
    return Path(platformdirs.user_cache_dir("twitchtopics"))


def add_library_versions(digest, libraries: Iterable[str]) -> None:
    """Feed ``name==version`` of each library into a hash (``-`` when not installed): a cache
    key that changes when a library that computes the cached result is upgraded."""
    from importlib import metadata

    for library in libraries:
        try:
            version = metadata.version(library)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{library}=={version}\0".encode())
