"""`cache/vector_blocks.py`: a fast model's vectors of a log's distinct texts, remembered as one block."""

from __future__ import annotations

import numpy as np

from twitchtopics.cache.vector_blocks import block_key, entry_path, load_block, save_block


def test_a_block_comes_back_exactly_and_only_for_its_texts_and_model(tmp_path):
    vectors = np.random.default_rng(0).normal(size=(4, 8)).astype(np.float32)
    key = block_key("static:abc", ["a", "b", "c", "d"])
    save_block(tmp_path, key, vectors)
    assert np.array_equal(load_block(tmp_path, key, (4, 8)), vectors)
    assert load_block(tmp_path, key, (5, 8)) is None  # the wrong shape is never trusted
    assert block_key("static:abc", ["a", "b", "c", "e"]) != key
    assert block_key("static:abd", ["a", "b", "c", "d"]) != key
    assert block_key("static:abc", ["ab", "cd"]) != block_key("static:abc", ["a", "bcd"])


def test_a_broken_block_is_recomputed_not_trusted(tmp_path):
    key = block_key("static:abc", ["a"])
    path = entry_path(tmp_path, key)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not an npy file")
    assert load_block(tmp_path, key, (1, 8)) is None


def test_a_warm_static_run_reads_the_block_and_groups_the_same(tmp_path, monkeypatch):
    """The second run takes the vectors from the block (the model is not asked to encode)
    and gives the same topics."""
    from tests.conftest import write_topic_log
    from twitchtopics.embed.static import PackagedStaticEmbedder
    from twitchtopics.runs import ClusterOptions, cluster_log

    monkeypatch.setenv("TWITCHTOPICS_CACHE_DIR", str(tmp_path / "cache"))
    log = write_topic_log(tmp_path / "stream.txt")
    first = cluster_log(log, ClusterOptions(model="static"), out=tmp_path / "a.twitchtopics")
    assert list((tmp_path / "cache" / "vector-blocks").glob("*.npy"))

    def no_encoding(self, texts):
        raise AssertionError("a warm run must read the block")

    monkeypatch.setattr(PackagedStaticEmbedder, "encode", no_encoding)
    second = cluster_log(log, ClusterOptions(model="static"), out=tmp_path / "b.twitchtopics")
    assert first.messages["topic"].tolist() == second.messages["topic"].tolist()
    assert first.topics == second.topics
