"""Run a season and write `season.json`: the streams, the failures and the season themes.

season.json depends only on the logs, the options and the tool version: no run times, no
machine names, so the same season run locally or on a Dask cluster is the same file.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from twitchtopics._version import __version__
from twitchtopics.errors import TwitchTopicsError
from twitchtopics.season import linking

SEASON_FILE = "season.json"
SEASON_VERSION = 1
STREAM_FIELDS = (
    "bundle",
    "log",
    "start",
    "tz",
    "title",
    "channel",
    "duration_s",
    "messages",
    "chat",
    "clustered",
    "level",
)


@dataclass
class SeasonRun:
    """What `run_season` did: season.json's content, where it is, and the per-stream records."""

    season: dict[str, Any]
    path: Path
    records: list[dict[str, Any]]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [r for r in self.records if r.get("status") == "failed"]


def run_season(
    logs: list[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    options: Any,
    *,
    scheduler: Any = None,
    jobs: int | None = None,
    quiet: bool = False,
    in_process: bool = False,
) -> SeasonRun:
    """Cluster every log into a bundle in `out_dir` (up-to-date bundles are kept), link the
    themes and write `out_dir/season.json`. Raises only when no stream could be clustered."""
    from twitchtopics.bundle import bundle_paths_for
    from twitchtopics.season.runners import run_streams

    given = _distinct([str(p) for p in logs])
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    targets = [os.path.abspath(t) for t in bundle_paths_for(given, out)]
    began = time.perf_counter()
    records = run_streams(
        [os.path.abspath(p) for p in given],
        targets,
        options,
        scheduler=scheduler,
        jobs=jobs,
        quiet=quiet,
        in_process=in_process,
    )
    for record, log in zip(records, given, strict=True):
        record["log"] = log  # as the user wrote it, not as a worker saw it
    streams_s = time.perf_counter() - began
    if not any(r.get("status") != "failed" for r in records):
        reasons = "; ".join(f"{r['log']}: {r['reason']}" for r in records[:3])
        raise TwitchTopicsError(f"no stream of the season could be clustered ({reasons})")
    began = time.perf_counter()
    season = build_season(records)
    linking_s = time.perf_counter() - began
    path = write_season(out / SEASON_FILE, season)
    return SeasonRun(season, path, records, {"streams": streams_s, "linking": linking_s})


def _distinct(logs: list[str]) -> list[str]:
    """Each file once, in the order given."""
    seen: set[str] = set()
    return [p for p in logs if not (os.path.abspath(p) in seen or seen.add(os.path.abspath(p)))]


def _stream_order(record: dict[str, Any]) -> tuple:
    """Streams by start time (unknown starts last), then bundle name."""
    start = record.get("start")
    return (start is None, str(start or ""), record["bundle"])


def build_season(records: list[dict[str, Any]]) -> dict[str, Any]:
    """season.json's content from the streams' records (see `streams.process_stream`)."""
    done = sorted((r for r in records if r.get("status") != "failed"), key=_stream_order)
    failed = sorted(
        (
            {"log": r["log"], "bundle": r["bundle"], "reason": r["reason"]}
            for r in records
            if r.get("status") == "failed"
        ),
        key=lambda r: r["bundle"],
    )
    models = sorted({str(r.get("model")) for r in done})
    if len(models) > 1:
        raise TwitchTopicsError(
            f"the season's bundles were embedded with different models ({', '.join(models)}); "
            "rerun with one --model"
        )
    units, stream_of, centroids = _gather_units(done)
    same_stream = all(r.get("level") == "topics" for r in done)
    theme_of = linking.link_units(
        stream_of,
        centroids,
        [u["texts"] for u in units],
        [u.get("category") for u in units],
        same_stream=same_stream,
    )
    return {
        "season_version": SEASON_VERSION,
        "tool_version": __version__,
        "model": models[0] if models else None,
        "linking": {
            "level": "themes" if not same_stream else "topics",
            "meaning_threshold": linking.MEANING_THRESHOLD,
            "group_threshold": linking.GROUP_THRESHOLD,
            "text_threshold": linking.TEXT_THRESHOLD,
            "neighbours": linking.NEIGHBOURS,
        },
        "streams": [{k: r.get(k) for k in STREAM_FIELDS} for r in done],
        "failed": failed,
        "themes": _season_themes(units, stream_of, theme_of, done),
    }


def _gather_units(done: list[dict[str, Any]]):
    """All streams' units, the stream index of each, and their centroids (zero rows for a
    bundle without centroids: it links by text only)."""
    units: list[dict[str, Any]] = []
    stream_of: list[int] = []
    dims = {r["centroids"].shape[1] for r in done if r.get("centroids") is not None}
    dim = dims.pop() if len(dims) == 1 else None
    rows = []
    for s, record in enumerate(done):
        units.extend(record["units"])
        stream_of.extend([s] * len(record["units"]))
        block = record.get("centroids")
        if dim is None or block is None:
            block = np.zeros((len(record["units"]), dim or 1), dtype=np.float32)
        rows.append(np.asarray(block, dtype=np.float32))
    centroids = np.concatenate(rows) if rows and dim is not None else None
    return units, np.asarray(stream_of, dtype=np.int64), centroids


def _season_themes(units, stream_of, theme_of, done) -> list[dict[str, Any]]:
    """One entry per season theme, most streams first, then most messages."""
    members: dict[int, list[int]] = {}
    for u, t in enumerate(theme_of.tolist()):
        members.setdefault(t, []).append(u)
    themes = []
    for first, group in sorted(members.items()):
        per_stream: dict[int, dict[str, Any]] = {}
        for u in group:
            s = int(stream_of[u])
            entry = per_stream.setdefault(
                s, {"stream": s, "bundle": done[s]["bundle"], "topics": [], "messages": 0}
            )
            entry["topics"].extend(units[u]["topics"])
            entry["messages"] += int(units[u]["messages"])
        for s, entry in per_stream.items():
            entry["topics"] = sorted(entry["topics"])
            chat = done[s].get("chat") or 0
            entry["share"] = round(entry["messages"] / chat, 5) if chat else None
        biggest = max(group, key=lambda u: (units[u]["messages"], -u))
        themes.append(
            {
                "label": units[biggest]["label"],
                "category": units[biggest].get("category"),
                "keywords": linking.merged_keywords([units[u] for u in group]),
                "n_streams": len(per_stream),
                "messages": sum(e["messages"] for e in per_stream.values()),
                "streams": [per_stream[s] for s in sorted(per_stream)],
                "_first": first,
            }
        )
    themes.sort(key=lambda t: (-t["n_streams"], -t["messages"], t["_first"]))
    for i, theme in enumerate(themes):
        theme.pop("_first")
        theme["id"] = i
    return [{"id": t.pop("id"), **t} for t in themes]


def write_season(path: Path, season: dict[str, Any]) -> Path:
    """Write season.json atomically (a temporary file renamed into place)."""
    from twitchtopics.bundle import write_json

    handle, tmp = tempfile.mkstemp(prefix=".season.", suffix=".json", dir=path.parent)
    os.close(handle)
    try:
        write_json(Path(tmp), season)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def is_season_folder(path: str | os.PathLike[str]) -> bool:
    """A folder `twitchtopics season` wrote (it holds season.json)."""
    return Path(path).is_dir() and (Path(path) / SEASON_FILE).is_file()


def load_season(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """season.json read back; a clear error when it is not one."""
    path = Path(folder) / SEASON_FILE
    try:
        season = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TwitchTopicsError(f"{path} could not be read: {exc}") from None
    if not isinstance(season, dict) or season.get("season_version") != SEASON_VERSION:
        raise TwitchTopicsError(f"{path} is not a season file this tool reads")
    return season
