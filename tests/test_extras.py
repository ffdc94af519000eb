"""Dependencies by use: a plain install runs cluster and report; a missing extra is one line."""

from __future__ import annotations

import os
import site
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, write_topic_log
from twitchtopics import extras
from twitchtopics.errors import MissingExtraError

OPTIONAL = ("bertopic", "accelerate", "datasets", "dask", "distributed")


def test_missing_extra_names_the_extra(monkeypatch):
    monkeypatch.setattr(extras, "_find", lambda module: None)
    with pytest.raises(MissingExtraError) as error:
        extras.require("train", "twitchtopics train")
    message = str(error.value)
    assert "'train' extra" in message and "pip install 'twitchtopics[train]'" in message
    assert "accelerate, datasets" in message and "\n" not in message


def test_train_checks_its_extra_first(monkeypatch):
    from twitchtopics.train import encoder as train

    monkeypatch.setattr(extras, "_find", lambda module: None)
    with pytest.raises(MissingExtraError, match="twitchtopics\\[train\\]"):
        train._check_training_deps()


def test_every_extra_is_in_pyproject():
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    for extra, modules in extras.EXTRAS.items():
        assert f"\n{extra} = [" in text
        for module in modules:
            assert module in text
    assert "twitchtopics[train,distributed,bertopic]" in text  # [test] installs them all


def _plain_site_packages(folder: Path) -> Path:
    """This environment's packages without the optional ones, as a plain install has them."""
    folder.mkdir()
    for root in site.getsitepackages():
        for entry in Path(root).iterdir():
            name = entry.name.lower()
            if name.startswith(OPTIONAL) or name.endswith(".pth") or "twitchtopics" in name:
                continue
            if name.startswith("__editable__") or (folder / entry.name).exists():
                continue
            (folder / entry.name).symlink_to(entry)
    return folder


@pytest.mark.slow
def test_a_plain_install_runs_cluster_and_report(tmp_path):
    packages = _plain_site_packages(tmp_path / "site")
    log = write_topic_log(tmp_path / "stream.txt")
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{packages}"}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-S", "-m", "twitchtopics", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    probe = subprocess.run(
        [
            sys.executable,
            "-S",
            "-c",
            f"import importlib.util as u, sys; sys.exit(any(u.find_spec(m) for m in {OPTIONAL!r}))",
        ],
        env=env,
        timeout=60,
    )
    assert probe.returncode == 0, "an optional package is still importable"
    clustered = run("cluster", str(log), "--quiet", "--top", "1")
    assert clustered.returncode == 0, clustered.stderr
    assert "#0 “" in clustered.stdout and "bundle: stream.twitchtopics" in clustered.stdout
    report = run("report", "stream.twitchtopics", "--top", "3")
    assert report.returncode == 0, report.stderr
    assert run("inspect", str(log)).returncode == 0
    exported = run("export", "stream.twitchtopics", "--bertopic", "bt")
    assert exported.returncode == 0, exported.stderr
    assert (tmp_path / "bt" / "topic_embeddings.safetensors").is_file()
    trained = run("train", str(log), "--out", "model")
    assert trained.returncode == 1
    assert "pip install 'twitchtopics[train]'" in trained.stderr
    assert len(trained.stderr.strip().splitlines()) == 1
