"""The on-disk embedding cache: one SQLite file of vectors keyed by model and text.

``EmbeddingCache`` is safe against concurrent runs (WAL, one ``BEGIN IMMEDIATE`` transaction
per batch, retries when SQLite reports busy) and interrupted writes (rolled back by SQLite);
a corrupted file is moved aside and rebuilt, and a cache that cannot be used at all only
costs speed (a ``CacheWarning``, never an error).

The file lives in the tool's one cache folder (``cache/folder.py``: ``cache_dir``, also
importable from here), which also holds UMAP reductions, groupings and the distilled static
model.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import threading
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from twitchtopics.cache.folder import cache_dir


class CacheWarning(UserWarning):
    """The embedding cache could not be used as is (corrupted, locked, unwritable)."""


def default_cache_path() -> Path:
    """Where the default ``EmbeddingCache`` lives."""
    return cache_dir() / "embeddings.sqlite"


def _text_key(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).digest()


def _move_aside(path: Path) -> Path | None:
    target = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}")
    try:
        os.replace(path, target)
        return target
    except OSError:
        return None


# --------------------------------------------------------------------------------------------
# on-disk cache

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS embeddings ("
    " model TEXT NOT NULL, key BLOB NOT NULL, vec BLOB NOT NULL,"
    " PRIMARY KEY (model, key)) WITHOUT ROWID"
)
_CORRUPT_HINTS = ("not a database", "malformed", "corrupt", "encrypted", "unsupported file format")
_IN_CHUNK = 500  # keys per SELECT ... IN (...)


def _is_busy(err: BaseException) -> bool:
    text = str(err).lower()
    return isinstance(err, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def _is_corruption(err: BaseException) -> bool:
    msg = str(err).lower()
    return isinstance(err, sqlite3.DatabaseError) and any(h in msg for h in _CORRUPT_HINTS)


class EmbeddingCache:
    """Embeddings on disk, keyed by (model fingerprint, sha1 of the text).

    One SQLite file (WAL mode, ``embeddings(model, key, vec)`` with ``vec`` the raw float32
    bytes of a row): concurrent runs share it safely (writes are ``INSERT OR IGNORE`` in one
    ``BEGIN IMMEDIATE`` transaction per batch; an interrupted write is rolled back by SQLite).
    A corrupted file is moved aside to ``<name>.corrupt-<time>-<pid>`` with a ``CacheWarning``
    and a fresh one is started; any other failure (locked for too long, unwritable folder)
    gives a ``CacheWarning`` and the cache is skipped for the rest of the run. It never raises
    from ``get_many``/``put_many``. No pickle anywhere.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, timeout: float = 60.0):
        self.path = Path(path) if path is not None else default_cache_path()
        self.timeout = timeout
        self._conn: sqlite3.Connection | None = None
        self._ino: int | None = None
        self._lock = threading.RLock()
        self.disabled = False
        self.read_only = False  # a read-only folder: vectors read, none written

    # connection management
    def _connect(self) -> sqlite3.Connection:
        if self._conn is not None:
            return self._conn
        if self.path.is_file() and not os.access(self.path.parent, os.W_OK):
            return self._connect_read_only()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            str(self.path), timeout=self.timeout, isolation_level=None, check_same_thread=False
        )
        try:
            conn.execute(f"PRAGMA busy_timeout={int(self.timeout * 1000)}")
            conn.execute("PRAGMA journal_mode=WAL").fetchone()
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(_SCHEMA)
            conn.execute("SELECT 1 FROM embeddings LIMIT 1").fetchall()
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        with contextlib.suppress(OSError):
            self._ino = self.path.stat().st_ino
        return conn

    def _connect_read_only(self) -> sqlite3.Connection:
        """A read-only folder: WAL cannot create its ``-shm`` file, so open the database as
        immutable. Cached vectors are still used; new ones are not saved (said once)."""
        from urllib.parse import quote

        uri = f"file:{quote(str(self.path.resolve()))}?mode=ro&immutable=1"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("SELECT 1 FROM embeddings LIMIT 1").fetchall()
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        if not self.read_only:
            self.read_only = True
            warnings.warn(
                f"embedding cache folder {self.path.parent} is read-only: cached vectors are "
                "used, new ones are not saved",
                CacheWarning,
                stacklevel=5,
            )
        return conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                with contextlib.suppress(Exception):
                    self._conn.close()
            self._conn = None

    def __enter__(self) -> EmbeddingCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:  # pragma: no cover - best effort
        with contextlib.suppress(Exception):
            self.close()

    def _recover(self, err: BaseException) -> bool:
        """After a corruption error: move the file aside (unless another process already
        replaced it) so that the next connection starts a new one. True if worth retrying."""
        self.close()
        try:
            ino = self.path.stat().st_ino
        except OSError:
            ino = None
        if ino is not None and self._ino is not None and ino != self._ino:
            self._ino = None
            return True  # someone else already replaced the file
        moved = _move_aside(self.path)
        for suffix in ("-wal", "-shm"):
            side = Path(str(self.path) + suffix)
            if side.exists():
                target = Path(str(moved) + suffix) if moved else None
                with contextlib.suppress(OSError):
                    if target is not None:
                        os.replace(side, target)
                    else:
                        side.unlink()
        where = f"moved it to {moved.name}" if moved else "could not move it"
        warnings.warn(
            f"embedding cache {self.path} is corrupted ({err}); {where} and started a new one",
            CacheWarning,
            stacklevel=4,
        )
        self._ino = None
        return True

    def _run(self, what: str, fn: Any, default: Any) -> Any:
        """Run ``fn(conn)`` with corruption recovery; never raises (returns ``default``)."""
        if self.disabled:
            return default
        with self._lock:
            recovered = False
            deadline = time.monotonic() + self.timeout
            pause = 0.02
            while True:
                try:
                    return fn(self._connect())
                except sqlite3.DatabaseError as e:
                    if not recovered and _is_corruption(e) and self._recover(e):
                        recovered = True
                        continue
                    if _is_busy(e) and time.monotonic() < deadline:
                        # SQLite skips the busy handler in a few cases (a journal-mode switch,
                        # WAL recovery by another connection): wait and try again
                        time.sleep(pause)
                        pause = min(1.0, pause * 2)
                        continue
                    err: BaseException = e
                except (OSError, ValueError) as e:
                    err = e
                self.close()
                self.disabled = True
                warnings.warn(
                    f"embedding cache {self.path} not used ({what}: {err})",
                    CacheWarning,
                    stacklevel=3,
                )
                return default

    # public API
    def get_many(self, model: str, texts: Sequence[str], dim: int) -> tuple[np.ndarray, np.ndarray]:
        """Vectors of ``texts`` for ``model``: ``(vectors (n, dim) float32, found (n,) bool)``;
        rows not found are zeros."""
        n = len(texts)
        vectors = np.zeros((n, dim), dtype=np.float32)
        found = np.zeros(n, dtype=bool)
        if n == 0:
            return vectors, found
        keys = [_text_key(t) for t in texts]
        nbytes = dim * 4

        def fetch(conn: sqlite3.Connection) -> dict[bytes, bytes]:
            rows: dict[bytes, bytes] = {}
            for s in range(0, n, _IN_CHUNK):
                part = keys[s : s + _IN_CHUNK]
                marks = ",".join("?" * len(part))
                cur = conn.execute(
                    f"SELECT key, vec FROM embeddings WHERE model = ? AND key IN ({marks})",
                    [model, *part],
                )
                rows.update(cur.fetchall())
            return rows

        rows = self._run("read", fetch, {})
        bad: list[bytes] = []
        for i, k in enumerate(keys):
            blob = rows.get(k)
            if blob is None:
                continue
            if len(blob) != nbytes:
                bad.append(k)
                continue
            vectors[i] = np.frombuffer(blob, dtype="<f4")
            found[i] = True
        if bad:

            def drop(conn: sqlite3.Connection) -> None:
                conn.executemany(
                    "DELETE FROM embeddings WHERE model = ? AND key = ?", [(model, k) for k in bad]
                )

            self._run("delete", drop, None)
        return vectors, found

    def put_many(self, model: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Store ``vectors`` (one float32 row per text) for ``model`` in one transaction."""
        if len(texts) == 0:
            return
        if self.read_only or (self._conn is None and self._folder_read_only()):
            return
        arr = np.ascontiguousarray(vectors, dtype="<f4")
        if arr.ndim != 2 or arr.shape[0] != len(texts):
            raise ValueError(f"expected {len(texts)} rows, got shape {arr.shape}")
        rows = [(model, _text_key(t), arr[i].tobytes()) for i, t in enumerate(texts)]

        def write(conn: sqlite3.Connection) -> None:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(
                    "INSERT OR IGNORE INTO embeddings (model, key, vec) VALUES (?, ?, ?)", rows
                )
                conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(Exception):
                    conn.execute("ROLLBACK")
                raise

        self._run("write", write, None)

    def _folder_read_only(self) -> bool:
        """Open (read-only) now when the folder cannot be written, so puts are skipped."""
        if self.path.is_file() and not os.access(self.path.parent, os.W_OK):
            self._run("open", lambda conn: None, None)
        return self.read_only

    def count(self, model: str | None = None) -> int:
        """Number of cached vectors (for one model, or all)."""

        def q(conn: sqlite3.Connection) -> int:
            if model is None:
                return int(conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0])
            return int(
                conn.execute(
                    "SELECT COUNT(*) FROM embeddings WHERE model = ?", (model,)
                ).fetchone()[0]
            )

        return self._run("count", q, 0)

    def clear(self, model: str | None = None) -> None:
        """Forget every vector (of one model, or all)."""

        def q(conn: sqlite3.Connection) -> None:
            if model is None:
                conn.execute("DELETE FROM embeddings")
            else:
                conn.execute("DELETE FROM embeddings WHERE model = ?", (model,))

        self._run("clear", q, None)
