"""Static models: a text's vector is the mean of its tokens' vectors (no network, no torch).

Two kinds:

- the models that ship with twitchtopics as package data (``twitchtopics/data/models/*.npz``,
  see ``PACKAGED_STATIC``): one ``.npz`` holding int8 token vectors with a float32 scale per
  token, the tokenizer (JSON) and a few facts about the model (JSON). They load in well
  under a second with numpy and the ``tokenizers`` library alone, so a fresh install needs
  neither a download nor a one-time distillation; the ``.npz`` is read with
  ``allow_pickle=False``. ``twitchtopics.embed.distill`` makes them.
- any model2vec folder the user points ``--model`` at (``StaticEmbedder``, through model2vec).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np

from twitchtopics.embed.base import l2_normalize
from twitchtopics.errors import ModelError

MODELS_DIR = Path(__file__).resolve().parents[1] / "data" / "models"
PACKAGED_STATIC = {
    "static": "static-minilm",
}
"""Registered name -> file stem under ``data/models``; the stem is also the model's name in
meta.json (what `search` maps back to the registered name)."""

MAX_TOKENS = 512
"""Tokens kept per text, as model2vec does (a Twitch message holds at most 500 characters)."""

STATIC_CHUNK = 16384
"""Distinct texts per encode() call (one cache transaction, one progress step)."""


def packaged_static_path(name: str) -> Path:
    """The ``.npz`` of a packaged static model (registered name or file stem)."""
    stem = PACKAGED_STATIC.get(name, name)
    path = MODELS_DIR / f"{stem}.npz"
    if not path.is_file():
        raise ModelError(
            f"the packaged static model {stem!r} is missing from {MODELS_DIR}; reinstall twitchtopics"
        )
    return path


def file_fingerprint(path: Path) -> str:
    """First 16 hex digits of the file's SHA-1 (for a packaged file without a recorded hash)."""
    h = hashlib.sha1()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


def _content_hash(*arrays: np.ndarray) -> str:
    h = hashlib.sha1()
    for array in arrays:
        h.update(str(array.dtype).encode() + str(array.shape).encode())
        h.update(np.ascontiguousarray(array).tobytes())
    return h.hexdigest()


def save_packaged(
    path: Path, vectors: np.ndarray, tokenizer_json: str, facts: dict[str, Any]
) -> None:
    """Write a static model as the package stores it: int8 rows and one float32 scale per row
    (``max |value| / 127``: cosine to the float32 text vectors >= 0.9998 on 20k chat
    messages), the tokenizer, and ``facts`` as JSON with the SHA-1 of all of it (the cache
    key, so loading never hashes the 7 MB). Stored uncompressed: zlib saved 1.4 MB of 8.3
    but cost 0.2 s at every load (measured here on 2 busy cores)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    scale = np.abs(vectors).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    quantized = np.clip(np.rint(vectors / scale[:, None]), -127, 127).astype(np.int8)
    scale = scale.astype(np.float32)
    tokenizer = np.frombuffer(tokenizer_json.encode("utf-8"), dtype=np.uint8)
    facts = {**facts, "sha1": _content_hash(quantized, scale, tokenizer)}
    np.savez(
        path,
        vectors=quantized,
        scale=scale,
        tokenizer=tokenizer,
        facts=np.frombuffer(json.dumps(facts, sort_keys=True).encode("utf-8"), dtype=np.uint8),
    )


class PackagedStaticEmbedder:
    """A static model from a packaged ``.npz``: tokenise (Rust, ``tokenizers``), drop unknown
    tokens, keep the first ``MAX_TOKENS``, average the token rows (one sparse (texts x
    vocabulary) product: 0.05 s for 20k messages, against 4 s for a gather and
    ``np.add.reduceat``), L2-normalise.

    A text's vector depends on that text alone (never on its batch-mates), so cached and
    fresh vectors are the same. The fingerprint is the content's hash, so a model update
    never reuses vectors cached from another version. Only the facts are read at creation;
    the vectors and the tokenizer when a text needs encoding (a warm run never loads them).
    """

    preferred_chunk = STATIC_CHUNK
    cache_vectors = False
    """Never stored in the embedding cache: on 45,763 distinct texts of 100k messages (2 busy
    cores) encoding took 10.4 s, encoding and storing 36 s, reading them back 12.3 s."""

    def __init__(self, path: Path, *, name: str | None = None) -> None:
        self.path = path
        try:
            with np.load(path, allow_pickle=False) as data:
                self.facts: dict[str, Any] = json.loads(data["facts"].tobytes().decode("utf-8"))
                self.dim = int(self.facts["dims"])
        except Exception as e:
            raise ModelError(f"the static model {path.name} is unreadable: {e}") from e
        self.name = name or path.stem
        digest = str(self.facts.get("sha1") or file_fingerprint(path))[:16]
        self.fingerprint = f"static:{path.stem}:{digest}"
        self._vectors: np.ndarray | None = None
        self._tokenizer: Any = None
        self._unk_id: int | None = None

    def _load(self) -> None:
        try:
            from tokenizers import Tokenizer
        except ImportError as e:  # pragma: no cover - a dependency of sentence-transformers
            raise ModelError("static models need the package tokenizers") from e
        try:
            with np.load(self.path, allow_pickle=False) as data:
                quantized = data["vectors"]
                scale = data["scale"]
                tokenizer = Tokenizer.from_str(data["tokenizer"].tobytes().decode("utf-8"))
        except Exception as e:
            raise ModelError(f"the static model {self.path.name} is unreadable: {e}") from e
        if quantized.shape[1] != self.dim:
            raise ModelError(f"the static model {self.path.name} is inconsistent; reinstall")
        tokenizer.no_padding()
        tokenizer.no_truncation()
        unk = self.facts.get("unk_token")
        self._unk_id = tokenizer.token_to_id(unk) if unk else None
        self._tokenizer = tokenizer
        self._vectors = quantized.astype(np.float32)
        self._vectors *= scale[:, None]

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        """Each text's token ids (no special tokens, unknown tokens dropped, truncated)."""
        if self._tokenizer is None:
            self._load()
        encodings = self._tokenizer.encode_batch_fast(texts, add_special_tokens=False)
        unk = self._unk_id
        out = []
        for enc in encodings:
            ids = enc.ids
            if unk is not None and unk in ids:
                ids = [i for i in ids if i != unk]
            out.append(ids[:MAX_TOKENS])
        return out

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit rows (all-zero for a text with no known token), float32."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        from scipy import sparse

        ids = self.token_ids(list(texts))
        assert self._vectors is not None  # loaded by token_ids
        lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        columns = np.fromiter(
            itertools.chain.from_iterable(ids), dtype=np.int32, count=int(lengths.sum())
        )
        indptr = np.concatenate(([0], np.cumsum(lengths)))
        weights = np.repeat((1.0 / np.maximum(lengths, 1)).astype(np.float32), lengths)
        pool = sparse.csr_matrix((weights, columns, indptr), shape=(len(ids), len(self._vectors)))
        return l2_normalize(np.asarray(pool @ self._vectors))

    def __repr__(self) -> str:
        return f"PackagedStaticEmbedder(name={self.name!r}, dim={self.dim})"


class StaticEmbedder:
    """A model2vec model from a folder: the mean of per-token vectors (no torch at encode time)."""

    preferred_chunk = 4096

    def __init__(self, model: Any, *, name: str, fingerprint: str):
        self.model = model
        self.name = name
        self.fingerprint = fingerprint
        self.dim = int(model.dim)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self.model.encode(
            list(texts),
            show_progress_bar=False,
            use_multiprocessing=False,
            normalize=False,
            batch_size=4096,
        )
        return l2_normalize(np.atleast_2d(out))

    def __repr__(self) -> str:
        return f"StaticEmbedder(name={self.name!r}, dim={self.dim})"


def load_model2vec(path: Path) -> Any:
    """A model2vec ``StaticModel`` from a local folder (never downloaded)."""
    try:
        from model2vec import StaticModel
    except ImportError as e:
        raise ModelError("static models need the package model2vec (pip install model2vec)") from e
    return StaticModel.from_pretrained(str(path), force_download=False)


def is_model2vec_folder(folder: Path) -> bool:
    """Whether ``folder`` holds a model2vec model (its config says so)."""
    try:
        cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except Exception:
        return False
    return isinstance(cfg, dict) and cfg.get("model_type") == "model2vec"
