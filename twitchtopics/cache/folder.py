"""The tool's one cache folder: embeddings, UMAP reductions and groupings all live under it.

``$TWITCHTOPICS_CACHE_DIR`` when set (what tests and benchmarks use to stay isolated), else
the platform's user cache folder (``~/.cache/twitchtopics`` on Linux).
"""

from __future__ import annotations

import os
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
