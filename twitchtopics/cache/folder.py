"""The tool's one cache folder: read logs, embeddings, UMAP reductions, groupings, labels and
descriptions all live under it.

``$TWITCHTOPICS_CACHE_DIR`` when set (what tests and benchmarks use to stay isolated), else
the platform's user cache folder (``~/.cache/twitchtopics`` on Linux).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

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


def package_root() -> Path:
    """The `twitchtopics` package folder: where the sources a cache key hashes live."""
    return Path(__file__).resolve().parents[1]


def code_fingerprint(
    modules: Sequence[str], folders: Sequence[str], libraries: Iterable[str]
) -> str | None:
    """A digest of the code that computes a cache's entries: the package's version, the
    `libraries`' versions and the bytes of the `modules`, of every `.py` file under the
    `folders` and of the package's data files (`data/*.txt`: stop words, emotes, filler).
    None when the sources cannot be read (a zipped install): then the caller caches nothing.

    A hash of the sources rather than a version to bump by hand (as
    `groupings.GROUPING_VERSION` is): a miss costs seconds while a stale entry would be a
    wrong result, and several people change the code."""
    from twitchtopics._version import __version__

    root = package_root()
    sources = [root / folder for folder in folders]
    files = [root / name for name in modules]
    files += [path for folder in sources for path in sorted(folder.rglob("*.py"))]
    if len(files) == len(modules):
        return None  # no sources to hash
    files += sorted(p for p in (root / "data").iterdir() if p.suffix == ".txt")
    digest = hashlib.sha256(f"twitchtopics=={__version__}\0".encode())
    add_library_versions(digest, libraries)
    return files_digest(digest, root, files)


def files_digest(digest: Any, root: Path, files: list[Path]) -> str | None:
    """`digest` updated with each file's path under `root` and its bytes, in the order given;
    its hex digest, or None when a file cannot be read."""
    try:
        for path in files:
            digest.update(f"{path.relative_to(root).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def prune_entries(folder: Path, pattern: str, max_bytes: int, *, keep: Path) -> None:
    """Remove the entries (files matching `pattern`) used longest ago until they fit in
    `max_bytes`; `keep` (the entry just written) stays. Another process removing one first
    is fine."""
    entries = []
    for path in folder.glob(pattern):
        with contextlib.suppress(OSError):
            stat = path.stat()
            entries.append((stat.st_mtime_ns, path.name, stat.st_size, path))
    total = sum(size for _, _, size, _ in entries)
    for _, _, size, path in sorted(entries):
        if total <= max_bytes:
            break
        if path == keep:
            continue
        with contextlib.suppress(OSError):
            path.unlink()
        total -= size
