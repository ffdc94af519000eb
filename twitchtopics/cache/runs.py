"""Reuse a whole bundle when the identical run was made before (issue 17: a warm rerun under
10 % of the cold one).

With every stage cache warm, a rerun of the 10k speed log still took 0.54 s of a 4.2 s cold
run: 0.34 s importing pandas, the rest normalising, looking up and writing. Here the files of
the bundle a run wrote are kept, and the same run again copies them back, with meta.json's
`created`, `input.path`/`input.name` and `timings` made this run's, without importing pandas
or numpy.

The rule is the project's: same input + same seed gives the same output whatever the caches
hold, so the key holds everything a bundle depends on:

* the log's bytes (sha256) and its path as given (the readers take hints from the name, as
  the read cache's key says; meta.json records it);
* every `ClusterOptions` field but `use_cache`, as canonical JSON;
* the bytes of every file of the package, sources and data (the packaged static model
  included): every version constant lives there (`GROUPING_VERSION`, `LAYOUT_VERSION`,
  `BUNDLE_VERSION`, the other caches' versions and code hashes, `__version__`), so no list of
  constants can fall behind; 19 ms for 148 files, 9.4 MB;
* the name and version of every installed distribution (the `*.dist-info` folders on
  `sys.path`), the Python and the platform;
* the CPU's feature flags (they choose the embedding precision, bfloat16 where native, and
  libraries' kernels) and every `TWITCHTOPICS_*` variable (`TWITCHTOPICS_PRECISION`...) but
  the cache folder's and `TWITCHTOPICS_DEBUG`.

Only a run made of the package's own components is reused (`registry.builtin_run`, which the
caller asks): `--model` none or a built-in name, a built-in `--method`, no `--labeler`, and
no registry changed at run time (a folder's or a registered factory's output is known to no
key). A log that is not a regular file (a FIFO) cannot be read twice: never reused. The CLI
makes the request from its flags without importing `pipeline` (numpy and pandas): the
defaults of `ClusterOptions` are recorded per package fingerprint (`runs/options-*.json`).

An entry is one file `<cache>/runs/<key>.run`: a JSON header line (version, each file's name,
size and sha256), then the files' bytes. It is written atomically, checked file by file as it
is copied out, and a damaged one is deleted and the run made again. At most `MAX_BYTES`; the
entries used longest ago go first. `--no-cache` neither reads nor writes them.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from twitchtopics.cache import folder

RUNS_FOLDER = "runs"
ENTRY_VERSION = 1
MAX_BYTES = 2 << 30
"""The run cache's size on disk, at most. A bundle takes ~1.8 kB per message (4.4 MB for the
10k speed log), so 2 GiB keeps a few hundred reruns of ordinary streams."""
IGNORED_ENV = frozenset({folder.CACHE_DIR_ENV, "TWITCHTOPICS_DEBUG"})
"""`TWITCHTOPICS_*` variables that cannot change a bundle (every other one is in the key)."""
CHUNK = 1 << 20


@dataclass(frozen=True)
class RunKey:
    """An entry's key, and the digest of the log it was made from (meta.json's sha256)."""

    key: str
    log_sha256: str


class _Damaged(Exception):
    """An entry that does not hold what its header says."""


# ------------------------------------------------------------------------------- the key


def run_request(options: Any) -> dict[str, Any] | None:
    """Every field of a `ClusterOptions` but `use_cache`, as JSON values; None when one is not
    JSON (then nothing is reused)."""
    from dataclasses import fields

    values = {f.name: getattr(options, f.name) for f in fields(options) if f.name != "use_cache"}
    return _canonical(values)


def _canonical(values: Mapping[str, Any]) -> dict[str, Any] | None:
    try:
        return json.loads(json.dumps(dict(values), sort_keys=True, allow_nan=False))
    except (TypeError, ValueError):
        return None


def run_key(log_path: Path, request: Mapping[str, Any] | None, *, builtin: bool) -> RunKey | None:
    """The key of this run, or None when it may not be reused (see the module doc).
    `builtin`: `registry.builtin_run(request)`, the caller's to ask (the registry sits above
    the caches)."""
    if request is None or not builtin:
        return None
    try:
        digest = file_sha256(log_path)
        if not digest:
            return None  # no such file, or a FIFO: its bytes can be read once only
        environment = _environment()
    except Exception:  # noqa: BLE001 - unreadable log or bad setting: the run itself says so
        return None
    code = package_fingerprint()
    if code is None:
        return None
    header = {
        "version": ENTRY_VERSION,
        "code": code,
        "environment": environment,
        "path": str(log_path),
        "options": dict(request),
    }
    key = hashlib.sha256(json.dumps(header, sort_keys=True).encode())
    key.update(digest.encode())
    return RunKey(key.hexdigest(), digest)


def file_sha256(path: str | os.PathLike[str]) -> str:
    """sha256 of a regular file's bytes (meta.json's `input.sha256`, this cache's key), once
    per process and file state; "" for anything else (a FIFO was read once already: reading
    it again would hang)."""
    try:
        info = os.stat(path)
    except OSError:
        return ""
    if not stat.S_ISREG(info.st_mode):
        return ""
    return _file_digest(str(path), info.st_size, info.st_mtime_ns, info.st_ino)


@functools.lru_cache(maxsize=8)
def _file_digest(path: str, size: int, mtime_ns: int, inode: int) -> str:
    """`file_sha256` for one file state: the run cache's key is made before the run and
    meta.json's digest after it, from one reading of the log."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def package_fingerprint() -> str | None:
    """sha256 of every file of the package (sources and data, caches of bytecode aside);
    None when they cannot be read (a zipped install): then nothing is reused."""
    root = folder.package_root()
    try:
        files = sorted(
            path
            for path in root.rglob("*")
            if "__pycache__" not in path.parts and path.suffix != ".pyc" and path.is_file()
        )
    except OSError:
        return None
    return folder.files_digest(hashlib.sha256(), root, files) if files else None


def _environment() -> dict[str, Any]:
    """What of the process's surroundings can change a bundle (see the module doc)."""
    import platform

    return {
        "python": sys.version,
        "platform": [sys.platform, platform.machine()],
        "distributions": installed_distributions(),
        "cpu": cpu_flags(),
        "variables": {
            name: value
            for name, value in sorted(os.environ.items())
            if name.startswith("TWITCHTOPICS_") and name not in IGNORED_ENV
        },
    }


def cpu_flags(cpuinfo: str = "/proc/cpuinfo") -> str:
    """The CPU's feature flags (Linux; "" elsewhere): they decide the embedding precision
    (`embed.precision`: bfloat16 where native) and which kernels numerical libraries run."""
    try:
        with open(cpuinfo, encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("flags"):
                    return " ".join(sorted(line.partition(":")[2].split()))
    except OSError:
        pass
    return ""


def installed_distributions() -> list[str]:
    """The `*.dist-info` / `*.egg-info` names on `sys.path` (name and version of every
    installed package): a millisecond, against 33 ms for asking `importlib.metadata` the
    versions of 18 libraries."""
    names: set[str] = set()
    for entry in sys.path:
        with contextlib.suppress(OSError):
            names.update(
                name
                for name in os.listdir(entry or ".")
                if name.endswith((".dist-info", ".egg-info"))
            )
    return sorted(names)


# ------------------------------------------------------------------------------- entries


def entry_path(cache_dir: str | os.PathLike[str], key: str) -> Path:
    return Path(cache_dir) / RUNS_FOLDER / f"{key}.run"


def _read_header(handle: Any) -> list[dict[str, Any]]:
    """The files an entry holds (name, size, sha256), from its first line."""
    try:
        header = json.loads(handle.readline(1 << 20))
        files = header["files"]
        if header["version"] != ENTRY_VERSION or not isinstance(files, list):
            raise _Damaged
        for item in files:
            name = item["name"]
            if not isinstance(name, str) or "/" in name or name.startswith(".") or not name:
                raise _Damaged
            if not isinstance(item["size"], int) or not isinstance(item["sha256"], str):
                raise _Damaged
    except (ValueError, KeyError, TypeError) as exc:
        raise _Damaged from exc
    return files


def _copy_out(handle: Any, files: list[dict[str, Any]], into: Path) -> None:
    """Write each file of an entry into the folder `into`, checking its size and digest."""
    for item in files:
        digest, left = hashlib.sha256(), item["size"]
        with open(into / item["name"], "wb") as out:
            while left > 0:
                block = handle.read(min(CHUNK, left))
                if not block:
                    raise _Damaged  # truncated
                digest.update(block)
                out.write(block)
                left -= len(block)
        if digest.hexdigest() != item["sha256"]:
            raise _Damaged
    if handle.read(1):
        raise _Damaged  # more bytes than the header says


def has_entry(run: RunKey) -> bool:
    """Whether an entry is stored under this key (sound or not: `reuse` checks)."""
    return entry_path(folder.cache_dir(), run.key).is_file()


def reuse(run: RunKey, log_path: Path, target: Path, stages: Any) -> dict[str, Any] | None:
    """Write the bundle of the identical earlier run as `target`, with this run's meta.json;
    its meta (`timings`: this run's stages, as a cold run's), or None when no sound entry is
    there (a damaged one is deleted)."""
    from twitchtopics import bundle_safety

    path = entry_path(folder.cache_dir(), run.key)
    with stages.stage("run cache", bar=False):
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed below, errors included
        except OSError:
            return None
    try:
        with handle, bundle_safety.new_bundle(target) as tmp:
            with stages.stage("reuse", "the bundle of an identical run (run cache)", bar=False):
                _copy_out(handle, _read_header(handle), tmp)
            with stages.stage("write", str(target), bar=False):
                meta = _this_runs_meta(tmp, run, log_path, stages.timings)
                bundle_safety.install(tmp, target)
    except _Damaged:
        _remove(path)
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # used now: the last to be pruned
    return meta


def _this_runs_meta(
    bundle: Path, run: RunKey, log_path: Path, timings: dict[str, float]
) -> dict[str, Any]:
    """Rewrite a copied meta.json as this run's: `created` now, `input` this run's path,
    `timings` this run's stages so far (the dict itself, as a cold run's). Returns it without
    `bundle_version`, as `ClusterResult.meta` is."""
    from twitchtopics.safe_output import json_text

    file = bundle / "meta.json"
    try:
        meta = json.loads(file.read_text(encoding="utf-8"))
        source = meta["input"]
        if source["sha256"] != run.log_sha256:
            raise _Damaged
    except (ValueError, KeyError, TypeError) as exc:
        raise _Damaged from exc
    meta["created"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    source["path"], source["name"] = str(log_path), log_path.name
    meta["timings"] = timings
    file.write_text(json_text(meta) + "\n", encoding="utf-8")
    return {name: value for name, value in meta.items() if name != "bundle_version"}


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def remember(run: RunKey, bundle: Path, meta: Mapping[str, Any]) -> None:
    """Keep the files of the bundle this run just wrote, under its key. Read through the
    folder as opened (a concurrent run swapping another bundle in cannot mix two) and only
    when its meta.json is this run's. A cache that cannot be written only costs speed."""
    with contextlib.suppress(OSError, _Damaged):
        with _opened_files(bundle) as handles:
            _check_is_this_run(handles.get("meta.json"), run, meta)
            entry = entry_path(folder.cache_dir(), run.key)
            files = [_describe(name, handle) for name, handle in handles.items()]
            header = json.dumps({"version": ENTRY_VERSION, "files": files}).encode() + b"\n"

            def write(out: Any) -> None:
                out.write(header)
                for handle in handles.values():
                    handle.seek(0)
                    while block := handle.read(CHUNK):
                        out.write(block)

            from twitchtopics.safe_output import atomic_save

            atomic_save(entry, write)
        folder.prune_entries(entry.parent, "*.run", MAX_BYTES, keep=entry)


@contextlib.contextmanager
def _opened_files(bundle: Path) -> Any:
    """Every file of a bundle folder, opened through the folder's descriptor, by name."""
    if os.open not in os.supports_dir_fd:
        raise _Damaged  # no way to read one folder's files for sure
    directory = os.open(bundle, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    handles: dict[str, Any] = {}
    try:
        for name in sorted(os.listdir(directory)):
            handle = os.fdopen(os.open(name, os.O_RDONLY, dir_fd=directory), "rb")
            handles[name] = handle
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise _Damaged
        yield handles
    finally:
        for handle in handles.values():
            handle.close()
        os.close(directory)


def _check_is_this_run(handle: Any, run: RunKey, meta: Mapping[str, Any]) -> None:
    """Raise `_Damaged` unless the opened meta.json is the one this run wrote."""
    from twitchtopics.safe_output import json_text

    if handle is None:
        raise _Damaged
    try:
        written = json.loads(handle.read())
        same = (
            written["created"] == meta["created"]
            and written["input"]["sha256"] == run.log_sha256
            and written["params"] == json.loads(json_text(meta["params"]))
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise _Damaged from exc
    if not same:
        raise _Damaged


def _describe(name: str, handle: Any) -> dict[str, Any]:
    """An entry header's line for one file: name, size, sha256."""
    handle.seek(0)
    digest, size = hashlib.sha256(), 0
    while block := handle.read(CHUNK):
        digest.update(block)
        size += len(block)
    return {"name": name, "size": size, "sha256": digest.hexdigest()}


# ----------------------------------------------------------------- the CLI's pandas-free key


def defaults_path(cache_dir: str | os.PathLike[str], code: str) -> Path:
    return Path(cache_dir) / RUNS_FOLDER / f"options-{code[:32]}.json"


def remember_defaults(defaults: Mapping[str, Any] | None) -> None:
    """Record `run_request(ClusterOptions())` for this package's code, so that the CLI makes
    a request from its flags without importing `pipeline` (numpy and pandas: 0.35 s)."""
    code = package_fingerprint()
    if code is None or defaults is None:
        return
    path = defaults_path(folder.cache_dir(), code)
    if path.is_file():
        return
    from twitchtopics.safe_output import atomic_write_bytes

    with contextlib.suppress(OSError):
        atomic_write_bytes(path, json.dumps({"code": code, "defaults": dict(defaults)}).encode())


def request_from_values(values: Mapping[str, Any]) -> dict[str, Any] | None:
    """The `run_request` of `ClusterOptions(**values)`, from the defaults `remember_defaults`
    recorded for this code; None when they are not recorded or `values` names another field.
    A plain dataclass: its fields are its defaults updated with the values given."""
    code = package_fingerprint()
    if code is None:
        return None
    try:
        recorded = json.loads(defaults_path(folder.cache_dir(), code).read_text("utf-8"))
        defaults = recorded["defaults"]
        if recorded["code"] != code or not isinstance(defaults, dict):
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    given = {name: value for name, value in values.items() if name != "use_cache"}
    if not set(given) <= set(defaults):
        return None
    return _canonical({**defaults, **given})
