"""A pandas DataFrame as a chat log, for the Python API (`ChatTopics.fit(df)`).

Two shapes are accepted:

- a **messages table** as `read_log` returns it (it has `offset_s` and `text`; `time`,
  `user`, `kind`, `emotes` and `index` are filled in when missing, kinds recomputed from
  user and text with the same rules as the readers);
- any **plain table** of chat: it goes through the very code that reads a CSV or Parquet
  log (`twitchtopics.readers.tables`), so columns are found by the same common names
  (time/timestamp/created_at/offset..., user/author/..., message/text/...), or named with
  `columns={"time": ..., "user": ..., "text": ...}`, and times are parsed the same way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from twitchtopics.errors import ReadError

FRAME_FORMAT = "dataframe"
FRAME_PATH = "<DataFrame>"


def log_from_frame(
    frame: pd.DataFrame,
    *,
    columns: dict[str, str] | None = None,
    start: Any = None,
    tz: str | None = None,
    bots: Iterable[str] = (),
) -> Any:
    """A `ChatLog` for `frame` (see the module docstring); ReadError when it holds no chat."""
    if not isinstance(frame, pd.DataFrame):
        raise ReadError(f"expected a pandas DataFrame, not {type(frame).__name__}")
    if len(frame) == 0:
        raise ReadError("the DataFrame has no rows")
    if columns is None and {"offset_s", "text"} <= set(map(str, frame.columns)):
        return _from_messages_table(frame, bots=bots)
    return _from_plain_table(frame, columns=columns, start=start, tz=tz, bots=bots)


def _from_plain_table(
    frame: pd.DataFrame,
    *,
    columns: dict[str, str] | None,
    start: Any,
    tz: str | None,
    bots: Iterable[str],
) -> Any:
    from twitchtopics.readers._base import Rows
    from twitchtopics.readers._build import build
    from twitchtopics.readers.tables.rows import rows_from_columns

    names = [str(c) for c in frame.columns]
    frame = frame.set_axis(names, axis=1)
    data = {
        name: frame[name].astype(object).where(frame[name].notna(), None).tolist() for name in names
    }
    try:
        rows = rows_from_columns(data, list(range(1, len(frame) + 1)), Rows(), columns, FRAME_PATH)
    except ReadError as exc:  # the readers speak to CLI users; say it the Python way
        message = str(exc).replace("--columns time=...,text=...", "fit(df, columns={...})")
        raise ReadError(message.replace("--columns", "columns=")) from None
    return build(rows, path=FRAME_PATH, fmt=FRAME_FORMAT, start=start, tz=tz, bots=bots)


def _from_messages_table(frame: pd.DataFrame, *, bots: Iterable[str]) -> Any:
    from twitchtopics.chat.kinds import assign_kinds
    from twitchtopics.readers._base import ChatLog, LogInfo

    df = frame.reset_index(drop=True).copy()
    offsets = pd.to_numeric(df["offset_s"], errors="coerce").astype(np.float64)
    if not np.isfinite(offsets.to_numpy()).all():
        raise ReadError("the DataFrame's offset_s column holds missing or non-numeric values")
    df["offset_s"] = offsets
    df["text"] = df["text"].astype(object).where(df["text"].notna(), "").astype(str)
    if "user" not in df:
        df["user"] = ""
    df["user"] = df["user"].astype(object).where(df["user"].notna(), "").astype(str)
    if "index" not in df:
        df["index"] = np.arange(len(df), dtype=np.int64)
    if "time" not in df:
        df["time"] = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    if "emotes" not in df:
        df["emotes"] = [[] for _ in range(len(df))]
    df["kind"] = assign_kinds(df, bots=bots)
    df = df.sort_values("offset_s", kind="stable").reset_index(drop=True)
    times = df["time"]
    start = None
    if times.notna().any():
        first = df.loc[times.notna()].iloc[0]
        start = pd.Timestamp(first["time"]) - pd.Timedelta(seconds=float(first["offset_s"]))
    tz = str(times.dt.tz) if getattr(times.dt, "tz", None) is not None else None
    info = LogInfo(path=FRAME_PATH, format=FRAME_FORMAT, start=start, tz=tz)
    return ChatLog(messages=df, info=info)


def frame_fingerprint(messages: pd.DataFrame) -> str:
    """sha256 of what a DataFrame input held (time, offset, user, text), for meta.json's
    `input.sha256` where a file's digest would be."""
    digest = hashlib.sha256()
    for column in ("time", "offset_s", "user", "text"):
        if column in messages:
            values = [str(v) for v in messages[column].tolist()]
            digest.update(column.encode() + b"\0")
            digest.update("\0".join(values).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()
