"""One stream of a season: cluster it into its bundle (unless the bundle is up to date), then
summarise what linking needs, so that the client never re-reads logs or re-embeds.

`process_stream` is the unit of work a local process or a Dask worker runs. It never raises:
a stream that fails comes back as a `failed` record with its reason, so one bad log never
stops the season. Its summary is small (a few hundred KB for a long stream): the stream's
span and counts, and one *unit* per theme (topics.json's `themes` when the bundle has them)
or per topic otherwise, each with its topic ids, size, label, keywords, category, most
frequent texts (to link reactions and copypastas by text) and its centroid row.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from twitchtopics.centroids import CENTROIDS_FILE, load_centroids

TOP_TEXTS = 10
"""Most frequent normalised texts kept per unit for linking by text: a laughter or copypasta
group's top 10 texts hold most of its messages (KEKW, LUL, mdr... are few distinct texts)."""


def process_stream(
    log: str, target: str, options: Any, *, single_thread: bool = True
) -> dict[str, Any]:
    """Cluster `log` into the bundle `target` (skipped when up to date); its summary.

    `single_thread`: one thread for this stream (other streams run beside it). Returns
    `{"status": "clustered" | "up to date" | "failed", ...}`; never raises, so that a
    local pool or a Dask cluster reports one stream's failure and goes on."""
    try:
        if bundle_is_current(Path(target), Path(log), options):
            status = "up to date"
        else:
            _cluster_quietly(log, target, options, single_thread)
            status = "clustered"
        summary = summarise_bundle(Path(target))
    except Exception as exc:  # noqa: BLE001 - any failure is this stream's, reported with its reason
        return {"log": log, "bundle": Path(target).name, "status": "failed", "reason": _why(exc)}
    summary.update({"log": log, "status": status})
    return summary


def _why(exc: BaseException) -> str:
    """One line saying why a stream failed (the tool's own errors say it themselves)."""
    from twitchtopics.errors import TwitchTopicsError

    text = " ".join(str(exc).split())
    if isinstance(exc, TwitchTopicsError):
        return text or type(exc).__name__
    if isinstance(exc, FileNotFoundError):
        return f"no such file: {exc.filename}"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _cluster_quietly(log: str, target: str, options: Any, single_thread: bool) -> None:
    """No per-stage output (the season shows one bar for all streams); one thread per stream
    when others run beside it."""
    from twitchtopics.clustering.ward import prefer_compiled_loop
    from twitchtopics.errors import TwitchTopicsError
    from twitchtopics.progress import Stages
    from twitchtopics.runs import cluster_log
    from twitchtopics.workers import reuse_freed_memory

    prefer_compiled_loop()  # a season's worker (local or Dask) clusters many streams
    reuse_freed_memory()  # on a Dask worker: undo its nanny's malloc trim threshold
    path = Path(log)
    if not path.exists():
        raise TwitchTopicsError(f"{log}: no such file")
    if path.is_dir():
        raise TwitchTopicsError(f"{log}: is a directory, not a chat log")
    with one_thread(single_thread):
        cluster_log(path, options, out=target, stages=Stages(quiet=True))


@contextmanager
def one_thread(active: bool = True) -> Iterator[None]:
    """BLAS/OpenMP, torch and numba limited to one thread for the duration, whatever the
    process's environment said when numpy was imported (a local pool's worker imports numpy
    before its initializer runs; a Dask worker's nanny sets OMP_NUM_THREADS=1 first). Ward
    is sensitive to the last bits of its inputs (README "Topic quality"), so the same thread
    count everywhere is what makes a local and a Dask season the same file."""
    if not active:
        yield
        return
    import sys
    from contextlib import ExitStack

    from twitchtopics.clustering.threads import one_blas_thread

    torch = sys.modules.get("torch")
    with ExitStack() as stack:
        # read by torch when the stream imports it (a static model's stream never needs it:
        # importing it only to set its threads cost each season worker ~3 s here), and by
        # the kNN search (`neighbors.knn_threads`), which otherwise uses every core
        stack.enter_context(_environment(OMP_NUM_THREADS="1"))
        if torch is not None:
            stack.callback(torch.set_num_threads, torch.get_num_threads())
            torch.set_num_threads(1)
        stack.enter_context(one_blas_thread())  # the clustering's own limit, pools loaded first
        yield


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    """These environment variables set for the duration, then restored."""
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def options_fingerprint(options: Any) -> dict[str, Any]:
    """The options a bundle depends on, as JSON would store them (the cache switch aside)."""
    params = json.loads(json.dumps(asdict(options), default=list))
    params.pop("use_cache", None)
    return params


def bundle_is_current(target: Path, log: Path, options: Any) -> bool:
    """The bundle was made from this very log (same sha256), with the same options, tool
    version and grouping rules (`GROUPING_VERSION`, bumped whenever grouping changes while
    the version number stays), and has its centroids: a rerun of the season keeps it."""
    from twitchtopics._version import __version__
    from twitchtopics.cache.groupings import GROUPING_VERSION
    from twitchtopics.pipeline import sha256_of

    meta_file = target / "meta.json"
    if not (meta_file.is_file() and (target / CENTROIDS_FILE).is_file() and log.is_file()):
        return False
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if meta.get("tool_version") != __version__:
        return False
    if meta.get("grouping_version") != GROUPING_VERSION:
        return False
    if (meta.get("input") or {}).get("sha256") != sha256_of(log):
        return False
    stored = meta.get("params") or {}
    return all(stored.get(k) == v for k, v in options_fingerprint(options).items())


def summarise_bundle(folder: Path) -> dict[str, Any]:
    """What linking needs from one bundle: its stream and one unit per theme (or topic)."""
    import pandas as pd

    from twitchtopics.errors import BundleError

    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    data = json.loads((folder / "topics.json").read_text(encoding="utf-8"))
    topics = data.get("topics") or []
    messages = pd.read_parquet(folder / "messages.parquet", columns=["topic", "clean"])
    centroids = load_centroids(folder)
    if centroids is not None and len(centroids) != len(topics):
        raise BundleError(
            f"{folder}: {CENTROIDS_FILE} has {len(centroids)} rows for {len(topics)} topics"
        )
    texts = _top_texts_by_topic(messages)
    themes = data.get("themes")
    units = (
        _theme_units(themes, topics, texts, centroids)
        if themes
        else _topic_units(topics, texts, centroids)
    )
    counts = meta.get("counts") or {}
    stream = meta.get("stream") or {}
    return {
        "bundle": folder.name,
        "start": stream.get("start"),
        "tz": stream.get("tz"),
        "title": stream.get("title"),
        "channel": stream.get("channel"),
        "duration_s": stream.get("duration_s"),
        "messages": counts.get("read"),
        "chat": counts.get("considered", counts.get("clustered")),
        "clustered": counts.get("clustered"),
        "model": meta.get("model"),
        "level": "themes" if themes else "topics",
        "units": [unit for unit, _ in units],
        "centroids": _stack_centroids(units, centroids),
    }


def _stack_centroids(units, centroids: np.ndarray | None) -> np.ndarray | None:
    """One float16 row per unit; None when the bundle has no centroids (written before them)."""
    if centroids is None:
        return None
    if not units:
        return np.zeros((0, centroids.shape[1]), dtype=np.float16)
    return np.stack([row for _, row in units]).astype(np.float16)


def _top_texts_by_topic(messages) -> dict[int, Counter]:
    """Each topic's normalised texts and how many messages hold each."""
    clustered = messages[messages["topic"] >= 0]
    counts: dict[int, Counter] = {}
    for (topic, clean), n in clustered.groupby(["topic", "clean"], sort=False).size().items():
        counts.setdefault(int(topic), Counter())[str(clean)] = int(n)
    return counts


def _top(counter: Counter) -> list[list[Any]]:
    """The most frequent texts, ties broken by the text itself (same output every run)."""
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    return [[text, n] for text, n in ranked[:TOP_TEXTS]]


def _topic_label(topic: dict[str, Any]) -> str:
    """The labels engineer's `label` when present, else the first keywords."""
    if topic.get("label"):
        return str(topic["label"])
    words = [w for w, _ in (topic.get("keywords") or [])[:3]]
    return " / ".join(words) if words else f"topic {topic.get('id')}"


def _topic_units(topics, texts, centroids):
    """One unit per topic (bundles without themes)."""
    units = []
    for row, topic in enumerate(sorted(topics, key=lambda t: t["id"])):
        unit = {
            "key": f"t{topic['id']}",
            "topics": [int(topic["id"])],
            "messages": int(topic.get("size") or 0),
            "label": _topic_label(topic),
            "keywords": topic.get("keywords") or [],
            "category": topic.get("category"),
            "texts": _top(texts.get(int(topic["id"]), Counter())),
            "first_offset_s": topic.get("first_offset_s"),
            "last_offset_s": topic.get("last_offset_s"),
        }
        units.append((unit, None if centroids is None else centroids[row].astype(np.float32)))
    return units


def _theme_units(themes, topics, texts, centroids):
    """One unit per theme of topics.json: its topics' texts pooled, centroid = their mean
    weighted by size (rows of centroids.npy are in ascending topic id order)."""
    by_id = {int(t["id"]): t for t in topics}
    row_of = {tid: row for row, tid in enumerate(sorted(by_id))}
    units = []
    for theme in sorted(themes, key=lambda t: t["id"]):
        ids = sorted(int(t) for t in theme.get("topics") or [] if int(t) in by_id)
        if not ids:
            continue
        members = [by_id[t] for t in ids]
        sizes = np.array([float(m.get("size") or 0) for m in members])
        pooled: Counter = Counter()
        for t in ids:
            pooled.update(texts.get(t, Counter()))
        biggest = members[int(np.argmax(sizes))]
        unit = {
            "key": f"th{theme['id']}",
            "topics": ids,
            "messages": int(sizes.sum()),
            "label": str(theme.get("label") or _topic_label(biggest)),
            "keywords": theme.get("keywords") or biggest.get("keywords") or [],
            "category": _main_category(members),
            "texts": _top(pooled),
            "first_offset_s": min(m.get("first_offset_s") or 0.0 for m in members),
            "last_offset_s": max(m.get("last_offset_s") or 0.0 for m in members),
        }
        centroid = None
        if centroids is not None:
            rows = centroids[[row_of[t] for t in ids]].astype(np.float32)
            mean = (rows * np.maximum(sizes, 1.0)[:, None]).sum(axis=0)
            centroid = mean / max(float(np.linalg.norm(mean)), 1e-12)
        units.append((unit, centroid))
    return units


def _main_category(members: list[dict[str, Any]]) -> str | None:
    """The category holding most of the theme's messages."""
    weight: Counter = Counter()
    for member in members:
        weight[member.get("category")] += int(member.get("size") or 0)
    return max(sorted(weight, key=str), key=lambda c: weight[c]) if weight else None


def absolute(path: str | os.PathLike[str]) -> str:
    """A path any worker can use whatever its working folder (symlinks kept as given)."""
    return os.path.abspath(path)
