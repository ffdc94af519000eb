"""Remember what reading a log gave, so that a rerun on the same file skips the reader.

Reading is most of a warm rerun at scale: 5.7-7.6 s of the 1M-message speed log's 30 s
(`benchmarks/speed.py`), the CSV parse, the time column and the chat kinds, against about
1 s to load its entry here. What a read gives is a pure function of the file's bytes, the
path as given (it is `LogInfo.path`, and some names carry the stream's date), the read
options and the reader code, and the key hashes all four:

* the bytes as `readers.log_bytes` reads them, which are then handed to the reader, so the
  entry always belongs to the bytes that were read (a live log growing meanwhile included);
* the path, the format, the columns, the start, the zone and the extra bots;
* the source of the readers, the chat rules they apply (kinds, emotes) and their data files,
  with the package's and numpy's, pandas' and pyarrow's versions (`folder.code_fingerprint`).

An entry is a `.npz` under `<cache>/logs/`, written atomically and read without pickle: each
string column as its distinct values (one UTF-8 buffer and their lengths) and a code per row,
the emotes as a flat list and a count per row, the times as int64 in their unit (UTC for a
zoned column, with the zone's name), `LogInfo` as JSON. A table is stored only when its entry, decoded again, gives back the same table and the
same `LogInfo` (values, dtypes, zones): anything this format cannot hold exactly (a text that
is not a str, a zone without a name) is simply not cached. An unreadable entry is removed and
the log read again. The folder holds at most `MAX_BYTES`: the entries used longest ago are
removed first. `--no-cache` neither reads nor writes them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import io
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from twitchtopics.cache import folder
from twitchtopics.readers import ChatLog, LogInfo, check_format, log_bytes, read_log

__all__ = ["read_log_cached"]

FORMAT = 1
"""The entry layout's version (what `_encode_frame` writes), part of the key."""
CODE_FOLDERS = ("readers", "chat")
"""Folders of `twitchtopics` whose modules reading runs (all `.py` files, recursively)."""
CODE_MODULES = ("errors.py", "timefmt.py", "options.py", "memory.py")
"""Single modules the readers import."""
LIBRARIES = ("numpy", "pandas", "pyarrow")
MAX_BYTES = 1 << 30
"""The read cache's size on disk, at most; the entries used longest ago go first. An entry
takes about 35-60 bytes per message (the 1M speed log: 35 MB), so 1 GiB keeps a season of
a hundred 100k-message streams; a miss costs one read (5.8 s for 1M messages)."""
TIME_KINDS = frozenset(f"times[{unit}]" for unit in ("s", "ms", "us", "ns"))
"""Time columns by unit (the readers' are ns; pandas infers other units elsewhere)."""


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str | None:
    """A digest of the reading code, its data and the libraries' versions; None when the
    sources cannot be read (then nothing is cached)."""
    return folder.code_fingerprint(CODE_MODULES, CODE_FOLDERS, LIBRARIES)


def log_key(raw: bytes, path: str | Path, settings: dict[str, Any]) -> str | None:
    """A hex digest of the bytes, the path, the read settings and the code; None: no cache."""
    code = code_fingerprint()
    if code is None:
        return None
    header = {"format": FORMAT, "code": code, "path": str(path), "settings": settings}
    digest = hashlib.sha256(json.dumps(header, sort_keys=True, default=repr).encode())
    digest.update(hashlib.sha256(raw).digest())  # 69 MB (the 1M log): 0.06 s
    return digest.hexdigest()


def entry_path(cache_dir: str | Path, key: str) -> Path:
    return Path(cache_dir) / "logs" / f"{key}.npz"


def read_log_cached(
    path: str | Path,
    format: str | None = None,
    *,
    cache_dir: str | Path,
    columns: dict[str, str] | None = None,
    start: Any = None,
    tz: str | None = None,
    bots: Iterable[str] = (),
) -> ChatLog:
    """`readers.read_log` through the cache under `cache_dir`: the same `ChatLog`, from the
    entry when this file was read with these settings before."""
    check_format(format)  # before the file, as `read_log` does
    bots = tuple(bots)
    raw = log_bytes(path)
    settings = {"format": format, "columns": columns, "start": start, "tz": tz, "bots": bots}
    key = log_key(raw, path, settings)
    if key is not None:
        cached = load_log(cache_dir, key)
        if cached is not None:
            return cached
    log = read_log(path, format, columns=columns, start=start, tz=tz, bots=bots, raw=raw)
    if key is not None:
        save_log(cache_dir, key, log)
    return log


def load_log(cache_dir: str | Path, key: str) -> ChatLog | None:
    """The `ChatLog` stored under `key`, or None (missing, or damaged: then removed)."""
    from twitchtopics.safe_output import load_entry

    def load(path: Path) -> ChatLog:
        with np.load(path, allow_pickle=False) as entry:
            log = decode_log({name: entry[name] for name in entry.files})
        with contextlib.suppress(OSError):
            os.utime(path)  # used now: the last to be pruned
        return log

    return load_entry(entry_path(cache_dir, key), load)


def save_log(cache_dir: str | Path, key: str, log: ChatLog) -> None:
    """Store `log` atomically when its entry gives it back exactly; else store nothing."""
    from twitchtopics.safe_output import atomic_write_bytes

    entry = _checked_entry(log)
    if entry is None:
        return
    path = entry_path(cache_dir, key)
    with contextlib.suppress(OSError):  # a read-only cache only costs speed
        atomic_write_bytes(path, entry[1])  # the very bytes that were read back and checked
        prune(path.parent, MAX_BYTES, keep=path)


def prune(cache_folder: Path, max_bytes: int, *, keep: Path) -> None:
    """Remove the entries used longest ago until the folder's entries fit in `max_bytes`;
    `keep` (the entry just written) stays."""
    folder.prune_entries(cache_folder, "*.npz", max_bytes, keep=keep)


def encode_log(log: ChatLog) -> dict[str, np.ndarray] | None:
    """The entry's arrays for `log`, or None when decoding them would not give `log` back."""
    entry = _checked_entry(log)
    return None if entry is None else entry[0]


def _checked_entry(log: ChatLog) -> tuple[dict[str, np.ndarray], bytes] | None:
    """The entry's arrays and its npz bytes, or None when reading those bytes back as
    `load_log` does would not give `log` back (the one test of exactness)."""
    try:
        arrays = _encode_frame(log.messages)
        if arrays is None:
            return None
        arrays["info"] = _json_array(_plain_info(log.info))
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        buffer.seek(0)
        with np.load(buffer, allow_pickle=False) as entry:
            again = decode_log({name: entry[name] for name in entry.files})
    except (TypeError, ValueError, KeyError, OverflowError, UnicodeError):
        return None
    return (arrays, buffer.getvalue()) if _same_log(log, again) else None


def decode_log(arrays: dict[str, np.ndarray]) -> ChatLog:
    """The `ChatLog` an entry holds; `ValueError` and friends when it is damaged."""
    info = {name: _unplain(value) for name, value in _from_json_array(arrays["info"]).items()}
    return ChatLog(messages=_decode_frame(arrays), info=LogInfo(**info))


def _same_log(a: ChatLog, b: ChatLog) -> bool:
    ma, mb = a.messages, b.messages
    return (
        list(ma.columns) == list(mb.columns)
        and [_dtype_facts(ma[c]) for c in ma.columns] == [_dtype_facts(mb[c]) for c in mb.columns]
        and type(ma.index) is type(mb.index)
        and ma.equals(mb)
        and a.info == b.info
        and _plain_info(a.info) == _plain_info(b.info)  # with each time's unit and zone
    )


def _plain_info(info: LogInfo) -> dict[str, Any]:
    return {f.name: _plain(getattr(info, f.name)) for f in dataclasses.fields(LogInfo)}


def _dtype_facts(column: pd.Series) -> tuple[str, str]:
    tz = getattr(column.dtype, "tz", None)
    return str(column.dtype), type(tz).__qualname__


# --- the messages table ----------------------------------------------------------------------


def _encode_frame(frame: pd.DataFrame) -> dict[str, np.ndarray] | None:
    """One or a few arrays per column, by what the column holds; None for a column of
    anything else (then the log is not cached)."""
    if not frame.index.equals(pd.RangeIndex(len(frame))):
        return None
    arrays: dict[str, np.ndarray] = {}
    layout = []
    for position, name in enumerate(frame.columns):
        column = frame[name]
        prefix = f"c{position}"
        kind = _encode_column(column, prefix, arrays)
        if kind is None:
            return None
        tz = getattr(column.dtype, "tz", None)
        layout.append({"name": name, "kind": kind, "tz": None if tz is None else str(tz)})
    arrays["layout"] = _json_array({"rows": len(frame), "columns": layout})
    return arrays


def _encode_column(column: pd.Series, prefix: str, arrays: dict[str, np.ndarray]) -> str | None:
    dtype = column.dtype
    if dtype == np.int64 or dtype == np.float64:
        arrays[prefix] = column.to_numpy()
        return "numbers"
    if isinstance(dtype, pd.DatetimeTZDtype):
        column = column.dt.tz_convert("UTC").dt.tz_localize(None)
        dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "M":
        arrays[prefix] = column.to_numpy().view(np.int64)
        return f"times[{np.datetime_data(dtype)[0]}]"
    if not isinstance(dtype, np.dtype) or dtype.kind != "O":
        return None
    values = column.tolist()
    types = set(map(type, values))  # one pass in C: 1M texts 0.03 s, a test per value 0.3 s
    if types == {str}:
        _put_strings(values, prefix, arrays)
        return "strings"
    if types == {list}:
        flat = [item for items in values for item in items]
        if set(map(type, flat)) - {str}:
            return None
        arrays[f"{prefix}.counts"] = np.fromiter(map(len, values), np.int64, len(values))
        _put_strings(flat, prefix, arrays)
        return "lists"
    return None


def _decode_frame(arrays: dict[str, np.ndarray]) -> pd.DataFrame:
    layout = _from_json_array(arrays["layout"])
    rows = int(layout["rows"])
    data: dict[str, Any] = {}
    for position, column in enumerate(layout["columns"]):
        prefix, kind = f"c{position}", column["kind"]
        if kind == "numbers":
            values: Any = arrays[prefix]
        elif kind in TIME_KINDS:
            values = pd.Series(arrays[prefix].astype(np.int64).view(f"datetime64[{kind[6:-1]}]"))
            if column["tz"] is not None:
                values = values.dt.tz_localize("UTC").dt.tz_convert(column["tz"])
        elif kind == "strings":
            values = pd.Series(_take_strings(prefix, arrays), dtype=object)
        elif kind == "lists":
            values = pd.Series(_split_lists(prefix, arrays), dtype=object)
        else:
            raise ValueError(f"unknown column kind {kind!r}")
        if len(values) != rows:
            raise ValueError("a column of the wrong length")
        data[column["name"]] = values
    return pd.DataFrame(data, columns=[c["name"] for c in layout["columns"]])


def _put_strings(values: list[str], prefix: str, arrays: dict[str, np.ndarray]) -> None:
    """Strings as their distinct values (UTF-8, lone surrogates kept) and a code per value:
    a table's user, text and kind columns repeat (1M messages: 47k distinct texts)."""
    codes, distinct = pd.factorize(np.array(values, dtype=object), use_na_sentinel=False)
    lengths = np.fromiter(map(len, distinct), np.int64, len(distinct))
    text = "".join(distinct).encode("utf-8", "surrogatepass")
    arrays[f"{prefix}.codes"] = codes.astype(np.int64)
    arrays[f"{prefix}.lengths"] = lengths
    arrays[f"{prefix}.utf8"] = np.frombuffer(text, dtype=np.uint8)


def _distinct_strings(prefix: str, arrays: dict[str, np.ndarray]) -> np.ndarray:
    text = arrays[f"{prefix}.utf8"].tobytes().decode("utf-8", "surrogatepass")
    ends = np.cumsum(arrays[f"{prefix}.lengths"])
    if len(ends) and int(ends[-1]) != len(text):
        raise ValueError("string lengths do not match their text")
    starts = ends - arrays[f"{prefix}.lengths"]
    out = np.empty(len(ends), dtype=object)
    out[:] = [text[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
    return out


def _take_strings(prefix: str, arrays: dict[str, np.ndarray]) -> np.ndarray:
    distinct = _distinct_strings(prefix, arrays)
    codes = arrays[f"{prefix}.codes"]
    if len(codes) and (codes.min() < 0 or codes.max() >= len(distinct)):
        raise ValueError("string codes out of range")
    return distinct[codes]


def _split_lists(prefix: str, arrays: dict[str, np.ndarray]) -> list[list[str]]:
    flat = _take_strings(prefix, arrays).tolist()
    counts = arrays[f"{prefix}.counts"]
    if int(counts.sum()) != len(flat) or (counts < 0).any():
        raise ValueError("list counts do not match their items")
    out: list[list[str]] = [[] for _ in range(len(counts))]
    ends = np.cumsum(counts)
    for row in np.flatnonzero(counts).tolist():  # most messages have no emote
        out[row] = flat[int(ends[row] - counts[row]) : int(ends[row])]
    return out


# --- LogInfo as JSON -------------------------------------------------------------------------


def _json_array(value: Any) -> np.ndarray:
    return np.frombuffer(json.dumps(value, ensure_ascii=True).encode("ascii"), dtype=np.uint8)


def _from_json_array(array: np.ndarray) -> Any:
    return json.loads(array.tobytes().decode("ascii"))


def _plain(value: Any) -> Any:
    """`value` as JSON, tagged where JSON has no such type (`TypeError` for the unknown)."""
    if value is None or type(value) in (str, int, float, bool):
        return value
    if isinstance(value, pd.Timestamp):
        tz = None if value.tz is None else str(value.tz)
        return {"$time": int(value.value), "unit": value.unit, "tz": tz}
    if isinstance(value, (set, frozenset)):
        return {"$set": [_plain(v) for v in sorted(value)]}
    if isinstance(value, tuple):
        return {"$tuple": [_plain(v) for v in value]}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    raise TypeError(f"no JSON form for {type(value).__name__}")


def _unplain(value: Any) -> Any:
    if isinstance(value, list):
        return [_unplain(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "$time" in value:
        stamp = pd.Timestamp(int(value["$time"])).as_unit(value["unit"])
        return stamp if value["tz"] is None else stamp.tz_localize("UTC").tz_convert(value["tz"])
    if "$set" in value:
        return {_unplain(v) for v in value["$set"]}
    if "$tuple" in value:
        return tuple(_unplain(v) for v in value["$tuple"])
    raise ValueError("an unknown tagged value")
