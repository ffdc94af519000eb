"""Remember what the describe step said about a clustered table, so a rerun skips it.

Describing the groups (keywords, labels, representatives, categories, tallies, themes) was
most of a rerun on a warm cache: 4.6 s of 7.9 s on 10k messages (`benchmarks/speed.py`), the
rest start-up, reading and writing. It is a pure function of the clustered messages table,
the log's emotes, the number of keywords and the describe code, and the key hashes all four:

* every column of the table, values and dtypes (not only the ones today's code reads, so a
  describe change that starts reading another column cannot meet a stale entry);
* the emotes and `top_n`;
* the source of every module the step runs and the data files it reads (stop words, emotes,
  filler), with the package's version and those of numpy, pandas and scipy. A hash of the
  sources rather than a version to bump by hand (as `groupings.GROUPING_VERSION` is): a miss
  costs seconds, a stale description would be a wrong bundle, and several people change the
  describe code. Without readable sources (a zipped install) nothing is cached.

Only the built-in describer is cached (an object's settings are unknown to the key). Entries
are JSON files under `<cache>/descriptions/`, written atomically; an unreadable entry is
removed and recomputed. `--no-cache` neither reads nor writes them.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from twitchtopics.cache import folder

__all__ = ["description_key", "load_description", "save_description"]

CODE_PACKAGES = ("describe", "chat")
"""Folders of `twitchtopics` whose modules the describe step runs (all of their `.py` files)."""
CODE_MODULES = ("pipeline.py", "components.py")
"""Single modules on the path: `pipeline.describe_all` and the built-in describer."""
LIBRARIES = ("numpy", "pandas", "scipy")


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str | None:
    """A digest of the describe code, its data and the libraries' versions; None when the
    sources cannot be read (then nothing is cached)."""
    return folder.code_fingerprint(CODE_MODULES, CODE_PACKAGES, LIBRARIES)


def _column_bytes(values: pd.Series) -> list[bytes]:
    """One column's values as bytes that tell any two different columns apart."""
    array = values.array
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return [np.ascontiguousarray(array.asi8).tobytes()]  # type: ignore[union-attr]
    numpy = values.to_numpy()
    if numpy.dtype.kind in "biufcmM":
        return [np.ascontiguousarray(numpy).tobytes()]
    items = numpy.tolist()
    if pd.api.types.infer_dtype(numpy, skipna=False) == "string":
        # every value a str (the text columns): the same bytes without a test per value,
        # 3.7 -> 0.5 s for the 1M-message speed log's key
        texts = items
        kinds = np.ones(len(items), dtype=np.bool_)
    elif all(type(v) is list or (type(v) is np.ndarray and v.ndim) for v in items):
        # a list per message (the emotes column), mostly empty: "[]" is what `_other` writes
        # for an empty one; 1.07 -> 0.1 s on the 1M log
        texts = ["[]"] * len(items)
        for i in np.flatnonzero(np.fromiter(map(len, items), dtype=np.int64, count=len(items))):
            texts[i] = _other(items[i])
        kinds = np.zeros(len(items), dtype=np.bool_)
    else:
        texts = [v if isinstance(v, str) else _other(v) for v in items]
        kinds = np.fromiter((isinstance(v, str) for v in items), dtype=np.bool_, count=len(items))
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    return [kinds.tobytes(), lengths.tobytes(), "".join(texts).encode("utf-8", "surrogatepass")]


def _other(value: Any) -> str:
    """A value of an object column that is not a string (None, NaN, a list of emotes)."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    return repr(value)


def description_key(messages: pd.DataFrame, known_emotes: frozenset[str], top_n: int) -> str | None:
    """A hex digest of everything the describe step depends on; None: do not cache."""
    code = code_fingerprint()
    if code is None:
        return None
    digest = hashlib.sha256()
    header = {
        "code": code,
        "top_n": int(top_n),
        "emotes": sorted(known_emotes),
        "columns": [[str(c), str(messages[c].dtype)] for c in messages.columns],
        "rows": len(messages),
    }
    digest.update(json.dumps(header, sort_keys=True).encode())
    for column in messages.columns:
        for part in _column_bytes(messages[column]):
            digest.update(len(part).to_bytes(8, "little"))
            digest.update(part)
    return digest.hexdigest()


def entry_path(cache_dir: Path, key: str) -> Path:
    return Path(cache_dir) / "descriptions" / f"{key}.json"


def load_description(cache_dir: Path, key: str) -> tuple[list[dict], list[dict]] | None:
    """(topics, themes) stored under `key`, or None (missing or unreadable: then removed)."""
    path = entry_path(cache_dir, key)
    try:
        entry = json.loads(path.read_bytes().decode("ascii"))
        topics, themes = entry["topics"], entry["themes"]
        if not (isinstance(topics, list) and isinstance(themes, list)):
            raise ValueError("not lists")
        if not all(isinstance(t, dict) for t in topics + themes):
            raise ValueError("not entries")
    except FileNotFoundError:
        return None
    except Exception:  # truncated, not JSON, wrong fields: recompute, and heal the entry
        with contextlib.suppress(OSError):
            path.unlink()
        return None
    return topics, themes


def save_description(cache_dir: Path, key: str, topics: list[dict], themes: list[dict]) -> None:
    """Store an entry atomically; a cache that cannot be written only costs speed."""
    from twitchtopics.safe_output import atomic_save

    try:  # ASCII JSON: chat's lone surrogates and every float come back exactly
        text = json.dumps({"topics": topics, "themes": themes}, allow_nan=True)
    except (TypeError, ValueError):  # a value JSON cannot hold: leave it uncached
        return

    def write(handle: Any) -> None:
        handle.write(text.encode("ascii"))

    with contextlib.suppress(OSError):
        atomic_save(entry_path(cache_dir, key), write)
