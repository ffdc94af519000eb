"""Stage timings and progress bars on stderr."""

from __future__ import annotations

import time

from twitchtopics import progress
from twitchtopics.progress import StageProgress, Stages


def test_stages_time_each_stage_and_add_repeats() -> None:
    stages = Stages(quiet=True)
    with stages.stage("read") as p:
        assert isinstance(p, StageProgress)
        p.total(3)  # a no-op without a bar
        p.update()
    with stages.stage("read"):
        time.sleep(0.01)
    assert set(stages.timings) == {"read"} and stages.timings["read"] >= 0.01
    assert stages.total == stages.timings["read"]


def test_quiet_prints_nothing(capsys) -> None:
    with Stages(quiet=True).stage("embed", "10 texts"):
        pass
    assert capsys.readouterr() == ("", "")


def test_long_stage_shows_a_bar_on_stderr_only(capsys, monkeypatch) -> None:
    monkeypatch.setattr(progress, "BAR_DELAY_S", 0.05)
    monkeypatch.setattr(progress, "TICK_S", 0.02)
    stages = Stages(label="a.log")
    with stages.stage("keywords") as p:
        p.total(4)
        for _ in range(4):
            p.update()
            time.sleep(0.05)
    out, err = capsys.readouterr()
    assert out == ""
    assert "[a.log] keywords..." in err
    assert "[a.log] keywords:" in err and "4/4" in err


def test_elapsed_bar_without_counts_and_no_bar_when_off(capsys, monkeypatch) -> None:
    monkeypatch.setattr(progress, "BAR_DELAY_S", 0.05)
    monkeypatch.setattr(progress, "TICK_S", 0.02)
    with Stages().stage("reduce"):
        time.sleep(0.2)
    assert "reduce: 00:00" in capsys.readouterr().err
    with Stages(bars=False).stage("reduce"):
        time.sleep(0.2)
    assert capsys.readouterr().err == "reduce...\n"
    with Stages().stage("reduce"):  # quick: the line, no bar
        pass
    assert capsys.readouterr().err == "reduce...\n"


def test_a_one_log_process_freezes_what_survives_each_stage() -> None:
    """`freeze_survivors` (the `cluster` command on one log) moves what is alive after a
    stage out of the collector's reach; the default (the library) leaves the collector alone."""
    import gc

    gc.unfreeze()
    try:
        with Stages(quiet=True).stage("read"):
            kept = [[i] for i in range(1000)]
        assert gc.get_freeze_count() == 0
        with Stages(quiet=True, freeze_survivors=True).stage("read"):
            kept.append([0])
        assert gc.get_freeze_count() >= len(kept)
    finally:
        gc.unfreeze()


def test_the_cluster_command_gives_back_what_it_froze(tmp_path, fake_embedder) -> None:
    """A one-log `cluster` freezes after each stage and unfreezes at the end: a caller running
    the command in its own process (tests, a notebook) keeps a working collector."""
    import gc

    from click.testing import CliRunner

    from tests.conftest import write_topic_log
    from twitchtopics.cli import cli

    log = write_topic_log(tmp_path / "stream.txt")
    gc.unfreeze()
    result = CliRunner().invoke(
        cli, ["cluster", str(log), "--quiet", "--no-cache", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert gc.get_freeze_count() == 0
