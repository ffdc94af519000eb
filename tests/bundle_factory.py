"""Synthetic bundles for report tests: a small, fully known stream written with save_bundle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from twitchtopics.bundle import save_bundle

START = "2024-05-17 19:00:03"
DURATION_S = 6288.0  # 19:00:03 -> 20:44:51
XSS = "<script>alert(1)</script>"
EMOJI = "\U0001f525 this boss fight is insane \U0001f525"

# id -> (category or None, keywords)
TOPICS: dict[int, tuple[str | None, list[str]]] = {
    0: ("greetings", ["hi", "hello", "hey"]),
    1: ("laughter", ["kekw", "lul", "insane"]),
    2: ("questions", ["game", "what", "playing"]),
    3: ("quiz", ["answer", "b", "c"]),
    4: ("discussion", ["boss", "fight", "insane"]),
    5: (None, ["misc", "stuff"]),
}

Row = tuple[float, str, int, str, float]  # offset_s, text, topic, kind, centrality


def minute(hh: int, mm: int, ss: int = 0) -> float:
    """Offset of a wall-clock time (UTC) in the standard stream."""
    return (hh - 19) * 3600 + mm * 60 + ss - 3


def standard_rows() -> list[Row]:
    """A 1h45 stream (19:00:03-20:44:51 UTC) with six groups, outliers, commands and bots."""
    rows: list[Row] = []
    for i in range(40):  # greetings in the first 10 minutes
        rows.append(
            (5.0 + i * 15, ["hi", "hello", "hey chat"][i % 3], 0, "chat", 0.5 + (i % 5) / 10)
        )
    for i in range(0, 6200, 90):  # laughter throughout, sparse
        rows.append((float(i), "LUL", 1, "chat", 0.4))
    # laughter burst at 19:42 UTC: a peak driven by group 1 (and 4 a bit)
    for i in range(60):
        text = "KEKW KEKW KEKW KEKW KEKW" if i % 3 == 0 else ("KEKWWWW" if i % 3 == 1 else "kekw")
        rows.append((minute(19, 42) + i * 0.9, text, 1, "chat", 1.0 if i % 3 == 0 else 0.7))
    rows.append((minute(19, 42, 30), "KEKW that was insane", 1, "chat", 0.95))
    for i in range(30):  # questions spread out
        rows.append((300.0 + i * 200, "what game is this?", 2, "chat", 0.6))
    for i in range(25):  # quiz answers 19:35-19:40
        rows.append(
            (minute(19, 35) + i * 12, ["B", "answer is B", "C"][i % 3], 3, "chat", 0.5 + i / 100)
        )
    for i in range(20):  # discussion 19:30-20:00, with markup and emoji
        rows.append((minute(19, 30) + i * 90, "this boss fight is hard", 4, "chat", 0.5))
    rows.append((minute(19, 44), XSS, 4, "chat", 0.99))
    rows.append((minute(19, 45), EMOJI, 4, "chat", 0.9))
    for i in range(12):  # a group without a category, late
        rows.append((minute(20, 10) + i * 30, f"random stuff {i % 2}", 5, "chat", 0.5))
    for i in range(0, 6288, 20):  # outliers everywhere
        rows.append((float(i) + 7, f"outlier {i}", -1, "chat", float("nan")))
    for i in range(0, 6288, 300):  # commands and bots: not groups, but in the totals
        rows.append((float(i) + 11, "!uptime", 3, "command", 0.9))
        rows.append((float(i) + 12, "Nightbot: follow the channel", -1, "bot", float("nan")))
    rows.append((DURATION_S, "bye", 0, "chat", 0.5))
    return rows


def messages_frame(
    rows: list[Row], *, start: str | None = START, mode: str = "utc"
) -> pd.DataFrame:
    """The bundle's messages table: mode `utc` (tz-aware), `naive` or `offsets` (no times)."""
    rows = sorted(rows, key=lambda r: r[0])
    offsets = np.array([r[0] for r in rows], dtype=float)
    if mode == "offsets" or start is None:
        time = pd.Series(pd.NaT, index=range(len(rows)), dtype="datetime64[ns]")
    else:
        base = pd.Timestamp(start, tz="UTC") if mode == "utc" else pd.Timestamp(start)
        time = pd.Series(base + pd.to_timedelta(offsets, unit="s"))
    topic = np.array([r[2] for r in rows], dtype=int)  # non-chat rows may carry a topic: ignored
    cent = np.array([r[4] if t >= 0 else np.nan for r, t in zip(rows, topic, strict=True)])
    sil = np.where(topic >= 0, 0.2 + 0.1 * (topic % 4), np.nan)
    texts = [r[1] for r in rows]
    return pd.DataFrame(
        {
            "index": np.arange(len(rows), dtype="int64"),
            "time": time,
            "offset_s": offsets,
            "user": [f"user{i % 17}" for i in range(len(rows))],
            "text": texts,
            "kind": [r[3] for r in rows],
            "emotes": [[] for _ in rows],
            "clean": [t.lower() for t in texts],
            "topic": topic,
            "silhouette": sil,
            "centrality": cent,
        }
    )


def topics_list(
    messages: pd.DataFrame, spec: dict[int, tuple[str | None, list[str]]] = TOPICS
) -> list[dict[str, Any]]:
    topics = []
    for tid, group in messages[(messages["topic"] >= 0) & (messages["kind"] == "chat")].groupby(
        "topic"
    ):
        category, words = spec.get(int(tid), (None, []))
        entry: dict[str, Any] = {
            "id": int(tid),
            "size": int(len(group)),
            "keywords": [[w, round(1.0 - i * 0.1, 2)] for i, w in enumerate(words)],
            "silhouette": float(group["silhouette"].mean()),
            "first_time": None if group["time"].isna().all() else group["time"].min(),
            "last_time": None if group["time"].isna().all() else group["time"].max(),
            "first_offset_s": float(group["offset_s"].min()),
            "last_offset_s": float(group["offset_s"].max()),
            "representatives": group.sort_values("centrality", ascending=False)["text"]
            .head(3)
            .tolist(),
        }
        if category is not None:
            entry["category"] = category
        topics.append(entry)
    return topics


def make_bundle(
    folder: Path,
    name: str = "stream",
    *,
    rows: list[Row] | None = None,
    start: str | None = START,
    mode: str = "utc",
    tz: str | None = "UTC",
    duration_s: float | None = None,
    title: str | None = "Speedrun night",
) -> Path:
    """Write `<folder>/<name>.twitchtopics` and return its path."""
    rows = standard_rows() if rows is None else rows
    messages = messages_frame(rows, start=start, mode=mode)
    offsets = messages["offset_s"]
    duration = float(offsets.max()) if duration_s is None else duration_s
    if mode == "offsets":
        start_iso = None
    elif mode == "utc":
        start_iso = pd.Timestamp(start, tz="UTC").isoformat()
    else:
        start_iso = pd.Timestamp(start).isoformat()
    end = (
        None
        if start_iso is None
        else (pd.Timestamp(start_iso) + pd.Timedelta(seconds=duration)).isoformat()
    )
    meta = {
        "tool_version": "0.1.0",
        "created": "2024-05-18T00:00:00+00:00",
        "input": {
            "path": f"/logs/{name}.txt",
            "name": f"{name}.txt",
            "sha256": "0",
            "format": "test",
        },
        "stream": {
            "start": start_iso,
            "tz": tz if mode == "utc" else None,
            "title": title,
            "channel": "somechannel",
            "end": end,
            "duration_s": duration,
        },
        "params": {"include": ["chat", "action"]},
        "model": "test",
        "counts": {"read": len(messages)},
    }
    return save_bundle(folder / f"{name}.twitchtopics", messages, topics_list(messages), meta)
