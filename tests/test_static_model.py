"""The packaged static models: offline, light (no torch), deterministic, and how they are built."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from twitchtopics.embed.embedders import EmbeddingCache, embed_texts, load_embedder
from twitchtopics.embed.static import (
    PACKAGED_STATIC,
    PackagedStaticEmbedder,
    packaged_static_path,
    save_packaged,
)
from twitchtopics.errors import ModelError

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "sklearn", "numba", "umap", "transformers", "sentence_transformers", "model2vec")
CHAT = ["bonsoir le chat", "KEKW", "c'est quoi ce build", "GG WP", "le nucléaire c'est cher"]


def _word_tokenizer(words: list[str]) -> str:
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import Whitespace

    vocab = {"[UNK]": 0, **{w: i + 1 for i, w in enumerate(words)}}
    tokenizer = Tokenizer(WordLevel(vocab, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = Whitespace()
    return tokenizer.to_str()


def test_every_registered_static_model_ships_with_the_package():
    for name in PACKAGED_STATIC:
        path = packaged_static_path(name)
        assert path.stat().st_size < 10_000_000
        emb = load_embedder(name)
        assert isinstance(emb, PackagedStaticEmbedder) and emb.dim == 256
        assert emb.fingerprint == load_embedder(name).fingerprint  # stable cache key
        assert emb.fingerprint.startswith(f"static:{path.stem}:")


def test_static_model_needs_no_torch_no_network_and_no_cache_folder(tmp_path):
    code = (
        "import sys, numpy as np\n"
        "from twitchtopics.embed.embedders import load_embedder, embed_texts, EmbeddingCache\n"
        "emb = load_embedder('static')\n"
        "out = embed_texts(['bonsoir le chat', 'KEKW'], emb, cache=EmbeddingCache())\n"
        "assert out.shape == (2, 256)\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(REPO),
        "TWITCHTOPICS_CACHE_DIR": str(tmp_path / "cache"),
        "HF_HUB_OFFLINE": "1",
    }
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path, env=env)
    assert not (tmp_path / "cache" / "models").exists()  # nothing built at first use


def test_static_vectors_are_unit_rows_independent_of_batch_mates():
    emb = load_embedder("static")
    together = emb.encode(CHAT + ["", "   "])
    np.testing.assert_allclose(np.linalg.norm(together[: len(CHAT)], axis=1), 1.0, atol=1e-5)
    assert not together[-2:].any()  # no token, no direction
    for i, text in enumerate(CHAT):
        np.testing.assert_array_equal(emb.encode([text])[0], together[i])
    # a text's vector is the normalised mean of its tokens' rows
    ids = emb.token_ids(["bonsoir le chat"])[0]
    mean = emb._vectors[ids].mean(axis=0)
    np.testing.assert_allclose(together[0], mean / np.linalg.norm(mean), atol=1e-6)
    similar = together[0] @ emb.encode(["bonsoir tout le chat"])[0]
    unrelated = together[0] @ emb.encode(["le nucléaire c'est cher"])[0]
    assert similar > unrelated


def test_cached_and_fresh_static_vectors_are_the_same(tmp_path):
    emb = load_embedder("static")
    with EmbeddingCache(tmp_path / "c.sqlite") as cache:
        first = embed_texts(CHAT[:2], emb, cache=cache)
        mixed = embed_texts(CHAT, emb, cache=cache)  # two from the cache, three new
    np.testing.assert_array_equal(mixed, embed_texts(CHAT, emb, cache=None))
    np.testing.assert_array_equal(first, mixed[:2])
    with EmbeddingCache(tmp_path / "c.sqlite") as cache:  # computing beats the cache here
        assert not cache.get_many(emb.fingerprint, CHAT, emb.dim)[1].any()


def test_saved_model_round_trip_keeps_directions(tmp_path):
    rng = np.random.default_rng(0)
    words = ["salut", "le", "chat", "gg", "kekw"]
    vectors = rng.normal(size=(len(words) + 1, 16)).astype(np.float32)
    vectors[0] = 0.0  # [UNK]
    vectors[2] *= 1e-3  # a frequent word made small by SIF: its own scale keeps it exact
    path = tmp_path / "tiny.npz"
    save_packaged(path, vectors, _word_tokenizer(words), {"dims": 16, "unk_token": "[UNK]"})
    emb = PackagedStaticEmbedder(path)
    assert emb.name == "tiny" and emb.dim == 16
    out = emb.encode(["salut le chat", "inconnu", "gg inconnu"])
    expected = vectors[[1, 2, 3]].mean(axis=0)
    assert out[0] @ (expected / np.linalg.norm(expected)) > 0.9999
    assert not out[1].any()  # unknown words are dropped
    assert out[2] @ (vectors[4] / np.linalg.norm(vectors[4])) > 0.9999
    with np.load(path, allow_pickle=False) as data:
        assert data["vectors"].dtype == np.int8
        facts = json.loads(data["facts"].tobytes())
    assert emb.fingerprint == f"static:tiny:{facts['sha1'][:16]}"
    vectors[1, 0] += 1.0
    save_packaged(path, vectors, _word_tokenizer(words), {"dims": 16, "unk_token": "[UNK]"})
    assert PackagedStaticEmbedder(path).fingerprint != emb.fingerprint  # new weights, new key


def test_unreadable_packaged_model_is_one_clear_error(tmp_path):
    bad = tmp_path / "broken.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ModelError, match="broken.npz is unreadable"):
        PackagedStaticEmbedder(bad)


@pytest.fixture(scope="module")
def small_bundle(tmp_path_factory) -> Path:
    """A bundle of the small topic log, clustered with the test's hashing embedder."""
    from tests.conftest import HashingEmbedder, write_topic_log
    from twitchtopics import ChatTopics, read_log

    folder = tmp_path_factory.mktemp("bundle")
    log = read_log(write_topic_log(folder / "stream.txt"))
    model = ChatTopics(embedder=HashingEmbedder(), use_cache=False).fit(log)
    return model.save(folder / "stream.twitchtopics")


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["report", "BUNDLE", "--window", "0:00:00-0:30:00"],
        ["report", "BUNDLE", "--html", "x.html"],
    ],
)
def test_help_and_report_import_no_heavy_library(args, small_bundle, tmp_path):
    """`--help` and `report` start fast: no torch, scikit-learn, numba, UMAP or scipy (issue 17)."""
    argv = [str(small_bundle) if a == "BUNDLE" else a for a in args]
    code = (
        "import sys\n"
        "from twitchtopics.cli import cli\n"
        f"try:\n    cli({argv!r}, standalone_mode=False)\n"
        "except SystemExit as exc:\n    assert not exc.code, exc.code\n"
        f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r} + ('scipy',)))\n"
        "assert not heavy, heavy\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_default_names_one_registered_model():
    from twitchtopics import registry
    from twitchtopics.options import DEFAULT_MODEL

    assert registry.embedders.default == DEFAULT_MODEL
    default = load_embedder(None, lazy=True)
    assert default.fingerprint == load_embedder(DEFAULT_MODEL, lazy=True).fingerprint
    assert load_embedder("default", lazy=True).fingerprint == default.fingerprint
    assert registry.embedders.create("default").name == registry.embedders.create(None).name


@pytest.mark.parametrize("default", ["minilm", "static"])
def test_each_builtin_name_gives_its_own_model_whatever_the_default(default, monkeypatch):
    """`minilm` is the packaged transformer and `static` the distillation, whichever of them
    `DEFAULT_MODEL` names (the registry's `minilm` once resolved `None`, so flipping the
    default turned `--model minilm` into the static model)."""
    from twitchtopics import registry
    from twitchtopics.embed import embedders

    monkeypatch.setattr(embedders, "DEFAULT_MODEL", default)
    assert load_embedder(None, lazy=True).fingerprint.startswith(default + ":")
    assert registry.embedders.create("minilm").fingerprint.startswith("minilm:")
    assert registry.embedders.create("static").fingerprint.startswith("static:")
