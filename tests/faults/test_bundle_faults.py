"""Bundle writes: never a traceback, never the previous bundle lost, never a hidden bundle,
never a user's file replaced; damaged bundles refused in one line (issue 16)."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.bundle_factory import make_bundle, messages_frame, standard_rows, topics_list
from tests.faults.helpers import assert_one_line_error, invoke, td_lines
from twitchtopics import bundle as bundle_module
from twitchtopics import bundle_safety
from twitchtopics.bundle import bundle_path_for, find_latest_bundle, load_bundle, save_bundle
from twitchtopics.errors import BundleError

REPO = Path(__file__).resolve().parents[2]


def _save(target: Path) -> Path:
    frame = messages_frame(standard_rows())
    return save_bundle(target, frame, topics_list(frame), {"counts": {"read": len(frame)}})


def _log(tmp_path: Path) -> Path:
    path = tmp_path / "stream.txt"
    path.write_text("\n".join(td_lines(120)) + "\n")
    return path


# --------------------------------------------------------------------- bad targets


@pytest.mark.parametrize(
    "out",
    ["taken.twitchtopics", "afile", "/dev/null", "/proc/self", "/proc/self/status"],
)
def test_bad_out_is_one_line_before_any_work(tmp_path, monkeypatch, fake_embedder, out) -> None:
    if out.startswith("/proc") and not os.path.isdir("/proc/self"):
        pytest.skip("no /proc")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken.twitchtopics").write_text("my notes, not a bundle")
    (tmp_path / "afile").write_text("x")
    result = invoke("cluster", str(_log(tmp_path)), "--quiet", "--no-cache", "--out", out)
    assert_one_line_error(result)
    assert fake_embedder.calls == 0  # refused before embedding
    assert (tmp_path / "taken.twitchtopics").read_text() == "my notes, not a bundle"


def test_folder_that_is_not_a_bundle_is_never_replaced(tmp_path: Path) -> None:
    folder = tmp_path / "mine.twitchtopics"
    folder.mkdir()
    (folder / "thesis.tex").write_text("precious")
    with pytest.raises(BundleError, match="not a bundle"):
        _save(folder)
    assert (folder / "thesis.tex").read_text() == "precious"


def test_unwritable_folder_is_one_line(tmp_path, monkeypatch, fake_embedder) -> None:
    from twitchtopics import bundle_safety

    monkeypatch.chdir(tmp_path)
    real_access = os.access
    monkeypatch.setattr(
        bundle_safety.os,
        "access",
        lambda p, mode, **k: (
            False if (mode & os.W_OK) and Path(p) == tmp_path else real_access(p, mode)
        ),
    )
    err = assert_one_line_error(invoke("cluster", str(_log(tmp_path)), "--quiet", "--no-cache"))
    assert "not writable" in err


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EDQUOT])
def test_disk_errors_while_writing_are_one_line(tmp_path, monkeypatch, fake_embedder, code):
    monkeypatch.chdir(tmp_path)
    real = bundle_module.write_json

    def failing(path, data):
        if path.name == "meta.json":
            raise OSError(code, os.strerror(code), str(path))
        return real(path, data)

    monkeypatch.setattr(bundle_module, "write_json", failing)
    err = assert_one_line_error(invoke("cluster", str(_log(tmp_path)), "--quiet", "--no-cache"))
    assert os.strerror(code) in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stream.txt"]  # no temporary left


def test_read_only_mount_when_creating_the_temporary_folder(tmp_path, monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(tmp_path))

    monkeypatch.setattr(bundle_safety.tempfile, "mkdtemp", refuse)
    with pytest.raises(BundleError, match="Read-only file system"):
        _save(tmp_path / "x.twitchtopics")


def test_unwritable_current_folder_from_the_cli(tmp_path, monkeypatch, fake_embedder) -> None:
    from twitchtopics import bundle_safety

    log = _log(tmp_path)
    cwd = tmp_path / "ro"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    real_access = os.access
    monkeypatch.setattr(
        bundle_safety.os,
        "access",
        lambda p, mode, **k: False if Path(p) in (Path("."), cwd) else real_access(p, mode),
    )
    assert_one_line_error(invoke("cluster", str(log), "--quiet", "--no-cache"))


# ------------------------------------------------------------------------- names


@pytest.mark.parametrize("name", ["..txt", ".log", "...", ".hidden.json.gz"])
def test_no_log_name_makes_a_hidden_bundle(name: str) -> None:
    assert not bundle_path_for(name).name.startswith(".")
    assert bundle_path_for(name).name.endswith(".twitchtopics")


# --------------------------------------------------------------- damaged bundles


@pytest.mark.parametrize(
    "file, content",
    [
        ("meta.json", "[]"),
        ("meta.json", "null"),
        ("meta.json", "{broken"),
        ("topics.json", '{"topics": 5}'),
        ("topics.json", "[]"),
        ("topics.json", '{"topics": [5]}'),
        ("topics.json", '{"topics": [{"size": 3}]}'),
        ("messages.parquet", "not parquet"),
        ("messages.parquet", ""),
    ],
)
def test_damaged_bundle_is_one_line(tmp_path: Path, file: str, content: str) -> None:
    bundle = make_bundle(tmp_path)
    (bundle / file).write_text(content)
    with pytest.raises(BundleError):
        load_bundle(bundle)
    assert_one_line_error(invoke("report", str(bundle)))


# ------------------------------------------------------------ kills and leftovers


def test_previous_bundle_hidden_by_a_kill_is_recovered(tmp_path: Path) -> None:
    target = _save(tmp_path / "x.twitchtopics")
    hidden = tmp_path / ".x.twitchtopics.old-999999999"  # a PID that cannot be alive
    os.replace(target, hidden)
    bundle = load_bundle(target)
    assert bundle.path == target and target.is_dir() and not hidden.exists()


def test_find_latest_recovers_a_hidden_bundle(tmp_path: Path) -> None:
    target = _save(tmp_path / "x.twitchtopics")
    os.replace(target, tmp_path / ".x.twitchtopics.old-999999999")
    assert find_latest_bundle(tmp_path) == target


def test_stale_temporary_folders_are_cleaned(tmp_path: Path) -> None:
    stale = tmp_path / ".x.twitchtopics.tmp-999999999-abcd"
    stale.mkdir()
    (stale / "messages.parquet").write_bytes(b"half")
    old = tmp_path / ".x.twitchtopics.old-999999999"
    old.mkdir()
    _save(tmp_path / "x.twitchtopics")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.twitchtopics"]


def test_a_live_runs_temporary_folder_is_left_alone(tmp_path: Path) -> None:
    live = tmp_path / f".x.twitchtopics.tmp-{os.getppid()}-abcd"
    live.mkdir()
    _save(tmp_path / "x.twitchtopics")
    assert live.exists()


KILL_BETWEEN_RENAMES = textwrap.dedent(
    """
    import os, signal, sys
    sys.path.insert(0, {repo!r})
    from tests.bundle_factory import messages_frame, standard_rows, topics_list
    from twitchtopics import bundle
    real = os.replace
    def replace(src, dst):
        real(src, dst)
        if ".old-" in str(dst):
            os.kill(os.getpid(), signal.SIGKILL)   # kill -9 between the two renames
    bundle.os.replace = replace
    frame = messages_frame(standard_rows())
    bundle.save_bundle({target!r}, frame, topics_list(frame), {{"counts": {{"read": 1}}}})
    """
)


@pytest.mark.slow
def test_kill_9_between_the_renames_loses_nothing(tmp_path: Path) -> None:
    target = _save(tmp_path / "x.twitchtopics")
    script = KILL_BETWEEN_RENAMES.format(repo=str(REPO), target=str(target))
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True)
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]
    assert not target.exists()  # the state a kill leaves: the previous bundle hidden
    assert any(p.name.startswith(".x.twitchtopics.old-") for p in tmp_path.iterdir())
    assert find_latest_bundle(tmp_path) == target
    assert len(load_bundle(target).messages) == len(standard_rows())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.twitchtopics"]


KILL_WHILE_WRITING = textwrap.dedent(
    """
    import os, signal, sys
    sys.path.insert(0, {repo!r})
    from tests.bundle_factory import messages_frame, standard_rows, topics_list
    from twitchtopics import bundle
    real = bundle.write_json
    def write_json(path, data):
        real(path, data)
        if path.name == {when!r}:
            os.kill(os.getpid(), signal.SIGKILL)
    bundle.write_json = write_json
    frame = messages_frame(standard_rows())
    bundle.save_bundle({target!r}, frame, topics_list(frame), {{"counts": {{"read": 1}}}})
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("when", ["topics.json", "meta.json"])
def test_kill_9_while_writing_keeps_the_previous_bundle(tmp_path: Path, when: str) -> None:
    target = _save(tmp_path / "x.twitchtopics")
    before = (target / "meta.json").read_text()
    script = KILL_WHILE_WRITING.format(repo=str(REPO), target=str(target), when=when)
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True)
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]
    assert (target / "meta.json").read_text() == before
    _save(target)  # the next write cleans the dead run's temporary folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.twitchtopics"]


CONCURRENT = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {repo!r})
    from tests.bundle_factory import messages_frame, standard_rows, topics_list
    from twitchtopics.bundle import save_bundle
    frame = messages_frame(standard_rows())
    for i in range(15):
        save_bundle({target!r}, frame, topics_list(frame), {{"counts": {{"read": i}}}})
    """
)


@pytest.mark.slow
def test_concurrent_runs_to_the_same_out_take_turns(tmp_path: Path) -> None:
    target = tmp_path / "same.twitchtopics"
    script = CONCURRENT.format(repo=str(REPO), target=str(target))
    procs = [
        subprocess.Popen([sys.executable, "-c", script], cwd=REPO, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    errors = [p.communicate()[1].decode() for p in procs]
    assert all(p.returncode == 0 for p in procs), errors
    assert len(load_bundle(target).messages) == len(standard_rows())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["same.twitchtopics"]


@pytest.mark.slow
def test_concurrent_cli_runs_to_the_same_out(tmp_path: Path) -> None:
    log = _log(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "twitchtopics", "cluster", str(log), "--model", "hashing"]
    cmd += ["--quiet", "--out", str(tmp_path / "out")]
    procs = [
        subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    errors = [p.communicate(timeout=300)[1].decode() for p in procs]
    assert all(p.returncode == 0 for p in procs), errors
    assert all("Traceback" not in e for e in errors)
    assert json.loads((tmp_path / "out" / "stream.twitchtopics" / "meta.json").read_text())


def test_a_target_seen_mid_swap_is_looked_at_again_under_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another run's swap (old bundle aside, new one in) can fall between `check_target`'s
    reads, and the bundle then looks like a folder that is not one: the check reads it again
    under the swap lock, where no swap is half done, and only refuses what is still foreign."""
    target = tmp_path / "same.twitchtopics"
    answers = iter(["it is a folder that is not a bundle", None])
    monkeypatch.setattr(bundle_safety, "_refusal", lambda path: next(answers))
    locked: list[Path] = []
    real_lock = bundle_safety.swap_lock

    def recording_lock(path: Path):  # noqa: ANN202 - a context manager
        locked.append(path)
        return real_lock(path)

    monkeypatch.setattr(bundle_safety, "swap_lock", recording_lock)
    bundle_safety.check_target(target)  # the second look, under the lock, finds it fine
    assert locked == [target]
    monkeypatch.undo()
    (target / "notes.txt").parent.mkdir()
    (target / "notes.txt").write_text("mine")
    with pytest.raises(BundleError, match="is a folder that is not a bundle"):
        bundle_safety.check_target(target)
