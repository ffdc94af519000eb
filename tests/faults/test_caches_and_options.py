"""Caches that can only cost time, results that do not depend on what they hold, and option
values refused in one line by the library itself (issue 16)."""

from __future__ import annotations

import warnings
import zlib
from pathlib import Path

import numpy as np
import pytest

from tests.faults.helpers import assert_one_line_error, invoke, td_lines
from twitchtopics.cache.embeddings import CacheWarning, EmbeddingCache
from twitchtopics.embed.embedders import SentenceTransformerEmbedder, embed_texts
from twitchtopics.errors import TwitchTopicsError
from twitchtopics.pipeline import ClusterOptions

# ------------------------------------------------------------- cache-independent vectors


class _Vectors:
    def __init__(self, array: np.ndarray) -> None:
        self.array = array

    def float(self):
        return self

    def cpu(self):
        return self

    def numpy(self) -> np.ndarray:
        return self.array


class PaddingSensitiveModel:
    """A stand-in for a transformer whose vectors move a little with the padding of their
    batch, as MiniLM's did (up to 6e-4 in bfloat16): what made results depend on the cache."""

    max_seq_length = 64

    def get_sentence_embedding_dimension(self) -> int:
        return 16

    def tokenizer(self, texts, **kwargs):
        return {
            "input_ids": [
                [101, *(zlib.crc32(w.encode()) % 997 for w in t.split()), 102] for t in texts
            ]
        }

    def encode(self, texts, batch_size, **kwargs):
        ids = self.tokenizer(texts)["input_ids"]
        longest = max(len(i) for i in ids)
        out = np.zeros((len(texts), 16), dtype=np.float32)
        for row, seq in enumerate(ids):
            for token in seq:
                out[row, token % 16] += 1.0
            out[row, 0] += 1e-3 * (longest - len(seq))  # padding leaks into the vector
        return _Vectors(out / np.linalg.norm(out, axis=1, keepdims=True))


class RowCountSensitiveModel(PaddingSensitiveModel):
    """Vectors that also move with how many rows the forward pass holds, as MiniLM's did in
    bfloat16 (oneDNN picks its kernel by the matrix's size: up to 7e-4 apart)."""

    def encode(self, texts, batch_size, **kwargs):
        vectors = super().encode(texts, batch_size, **kwargs).numpy().copy()
        vectors[:, 1] += 1e-3 * (len(texts) % 7)
        return _Vectors(vectors / np.linalg.norm(vectors, axis=1, keepdims=True))


WORDS = "bonsoir le chat gg wp mdr ptdr le boss est trop fort non mais allo quoi".split()


def _texts(seed: int, n: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(WORDS, size=int(rng.integers(1, 12)))) for _ in range(n)]


def test_vectors_do_not_depend_on_what_the_cache_held(tmp_path: Path) -> None:
    emb = SentenceTransformerEmbedder(PaddingSensitiveModel(), name="fake", fingerprint="fake")
    log_a, log_b = _texts(1, 400), _texts(2, 400)  # overlapping texts, different mixes
    alone = embed_texts(log_b, emb, cache=None)
    with EmbeddingCache(tmp_path / "e.sqlite") as cache:
        embed_texts(log_a, emb, cache=cache)  # another log cached first
        after_a = embed_texts(log_b, emb, cache=cache)
        again = embed_texts(log_b, emb, cache=cache)  # everything cached now
    assert np.array_equal(alone, after_a)
    assert np.array_equal(alone, again)


def test_vectors_do_not_depend_on_how_many_texts_share_their_batch(tmp_path: Path) -> None:
    emb = SentenceTransformerEmbedder(RowCountSensitiveModel(), name="fake", fingerprint="fake")
    log_a, log_b = _texts(1, 400), _texts(2, 400)
    alone = embed_texts(log_b, emb, cache=None)
    assert np.array_equal(embed_texts(log_b[:37], emb, cache=None), alone[:37])
    with EmbeddingCache(tmp_path / "e.sqlite") as cache:
        embed_texts(log_a, emb, cache=cache)  # the texts left to embed make other batches
        assert np.array_equal(embed_texts(log_b, emb, cache=cache), alone)


# ------------------------------------------------------------------- damaged entries


def test_zero_byte_cache_entries_heal_instead_of_aborting(tmp_path, fake_embedder, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("TWITCHTOPICS_CACHE_DIR", str(cache))
    monkeypatch.chdir(tmp_path)
    log = tmp_path / "stream.txt"
    log.write_text("\n".join(td_lines(300)) + "\n")
    from twitchtopics.bundle import load_bundle

    first = invoke("cluster", str(log), "--quiet", "--json")
    assert first.exit_code == 0, first.output
    labels = load_bundle(tmp_path / "stream.twitchtopics").messages["topic"].tolist()
    entries = list(cache.glob("reductions/*.npy")) + list(cache.glob("groupings/*.npz"))
    assert entries
    for entry in entries:
        entry.write_bytes(b"")  # what a crash or power loss leaves without fsync
    second = invoke("cluster", str(log), "--quiet", "--json")
    assert second.exit_code == 0, second.output
    assert "Aborted" not in second.output
    assert load_bundle(tmp_path / "stream.twitchtopics").messages["topic"].tolist() == labels
    healed = list(cache.glob("reductions/*.npy")) + list(cache.glob("groupings/*.npz"))
    assert healed and all(p.stat().st_size > 0 for p in healed)
    assert not list(cache.rglob("*.tmp"))


def test_read_only_cache_folder_still_serves_vectors(tmp_path: Path, monkeypatch) -> None:
    from twitchtopics.cache import embeddings as embedding_cache

    path = tmp_path / "ro" / "embeddings.sqlite"
    vectors = np.eye(3, 4, dtype=np.float32)
    with EmbeddingCache(path) as cache:
        cache.put_many("m", ["a", "b", "c"], vectors)
    real_access = embedding_cache.os.access
    monkeypatch.setattr(
        embedding_cache.os,
        "access",
        lambda p, mode, **k: False if Path(p) == path.parent and mode & 2 else real_access(p, mode),
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with EmbeddingCache(path) as cache:
            got, found = cache.get_many("m", ["a", "b", "c", "d"], 4)
            cache.put_many("m", ["d"], np.ones((1, 4), dtype=np.float32))  # no error
            assert cache.read_only
    assert found.tolist() == [True, True, True, False]
    assert np.array_equal(got[:3], vectors)
    messages = [str(w.message) for w in caught if issubclass(w.category, CacheWarning)]
    assert len(messages) == 1 and "read-only" in messages[0]


def test_quiet_silences_cache_warnings(tmp_path, fake_embedder, monkeypatch) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "embeddings.sqlite").write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("TWITCHTOPICS_CACHE_DIR", str(cache))
    monkeypatch.chdir(tmp_path)
    log = tmp_path / "stream.txt"
    log.write_text("\n".join(td_lines(150)) + "\n")

    def run(*args: str) -> tuple[object, list[str]]:
        (cache / "embeddings.sqlite").write_bytes(b"this is not a database" * 100)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = invoke("cluster", str(log), *args)
        assert result.exit_code == 0, result.output
        return result, [str(w.message) for w in caught]

    quiet, quiet_warnings = run("--quiet")
    assert quiet.stderr == "" and quiet_warnings == []
    _, loud_warnings = run()
    assert any("corrupted" in w for w in loud_warnings)  # it exists: --quiet is what hid it


# ------------------------------------------------------------------------- options


@pytest.mark.parametrize(
    "kwargs",
    [
        {"seed": -1},
        {"seed": 2**64},
        {"seed": 1.5},
        {"seed": True},
        {"time_scale": float("nan")},
        {"time_scale": float("inf")},
        {"time_scale": 1e-300},
        {"time_scale": -5.0},
        {"time_scale": "soon"},
        {"min_cluster_size": 1},
        {"min_samples": 0},
    ],
)
def test_library_refuses_bad_numbers_in_one_line(kwargs) -> None:
    from twitchtopics.topics_model import ChatTopics

    with pytest.raises(TwitchTopicsError) as info:
        ChatTopics.from_options(ClusterOptions(**kwargs))
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "args",
    [
        ("--seed", "-1"),
        ("--seed", str(2**64)),
        ("--time-scale", "nan"),
        ("--time-scale", "1e-300"),
        ("--time-scale", "inf"),
    ],
)
def test_cli_refuses_bad_numbers_without_traceback(tmp_path, fake_embedder, args) -> None:
    log = tmp_path / "stream.txt"
    log.write_text("\n".join(td_lines(50)) + "\n")
    result = invoke("cluster", str(log), "--quiet", "--no-cache", "--out", str(tmp_path), *args)
    assert result.exit_code in (1, 2), result.output
    assert "Traceback" not in result.output
    assert fake_embedder.calls == 0


def test_good_numbers_still_pass() -> None:
    from twitchtopics.topics_model import ChatTopics

    for options in (
        ClusterOptions(seed=0, time_scale=600),
        ClusterOptions(seed=2**32 - 1, time_scale="auto"),
        ClusterOptions(time_scale=None),
        ClusterOptions(time_scale=0.001),
    ):
        ChatTopics.from_options(options)


def test_internal_errors_are_one_line(tmp_path, monkeypatch) -> None:
    log = tmp_path / "stream.txt"
    log.write_text("\n".join(td_lines(50)) + "\n")
    import twitchtopics.report.inspect as inspect_module

    def boom(*a, **k):
        raise KeyError("surprise")

    monkeypatch.setattr(inspect_module, "inspect_log", boom)
    err = assert_one_line_error(invoke("inspect", str(log)))
    assert "internal error" in err and "TWITCHTOPICS_DEBUG" in err


@pytest.mark.slow
def test_real_minilm_vectors_do_not_depend_on_the_cache(tmp_path: Path, monkeypatch) -> None:
    """The issue's case with the packaged model: another log cached first must not change a
    single bit of this log's vectors."""
    from twitchtopics.embed.embedders import load_embedder

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    emb = load_embedder("minilm")
    log_a, log_b = _texts(3, 300), _texts(4, 300)
    alone = embed_texts(log_b, emb, cache=None)
    with EmbeddingCache(tmp_path / "e.sqlite") as cache:
        embed_texts(log_a, emb, cache=cache)
        after_a = embed_texts(log_b, emb, cache=cache)
    assert np.array_equal(alone, after_a)
