"""The run cache (`twitchtopics.cache.runs`): an identical rerun copies its bundle back, the
same bundle a cold run writes; anything that could change the bundle is a miss."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import write_topic_log
from twitchtopics.cache import runs as runs_cache
from twitchtopics.cli import cli

RUN_ARGS = ("--model", "hashing", "--quiet")
REWRITTEN_META = ("created", "input", "timings")


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("TWITCHTOPICS_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def log(tmp_path) -> Path:
    return write_topic_log(tmp_path / "stream.txt")


def run(log: Path, out: Path, *args: str) -> str:
    result = CliRunner().invoke(
        cli, ["cluster", str(log), "--out", str(out), *RUN_ARGS, *args], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def meta_of(bundle: Path) -> dict:
    return json.loads((bundle / "meta.json").read_text(encoding="utf-8"))


def reused(bundle: Path) -> bool:
    return "reuse" in meta_of(bundle)["timings"]


def assert_same_bundle(cold: Path, warm: Path) -> None:
    """Every file byte for byte, meta.json aside: equal but for what a run makes its own."""
    names = sorted(p.name for p in cold.iterdir())
    assert names == sorted(p.name for p in warm.iterdir())
    for name in names:
        if name != "meta.json":
            assert (cold / name).read_bytes() == (warm / name).read_bytes(), name
    a, b = meta_of(cold), meta_of(warm)
    assert list(a) == list(b)
    assert {k: v for k, v in a.items() if k not in REWRITTEN_META} == {
        k: v for k, v in b.items() if k not in REWRITTEN_META
    }
    assert {k: v for k, v in a["input"].items() if k not in ("path", "name")} == {
        k: v for k, v in b["input"].items() if k not in ("path", "name")
    }


def without_seconds(text: str) -> str:
    data = json.loads(text)
    data["summary"].pop("seconds")
    return json.dumps(data)


def test_a_rerun_reuses_the_same_bundle(cache, log, tmp_path) -> None:
    cold_json = run(log, tmp_path / "a.twitchtopics", "--json", "--top", "0")
    assert not reused(tmp_path / "a.twitchtopics")
    warm_json = run(log, tmp_path / "a.twitchtopics", "--json", "--top", "0")
    assert reused(tmp_path / "a.twitchtopics")
    assert without_seconds(cold_json) == without_seconds(warm_json)
    other = tmp_path / "elsewhere" / "b.twitchtopics"
    run(log, other, "--json", "--top", "0")
    assert_same_bundle(tmp_path / "a.twitchtopics", other)
    meta = meta_of(other)
    assert meta["input"]["path"] == str(log) and meta["input"]["name"] == log.name
    assert set(meta["timings"]) == {"run cache", "reuse"}  # nothing read, nothing clustered


@pytest.mark.parametrize("flags", [("--top", "3"), ("--json", "--top", "2"), ("--scores",)])
def test_the_printout_is_the_cold_runs(cache, log, tmp_path, flags) -> None:
    out = tmp_path / "x.twitchtopics"
    cold = run(log, out, "--no-cache", *flags)  # made, not stored
    run(log, out, "--top", "0")  # stored
    warm = run(log, out, *flags)
    assert reused(out)
    if "--json" in flags:
        assert without_seconds(cold) == without_seconds(warm)
    else:  # all but the summary line's seconds
        assert cold.splitlines()[:-2] == warm.splitlines()[:-2]
        assert cold.splitlines()[-1] == warm.splitlines()[-1]  # bundle: PATH


def test_the_stage_line_says_so(cache, log, tmp_path) -> None:
    out = tmp_path / "x.twitchtopics"
    run(log, out)
    result = CliRunner().invoke(cli, ["cluster", str(log), "--out", str(out), "--model", "hashing"])
    assert "reuse: the bundle of an identical run (run cache)" in result.stderr


@pytest.mark.parametrize(
    "flags", [("--seed", "7"), ("--bots", "viewer1"), ("--tz", "Europe/Paris"), ("--no-cache",)]
)
def test_another_option_or_no_cache_is_not_reused(cache, log, tmp_path, flags) -> None:
    out = tmp_path / "x.twitchtopics"
    run(log, out)
    run(log, out, *flags)
    assert not reused(out)


def test_a_changed_byte_is_not_reused(cache, log, tmp_path) -> None:
    out = tmp_path / "x.twitchtopics"
    run(log, out)
    data = bytearray(log.read_bytes())
    data[data.index(b"carbonara")] = ord("C")
    log.write_bytes(bytes(data))
    run(log, out)
    assert not reused(out)
    assert meta_of(out)["input"]["sha256"] == hashlib.sha256(log.read_bytes()).hexdigest()


def test_the_same_bytes_at_another_path_are_made_again(cache, log, tmp_path) -> None:
    """The path is in the key: the readers take hints from the name (as the read cache's)."""
    run(log, tmp_path / "x.twitchtopics")
    copy = tmp_path / "copy" / "other.txt"
    copy.parent.mkdir()
    shutil.copy(log, copy)
    run(copy, tmp_path / "y.twitchtopics")
    assert not reused(tmp_path / "y.twitchtopics")


def test_a_registered_fake_is_never_reused(cache, log, tmp_path, fake_embedder) -> None:
    out = tmp_path / "x.twitchtopics"
    run(log, out)  # --model hashing, but a registry changed at run time
    run(log, out)
    assert not reused(out)
    assert not list(cache.glob("runs/*.run"))


def test_only_built_in_components_are_reused(log, tmp_path) -> None:
    from twitchtopics.registry import builtin_run
    from twitchtopics.runs import ClusterOptions

    def request(options):
        return runs_cache.run_request(options)

    assert builtin_run(request(ClusterOptions()))
    assert builtin_run(request(ClusterOptions(model="minilm", method="hdbscan")))
    model_folder = tmp_path / "my-model"
    model_folder.mkdir()
    for options in (
        ClusterOptions(model=str(model_folder)),
        ClusterOptions(model="sentence-transformers/all-MiniLM-L6-v2"),
        ClusterOptions(labeler=str(model_folder)),
        ClusterOptions(method="mine"),
    ):
        assert not builtin_run(request(options)), options
    assert runs_cache.run_key(log, request(ClusterOptions()), builtin=False) is None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_never_reused(tmp_path) -> None:
    from twitchtopics.runs import ClusterOptions

    fifo = tmp_path / "chat.txt"
    os.mkfifo(fifo)
    request = runs_cache.run_request(ClusterOptions())
    assert runs_cache.run_key(fifo, request, builtin=True) is None


def test_the_key_holds_every_option_and_the_environment(log, monkeypatch) -> None:
    from dataclasses import fields

    from twitchtopics.runs import ClusterOptions

    base = runs_cache.run_request(ClusterOptions())
    assert set(base) == {f.name for f in fields(ClusterOptions)} - {"use_cache"}
    assert runs_cache.run_request(ClusterOptions(use_cache=False)) == base
    key = runs_cache.run_key(log, base, builtin=True)
    changed = {
        "keywords": 5,
        "include": ["chat", "action", "command"],
        "columns": {"text": "msg"},
        "format": "twitchdownloader-text",
        "start": "2024-01-01 20:00",
        "time_scale": 600.0,
        "n_neighbors": 10,
    }
    for name, value in changed.items():
        assert runs_cache.run_key(log, {**base, name: value}, builtin=True) != key, name
    monkeypatch.setenv("TWITCHTOPICS_PRECISION", "fp32")
    fp32 = runs_cache.run_key(log, base, builtin=True)
    monkeypatch.setenv("TWITCHTOPICS_PRECISION", "bf16")
    assert runs_cache.run_key(log, base, builtin=True) != fp32


def test_the_code_and_its_version_constants_are_in_the_key(tmp_path, monkeypatch) -> None:
    """Every file of the package is hashed: bumping GROUPING_VERSION (or any constant) or
    editing any module changes the key."""
    from twitchtopics.cache import folder

    copy = tmp_path / "twitchtopics"
    shutil.copytree(folder.package_root(), copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(folder, "package_root", lambda: copy)
    runs_cache.package_fingerprint.cache_clear()
    try:
        before = runs_cache.package_fingerprint()
        groupings = copy / "cache" / "groupings.py"
        groupings.write_text(
            groupings.read_text().replace('GROUPING_VERSION = "', 'GROUPING_VERSION = "x')
        )
        runs_cache.package_fingerprint.cache_clear()
        assert runs_cache.package_fingerprint() not in (None, before)
    finally:
        runs_cache.package_fingerprint.cache_clear()


def test_the_cli_key_is_the_librarys(cache, log, tmp_path) -> None:
    """The CLI keys a run from its flags and the recorded defaults, without `pipeline`; it
    must be the key `cluster_log` stores under."""
    from twitchtopics.cli._options import command_line_values
    from twitchtopics.runs import ClusterOptions, cluster_log

    assert runs_cache.request_from_values({"seed": 1}) is None  # no defaults recorded yet
    cluster_log(log, ClusterOptions(), out=tmp_path / "x.twitchtopics")
    values = command_line_values(
        model=None,
        time_scale="auto",
        method="ward",
        min_cluster_size=None,
        seed=42,
        include=None,
        no_cache=False,
        fmt=None,
        columns=None,
        start=None,
        tz=None,
        bots=None,
    )
    values["labeler"] = None
    assert runs_cache.request_from_values(values) == runs_cache.run_request(ClusterOptions())
    assert runs_cache.request_from_values({**values, "no_such_option": 1}) is None


@pytest.mark.parametrize("damage", ["truncate", "flip", "header", "empty"])
def test_a_damaged_entry_is_a_miss_and_is_written_again(cache, log, tmp_path, damage) -> None:
    out = tmp_path / "x.twitchtopics"
    run(log, out)
    (entry,) = (cache / "runs").glob("*.run")
    good = entry.read_bytes()
    bad = {
        "truncate": good[: len(good) - 100],
        "flip": good[:-50] + bytes([good[-50] ^ 1]) + good[-49:],
        "header": b"{not json\n" + good,
        "empty": b"",
    }[damage]
    entry.write_bytes(bad)
    run(log, out)
    assert not reused(out)  # made again, not a crash
    assert entry.read_bytes() != bad  # and stored again (its meta.json that run's)
    run(log, out)
    assert reused(out)


def test_cluster_log_gives_the_same_result(cache, log, tmp_path) -> None:
    import numpy as np
    import pandas as pd

    from twitchtopics.bundle import load_bundle
    from twitchtopics.runs import ClusterOptions, cluster_log

    options = ClusterOptions(model="hashing")
    cold = cluster_log(log, options, out=tmp_path / "a.twitchtopics")
    warm = cluster_log(log, options, out=tmp_path / "b.twitchtopics")
    assert "reuse" in warm.timings and "read" not in warm.timings
    assert warm.path == tmp_path / "b.twitchtopics"
    assert warm.topics == json.loads((cold.path / "topics.json").read_text())["topics"]
    pd.testing.assert_frame_equal(warm.messages, load_bundle(cold.path).messages)
    assert sorted(warm.arrays) == sorted(cold.arrays)
    for name, array in cold.arrays.items():
        assert np.array_equal(warm.arrays[name], array)
    assert_same_bundle(cold.path, warm.path)


def test_an_out_that_is_not_a_bundle_is_still_refused(cache, log, tmp_path) -> None:
    out = tmp_path / "x.twitchtopics"
    run(log, out)
    taken = tmp_path / "taken.twitchtopics"
    taken.mkdir()
    (taken / "thesis.tex").write_text("precious")
    result = CliRunner().invoke(cli, ["cluster", str(log), "--out", str(taken), *RUN_ARGS])
    assert result.exit_code == 1 and "not a bundle" in result.stderr
    assert (taken / "thesis.tex").read_text() == "precious"


def test_several_logs_reuse_their_bundles(cache, tmp_path) -> None:
    logs = [write_topic_log(tmp_path / f"s{i}.txt", minutes=50 + i) for i in range(2)]
    args = ["cluster", *map(str, logs), "--out", str(tmp_path / "out"), *RUN_ARGS, "--jobs", "2"]
    assert CliRunner().invoke(cli, args, catch_exceptions=False).exit_code == 0
    bundles = sorted((tmp_path / "out").iterdir())
    assert len(bundles) == 2 and not any(reused(b) for b in bundles)
    assert CliRunner().invoke(cli, args, catch_exceptions=False).exit_code == 0
    assert all(reused(b) for b in bundles)
