"""What makes a bundle write survive kills, concurrent runs and bad targets.

``save_bundle`` builds the new bundle in a hidden temporary sibling, then swaps it in with
two renames (old bundle aside, new one in). Between them a kill -9 would leave the previous
bundle hidden as ``.NAME.old-PID``; ``recover`` puts it back on the next read or write, and
removes what dead runs left (temporary folders, old copies whose new bundle is in place).
The swap runs under an exclusive lock on the bundle's folder so two runs writing the same
``--out`` take turns instead of failing with "Directory not empty". Every file is fsynced
before the renames. OS errors become one-line ``BundleError``s.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from twitchtopics.errors import BundleError

META_FILE = "meta.json"
_OLD = re.compile(r"^\.(?P<name>.+)\.old-(?P<pid>\d+)$")
_TMP = re.compile(r"^\.(?P<name>.+)\.tmp-(?P<pid>\d+)-[^/]*$")


def temp_prefix(target: Path) -> str:
    """``mkdtemp`` prefix of a bundle being built: carries the PID, so leftovers of dead runs
    can be told from the folders of runs still writing."""
    return f".{target.name}.tmp-{os.getpid()}-"


def old_path(target: Path) -> Path:
    """Where the previous bundle waits during the swap."""
    return target.with_name(f".{target.name}.old-{os.getpid()}")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def _leftovers(folder: Path, pattern: re.Pattern[str], name: str) -> Iterator[tuple[Path, int]]:
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        m = pattern.match(entry.name)
        if m and m["name"] == name:
            yield entry, int(m["pid"])


def recover(target: Path) -> None:
    """Repair what a killed run left around ``target``: a hidden previous bundle with no
    bundle in place is renamed back; old copies and temporary folders of dead runs go.
    Best effort: a folder that cannot be changed is left as it is."""
    folder, name = target.parent, target.name
    olds = sorted(
        (p for p, pid in _leftovers(folder, _OLD, name) if not _alive(pid)),
        key=lambda p: p.stat().st_mtime_ns if p.exists() else 0,
    )
    if olds and not target.exists() and (olds[-1] / META_FILE).is_file():
        with contextlib.suppress(OSError):
            os.replace(olds.pop(), target)
    for stale in olds:
        shutil.rmtree(stale, ignore_errors=True)
    for tmp, pid in _leftovers(folder, _TMP, name):
        if not _alive(pid):
            shutil.rmtree(tmp, ignore_errors=True)


def recover_folder(folder: Path, suffix: str) -> None:
    """``recover`` every bundle of ``folder`` that a killed run left hidden."""
    try:
        names = {m["name"] for p in folder.iterdir() if (m := _OLD.match(p.name))}
    except OSError:
        return
    for name in names:
        if name.endswith(suffix):
            recover(folder / name)


def check_target(target: Path, *, locked: bool = False) -> None:
    """Refuse, in one line and before any work, a bundle path that cannot be written: its
    folder is a file or cannot be created or written, or the path is a file or a folder
    that is not a bundle (never replaced: it could be anything of the user's).

    A path that looks foreign is looked at again under the swap lock (unless the caller
    holds it, `locked`): another run's swap moves the old bundle aside and the new one in
    between the checks' reads, and four runs saving one bundle at once, on a loaded
    machine, read such a half-seen swap as "a folder that is not a bundle"."""
    probe = Path(os.path.abspath(target)).parent
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise BundleError(f"cannot write {target}: {probe} is a file, not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise BundleError(f"cannot write {target}: {probe} is not writable")
    refusal = _refusal(target)
    if refusal is not None and not locked:
        with swap_lock(target):  # no swap half done now
            refusal = _refusal(target)
    if refusal is not None:
        raise BundleError(f"cannot write {target}: {refusal}")


def _refusal(target: Path) -> str | None:
    """Why `target` cannot be replaced by a bundle (a file, a link, a folder holding
    something else), or None."""
    try:
        if target.is_symlink() or (target.exists() and not target.is_dir()):
            return "it exists and is not a bundle folder"
        if target.is_dir() and not (target / META_FILE).is_file() and any(target.iterdir()):
            return "it is a folder that is not a bundle"
    except FileNotFoundError:  # moved aside by a swap while read
        return "it is being replaced"
    return None


@contextlib.contextmanager
def swap_lock(target: Path) -> Iterator[None]:
    """An exclusive lock for swapping a bundle: a ``flock`` on its folder (nothing is left
    behind; swaps take milliseconds, so one lock per folder is enough). A no-op where folder
    locks are not available."""
    try:
        import fcntl

        fd = os.open(target.parent, os.O_RDONLY)
    except (ImportError, OSError):  # pragma: no cover - not on Linux
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


@contextlib.contextmanager
def new_bundle(target: Path) -> Iterator[Path]:
    """A temporary folder beside ``target`` for the block to write a bundle into and
    ``install``; removed if the block ends without installing it (an error). OS errors become
    one-line ``BundleError``s. What `save_bundle` and a bundle reused from the run cache
    (`twitchtopics.cache.runs`) both write through."""
    check_target(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        recover(target)
        tmp = Path(tempfile.mkdtemp(prefix=temp_prefix(target), dir=target.parent))
    except OSError as exc:
        raise BundleError(os_error_message(target, exc)) from None
    try:
        yield tmp
    except OSError as exc:
        raise BundleError(os_error_message(target, exc)) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # nothing left once installed


def install(tmp: Path, target: Path) -> None:
    """fsync ``tmp``'s files, then swap it in as ``target`` under the folder's lock (the
    previous bundle aside, then removed)."""
    from twitchtopics.safe_output import fsync_dir

    fsync_tree(tmp)
    with swap_lock(target):
        check_target(target, locked=True)  # another run may have put something there
        old = None
        if target.exists():
            old = old_path(target)
            os.replace(target, old)
        os.replace(tmp, target)
        fsync_dir(target.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def fsync_tree(folder: Path) -> None:
    """fsync every file of a freshly written folder, then the folder itself."""
    for path in folder.iterdir():
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    from twitchtopics.safe_output import fsync_dir

    fsync_dir(folder)


def os_error_message(target: Path, exc: OSError) -> str:
    """One line for an OS error while writing a bundle (full disk, read-only, denied...)."""
    where = exc.filename or target
    return f"cannot write bundle {target}: {exc.strerror or exc} ({where})"
