"""Freed memory goes back to the system after each stage (glibc), and nothing breaks elsewhere."""

from __future__ import annotations

import sys

import pytest

from twitchtopics import memory
from twitchtopics.progress import Stages


def test_release_says_whether_the_c_library_can_trim() -> None:
    assert memory.release_freed_memory() is (memory._malloc_trim() is not None)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_a_large_freed_array_leaves_the_process() -> None:
    """Mid-sized blocks (below mmap's threshold, so on the heap) between small ones that stay:
    freed, they are holes that free() alone never returns (measured: 0 MiB back without the
    trim, 174 MiB with it)."""

    def rss_mib() -> float:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS"):
                    return int(line.split()[1]) / 1024
        raise AssertionError("no VmRSS")

    if memory._malloc_trim() is None:
        pytest.skip("not glibc")
    blocks, pins = [], []
    for _ in range(3000):  # ~190 MiB in 64 KiB blocks, zero-filled so their pages are real
        blocks.append(bytearray(64 * 1024))
        pins.append(bytearray(1024))
    before = rss_mib()
    del blocks
    memory.release_freed_memory()
    assert rss_mib() < before - 100
    assert len(pins) == 3000


def test_every_stage_ends_with_a_release(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(memory, "release_freed_memory", lambda: calls.append(1) or True)
    stages = Stages(quiet=True)
    with stages.stage("one"):
        pass
    with pytest.raises(ValueError), stages.stage("two"):
        raise ValueError("a failing stage releases too")
    assert len(calls) == 2 and set(stages.timings) == {"one", "two"}


def test_collector_paused_inside_and_as_it_was_after() -> None:
    import gc

    import pytest

    from twitchtopics.memory import collector_paused

    was_enabled = gc.isenabled()
    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            with collector_paused():
                assert not gc.isenabled()
            assert gc.isenabled() is enabled
            with pytest.raises(KeyError), collector_paused():
                raise KeyError("x")
            assert gc.isenabled() is enabled
    finally:
        (gc.enable if was_enabled else gc.disable)()


def test_describe_leaves_the_collector_on() -> None:
    import gc

    import pandas as pd

    from twitchtopics.pipeline import describe_all

    messages = pd.DataFrame(
        {
            "time": pd.date_range("2024-05-17 19:00", periods=4, freq="5s", tz="UTC"),
            "offset_s": [0.0, 5.0, 10.0, 15.0],
            "user": ["a", "b", "c", "d"],
            "text": ["quel banger", "quel banger wow", "KEKW", "KEKW"],
            "kind": ["chat"] * 4,
            "clean": ["quel banger", "quel banger wow", "KEKW", "KEKW"],
            "topic": [0, 0, 1, 1],
            "theme": [0, 0, 1, 1],
            "silhouette": [0.5, 0.5, 0.4, 0.4],
            "centrality": [1.0, 0.9, 1.0, 1.0],
        }
    )
    assert gc.isenabled()
    topics, _ = describe_all(messages, frozenset({"KEKW"}), 5)
    assert [t["size"] for t in topics] == [2, 2]
    assert gc.isenabled()


def test_collector_paused_promotes_survivors_unfrozen() -> None:
    """A paused block's survivors go to the oldest generation, still collectable; nothing is
    left frozen unless survivors were frozen already (`Stages.freeze_survivors`)."""
    import gc

    from twitchtopics.memory import collector_paused

    was_enabled = gc.isenabled()
    gc.enable()
    try:
        with collector_paused():
            kept = [[i] for i in range(10)]
        assert gc.get_freeze_count() == 0
        old = {id(o) for o in gc.get_objects(generation=2)}
        assert all(id(item) in old for item in kept)
        gc.freeze()
        with collector_paused():
            more = [[i] for i in range(10)]
        assert gc.get_freeze_count() >= len(more)
    finally:
        gc.unfreeze()
        (gc.enable if was_enabled else gc.disable)()
