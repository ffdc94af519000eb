"""Save and load a result folder: `messages.parquet`, `topics.json`, `meta.json`.

A bundle is what `cluster` leaves behind so that later commands (report, exports) never
recompute anything. It is written to a temporary sibling folder, fsynced and renamed into
place, so a crash never leaves a half bundle (and a kill between the renames is repaired on
the next read or write: `bundle_safety`); it holds no pickle, only Parquet and JSON.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from twitchtopics import bundle_safety as safety
from twitchtopics.errors import BundleError
from twitchtopics.safe_output import json_text

if TYPE_CHECKING:  # imported where used: naming a bundle (`bundle_path_for`) needs neither,
    import numpy as np  # and a run reused from the run cache never imports pandas
    import pandas as pd

BUNDLE_VERSION = 1
BUNDLE_SUFFIX = ".twitchtopics"
MESSAGES_FILE = "messages.parquet"
TOPICS_FILE = "topics.json"
META_FILE = "meta.json"
# Arrays a bundle may hold for search (`twitchtopics.vectors`): .npy, never pickled.
TEXT_VECTORS_FILE = "text_vectors.npy"  # float16, one L2-normalised row per distinct text
TEXT_INDEX_FILE = "text_index.npy"  # int32, per message row: its text_vectors row, -1 = none
CENTROIDS_FILE = "centroids.npy"  # float16, n_topics x dim, rows in ascending topic id
REQUIRED_COLUMNS = ("index", "time", "offset_s", "user", "text", "kind", "topic", "silhouette")


@dataclass
class Bundle:
    """A loaded result: the messages table, the groups and the run's metadata."""

    path: Path
    messages: pd.DataFrame
    topics: list[dict[str, Any]]
    meta: dict[str, Any]
    themes: list[dict[str, Any]] = field(default_factory=list)
    """topics.json's `themes` (empty for bundles written before themes existed)."""

    def array(self, name: str) -> np.ndarray | None:
        """A `.npy` array stored in the bundle (None when absent); never unpickles."""
        import numpy as np

        file = self.path / name
        if not file.is_file():
            return None
        try:
            return np.load(file, allow_pickle=False)
        except (ValueError, OSError) as exc:
            raise BundleError(f"{file} could not be read: {exc}") from None

    def topic(self, topic_id: int) -> dict[str, Any]:
        """The group with this id (KeyError when there is none)."""
        for topic in self.topics:
            if topic["id"] == topic_id:
                return topic
        raise KeyError(topic_id)


def bundle_path_for(
    log_path: str | os.PathLike[str], out_dir: str | os.PathLike[str] = "."
) -> Path:
    """`<log name>.twitchtopics` in `out_dir`: compression and format suffixes are dropped."""
    name = Path(log_path).name
    for suffix in (".gz", ".bz2", ".xz"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    stem = stem.lstrip(".") or "log"  # `..txt` or `.log` must not make a hidden bundle
    return Path(out_dir) / f"{stem}{BUNDLE_SUFFIX}"


def bundle_paths_for(
    log_paths: list[str | os.PathLike[str]], out_dir: str | os.PathLike[str] = "."
) -> list[Path]:
    """One bundle per log, no two alike: the one place several logs' bundle names are chosen.

    A log whose name no other log shares keeps `<log name>.twitchtopics`. Logs with the same
    name in different folders get the shortest tail of their folders that tells them apart
    (`d1/x.txt`, `d2/x.txt` -> `d1-x`, `d2-x`; twitch-archiver's `<vod>/verbose_chat.json.gz`
    -> `<vod>-verbose_chat`); names still alike keep their extension, then get `-2`, `-3`
    in path order. The same file given twice gets the same bundle. Names depend only on the
    set of logs, never on their order.
    """
    keys = [os.path.abspath(p) for p in log_paths]
    distinct = sorted(set(keys))
    names = {key: bundle_path_for(key).name[: -len(BUNDLE_SUFFIX)] for key in distinct}
    by_stem: dict[str, list[str]] = {}
    for key in distinct:
        by_stem.setdefault(names[key], []).append(key)
    for stem, clashing in by_stem.items():
        if len(clashing) > 1:
            names.update(_distinguish(stem, clashing))
    seen: dict[str, int] = {}
    final: dict[str, str] = {}
    for key in distinct:
        name = names[key]
        seen[name] = seen.get(name, 0) + 1
        final[key] = name if seen[name] == 1 else f"{name}-{seen[name]}"
    taken = list(final.values())
    for key in distinct:  # a numbered name may equal another log's own name
        while taken.count(final[key]) > 1:
            final[key] += "-x"
            taken = list(final.values())
    return [Path(out_dir) / f"{final[key]}{BUNDLE_SUFFIX}" for key in keys]


def _distinguish(stem: str, paths: list[str]) -> dict[str, str]:
    """Names for logs sharing `stem`: prefixed with the fewest parent folders that differ."""
    parents = {p: [part for part in Path(p).parent.parts if part not in ("/", "\\")] for p in paths}
    deepest = max(len(v) for v in parents.values())
    for depth in range(1, deepest + 1):
        names = {p: "-".join([*parents[p][-depth:], stem]) for p in paths}
        if len(set(names.values())) == len(paths):
            return names
    # same folders (x.txt and x.json side by side): the full file name tells them apart
    return {p: "-".join([*parents[p][-1:], Path(p).name]) for p in paths}


def write_json(path: Path, data: Any) -> None:
    """Write JSON as UTF-8 with NaN as null."""
    text = json_text(data)
    path.write_text(text + "\n", encoding="utf-8")


def save_bundle(
    path: str | os.PathLike[str],
    messages: pd.DataFrame,
    topics: list[dict[str, Any]],
    meta: dict[str, Any],
    arrays: dict[str, np.ndarray] | None = None,
    *,
    themes: list[dict[str, Any]] | None = None,
) -> Path:
    """Write a bundle atomically: build it in a temporary folder, fsync, swap it into place
    (see ``bundle_safety``: kills between the renames are repaired, concurrent writers take
    turns, OS errors are one-line ``BundleError``s).

    `arrays` are extra `.npy` files (name -> array, e.g. the search vectors); no object arrays.
    """
    import numpy as np

    missing = [c for c in REQUIRED_COLUMNS if c not in messages.columns]
    if missing:
        raise BundleError(f"messages table lacks columns: {', '.join(missing)}")
    target = Path(path)
    with safety.new_bundle(target) as tmp:
        messages.reset_index(drop=True).to_parquet(tmp / MESSAGES_FILE, index=False)
        contents: dict[str, Any] = {"topics": topics}
        if themes is not None:
            contents["themes"] = themes
        write_json(tmp / TOPICS_FILE, contents)
        write_json(tmp / META_FILE, {"bundle_version": BUNDLE_VERSION, **meta})
        for name, array in (arrays or {}).items():
            np.save(tmp / name, np.asarray(array), allow_pickle=False)
        safety.install(tmp, target)
    return target


def _read_json(path: Path, folder: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        raise BundleError(f"{folder} could not be read: {path.name}: {exc}") from None


def _checked_topics(doc: Any, folder: Path) -> list[dict[str, Any]]:
    """``topics.json``'s list of groups, each an object with an integer id."""
    topics = doc.get("topics") if isinstance(doc, dict) else None
    if not isinstance(topics, list) or not all(
        isinstance(t, dict) and isinstance(t.get("id"), int) for t in topics
    ):
        raise BundleError(f'{folder}/{TOPICS_FILE} is damaged: expected {{"topics": [...]}}')
    return topics


def _checked_themes(doc: Any) -> list[dict[str, Any]]:
    """``topics.json``'s themes: [] for bundles made before themes existed, or a damaged list
    (themes are a view over the topics; a report then falls back to them)."""
    themes = doc.get("themes") if isinstance(doc, dict) else None
    if not isinstance(themes, list) or not all(
        isinstance(t, dict) and isinstance(t.get("id"), int) for t in themes
    ):
        return []
    return themes


def load_bundle(path: str | os.PathLike[str]) -> Bundle:
    """Read a bundle folder back; a clear BundleError when it is not one."""
    folder = Path(path)
    if not folder.is_dir():
        safety.recover(folder)  # a run killed mid-swap left the previous bundle hidden
    if not folder.is_dir():
        raise BundleError(f"no bundle at {folder} (run `twitchtopics cluster LOG` first)")
    for name in (MESSAGES_FILE, TOPICS_FILE, META_FILE):
        if not (folder / name).is_file():
            raise BundleError(f"{folder} is not a complete bundle: {name} is missing")
    meta = _read_json(folder / META_FILE, folder)
    if not isinstance(meta, dict):
        raise BundleError(f"{folder}/{META_FILE} is damaged: expected a JSON object")
    contents = _read_json(folder / TOPICS_FILE, folder)
    topics = _checked_topics(contents, folder)
    themes = _checked_themes(contents)
    version = meta.get("bundle_version")
    if version != BUNDLE_VERSION:
        raise BundleError(
            f"{folder} has bundle version {version!r}; this tool reads {BUNDLE_VERSION}"
        )
    import pandas as pd

    try:
        messages = pd.read_parquet(folder / MESSAGES_FILE)
    except Exception as exc:  # pyarrow raises many types for a damaged file
        raise BundleError(f"{folder}/{MESSAGES_FILE} could not be read: {exc}") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in messages.columns]
    if missing:
        raise BundleError(f"{folder}/{MESSAGES_FILE} lacks columns: {', '.join(missing)}")
    return Bundle(path=folder, messages=messages, topics=topics, meta=meta, themes=themes)


def find_latest_bundle(directory: str | os.PathLike[str] = ".") -> Path:
    """The most recently written complete bundle in `directory`."""
    folder = Path(directory)
    safety.recover_folder(folder, BUNDLE_SUFFIX)
    candidates = [
        p
        for p in folder.glob(f"*{BUNDLE_SUFFIX}")
        if p.is_dir() and not p.name.startswith(".") and (p / META_FILE).is_file()
    ]
    if not candidates:
        raise BundleError(
            f"no *{BUNDLE_SUFFIX} bundle in {folder.resolve()}: run `twitchtopics cluster LOG` first"
        )
    return max(candidates, key=lambda p: (p / META_FILE).stat().st_mtime_ns)
