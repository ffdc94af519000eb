"""``twitchtopics inspect``: what a log holds, before any embedding.

``inspect_log`` returns a JSON-serialisable dict (format, counts per kind, skipped lines,
time span, rates, top chatters and emotes); ``render_inspect`` turns it into text.

Emotes: the ``emotes`` column (names known from the log's own metadata) is counted when it
holds anything; otherwise the tokens ``chat.emotes.is_emote`` calls emotes (names known from
``info.emotes``, the bundled list, the channel-emote shape ``massietOLD``): the same rule as
the rest of the tool, so ``LUL`` counts and a CamelCase word (``YouTube``) does not.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from twitchtopics.chat.emotes import is_emote
from twitchtopics.errors import ReadError
from twitchtopics.options import KINDS
from twitchtopics.readers import ChatLog
from twitchtopics.readers._build import to_tzinfo

TOP = 10


def _iso(ts: Any) -> str | None:
    if ts is None or ts is pd.NaT or (isinstance(ts, float) and math.isnan(ts)):
        return None
    try:
        if pd.isna(ts):
            return None
    except (TypeError, ValueError):
        pass
    return pd.Timestamp(ts).isoformat()


def _top_emotes(log: ChatLog) -> list[tuple[str, int]]:
    """Most used emotes: metadata column if filled, else emote-shaped tokens."""
    df = log.messages
    counts: Counter[str] = Counter()
    if "emotes" in df:
        for names in df["emotes"]:
            if isinstance(names, (list, tuple, np.ndarray)):
                counts.update(str(n) for n in names)
    if counts:
        return counts.most_common(TOP)
    known = log.info.emotes
    for text in df["text"]:
        for token in str(text).split():
            if is_emote(token, known):
                counts[token] += 1
    return counts.most_common(TOP)


def _per_minute(offsets: np.ndarray) -> list[int]:
    """Messages in each minute since start (negative offsets count in minute 0)."""
    if offsets.size == 0:
        return []
    minutes = np.floor(np.clip(offsets, 0, None) / 60.0).astype(np.int64)
    return [int(c) for c in np.bincount(minutes)]


def inspect_log(log: ChatLog) -> dict[str, Any]:
    """A JSON-serialisable summary of a read log (no embedding involved)."""
    df, info = log.messages, log.info
    offsets = df["offset_s"].to_numpy(dtype=float) if len(df) else np.zeros(0)
    times = df["time"] if "time" in df else pd.Series([], dtype="datetime64[ns]")
    known = times.dropna()
    if len(known) and info.tz and isinstance(known.dtype, pd.DatetimeTZDtype):
        try:
            known = known.dt.tz_convert(to_tzinfo(info.tz))  # shown in the log's zone
        except ReadError:
            pass
    by_kind = {k: int((df["kind"] == k).sum()) for k in KINDS}
    by_kind.update(
        {str(k): int(v) for k, v in df["kind"].value_counts().items() if k not in by_kind}
    )
    per_minute = _per_minute(offsets)
    users = df.loc[df["user"].astype(str) != "", "user"].astype(str)
    duration = float(offsets.max() - offsets.min()) if offsets.size else 0.0
    return {
        "path": info.path,
        "format": info.format,
        "messages": int(len(df)),
        "by_kind": by_kind,
        "lines_skipped": int(info.lines_skipped),
        "skipped_examples": [[int(n), str(r)] for n, r in info.skipped_examples],
        "decode_errors": int(info.decode_errors),
        "notes": [str(n) for n in getattr(info, "notes", [])],
        "start": _iso(info.start),
        "tz": info.tz,
        "title": info.title,
        "channel": info.channel,
        "first_time": _iso(known.min()) if len(known) else None,
        "last_time": _iso(known.max()) if len(known) else None,
        "first_offset_s": float(offsets.min()) if offsets.size else None,
        "last_offset_s": float(offsets.max()) if offsets.size else None,
        "duration_s": duration,
        "unique_chatters": int(users.nunique()),
        "top_chatters": [[str(u), int(c)] for u, c in users.value_counts().head(TOP).items()],
        "top_emotes": [[e, c] for e, c in _top_emotes(log)],
        "emotes_known": len(info.emotes),
        "messages_per_minute": per_minute,
        "median_per_minute": float(np.median(per_minute)) if per_minute else 0.0,
        "peak_per_minute": int(max(per_minute)) if per_minute else 0,
        "peak_minute": int(np.argmax(per_minute)) if per_minute else None,
    }


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    total = int(round(seconds))
    sign = "-" if total < 0 else ""
    total = abs(total)
    return f"{sign}{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


def render_inspect(d: dict[str, Any]) -> str:
    """Human-readable text for ``inspect_log``'s dict."""
    lines = [f"{d['path']}  ({d['format']})"]
    if d.get("title") or d.get("channel"):
        lines.append(f"  title: {d.get('title') or '-'}   channel: {d.get('channel') or '-'}")
    kinds = ", ".join(f"{k} {v}" for k, v in d["by_kind"].items() if v)
    lines.append(f"  messages: {d['messages']}  ({kinds})")
    skipped = f"  lines skipped: {d['lines_skipped']}"
    if d["skipped_examples"]:
        skipped += "  e.g. " + "; ".join(f"line {n}: {r}" for n, r in d["skipped_examples"][:3])
    lines.append(skipped)
    if d["decode_errors"]:
        lines.append(f"  undecodable bytes replaced: {d['decode_errors']}")
    for note in d.get("notes", []):
        lines.append(f"  note: {note}")
    lines.append(f"  stream start: {d['start'] or 'unknown'}   zone: {d['tz'] or 'naive/unknown'}")
    if d["first_time"]:
        lines.append(f"  time span: {d['first_time']} -> {d['last_time']}")
    lines.append(
        f"  offsets: {_clock(d['first_offset_s'])} -> {_clock(d['last_offset_s'])}"
        f"   duration {_clock(d['duration_s'])}"
    )
    lines.append(
        f"  rate: median {d['median_per_minute']:g}/min, peak {d['peak_per_minute']}/min"
        + (f" at minute {d['peak_minute']}" if d["peak_minute"] is not None else "")
    )
    lines.append(f"  chatters: {d['unique_chatters']}")
    if d["top_chatters"]:
        lines.append("  top chatters: " + ", ".join(f"{u} ({c})" for u, c in d["top_chatters"]))
    if d["top_emotes"]:
        lines.append("  top emotes: " + ", ".join(f"{e} ({c})" for e, c in d["top_emotes"]))
    return "\n".join(lines)
