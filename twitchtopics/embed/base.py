"""What every embedder shares: the protocol, dedup of identical texts, length-sorted batches,
the offline switches, and the embedding step (``embed_texts``) with its on-disk cache.

Nothing here imports torch, tokenizers or model2vec: a run whose vectors are all cached, and
every command that only reads bundles, stays light.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from twitchtopics.cache.embeddings import EmbeddingCache
from twitchtopics.errors import ModelError

ALLOW_DOWNLOAD_ENV = "TWITCHTOPICS_ALLOW_DOWNLOAD"
# Texts per encode() call in embed_texts (also one cache transaction and one progress step).
DEFAULT_CHUNK = 256


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
    length whatever its batch-mates (padded to another length in a mixed batch, 119 of 5,097
    cached vectors differed by up to 6e-4, issue 16). Padding alone is not enough: the number
    of rows matters too in bfloat16, so the embedder fills every batch of a bucket up to the
    same number of rows (``SentenceTransformerEmbedder._run_fixed_shape``); with both, a
    text's vector does not depend on its batch-mates, hence not on what the cache held.
    Buckets of 8 keep the number of batches near the old one: one batch per exact length made
    60 batches instead of 14 for 1,793 texts and took 2-4x the time (each forward pass has a
    fixed cost); with buckets of 8 the CPU time was 1.36x and 0.86x the old batching's in two
    A/B runs (noise on a loaded machine)."""
    n = len(sorted_lengths)
    start = 0
    while start < n:
        padded = padded_length(int(sorted_lengths[start]), bucket)
        limit = batch_rows(padded, max_tokens, max_texts)
        stop = start + 1
        while (
            stop < n
            and stop - start < limit
            and padded_length(int(sorted_lengths[stop]), bucket) == padded
        ):
            stop += 1
        yield slice(start, stop)
        start = stop


def padded_length(length: int, bucket: int) -> int:
    """``length`` tokens rounded up to a multiple of ``bucket``: the length the model pads a
    text to (see ``token_batches``)."""
    return -(-length // bucket) * bucket


def batch_rows(padded: int, max_tokens: int, max_texts: int) -> int:
    """The rows of a batch of texts padded to ``padded`` tokens: as many as fit in
    ``max_tokens`` and ``max_texts``, at least one. A function of the length alone, so every
    forward pass at that length can hold exactly this many
    (``SentenceTransformerEmbedder._run_fixed_shape``)."""
    return max(1, min(max_texts, max_tokens // max(1, padded)))


# Every batch is padded to a multiple of PAD_MULTIPLE tokens and holds one length bucket
# (see ``token_batches``). Appended to the cache key: vectors cached under the old batching
# (padded to their batch-mates' length) are not reused, so no run mixes the two.
PAD_MULTIPLE = 8
BATCHING_KEY = f"pad{PAD_MULTIPLE}rows"
"""``rows``: every forward pass of a length bucket holds the same number of rows
(``SentenceTransformerEmbedder._run_fixed_shape``); vectors cached before that are not reused."""


def with_precision(fingerprint: str, precision: str) -> str:
    """A model's cache key in a precision and batching (see ``token_batches``)."""
    base = fingerprint if precision == "fp32" else f"{fingerprint}:{precision}"
    return f"{base}:{BATCHING_KEY}"


def l2_normalize(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (x / norms).astype(np.float32, copy=False)


def allow_download() -> bool:
    return os.environ.get(ALLOW_DOWNLOAD_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def go_offline() -> None:
    """Make the Hugging Face libraries offline, unless the user allowed downloads.

    Must run before transformers / huggingface_hub / sentence_transformers are imported to
    have full effect; ``local_files_only=True`` is passed everywhere as well.
    """
    if not allow_download():
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
# the embedding step


def _encoding_lengths(embedder: Embedder, texts: list[str]) -> np.ndarray:
    """The order key of texts to encode: the model's number of tokens when it can say (an
    embedder's optional ``encoding_lengths``), else characters. Sorted by tokens, each chunk
    holds whole length buckets, so few batches are filled up
    (``SentenceTransformerEmbedder._run_fixed_shape``): sorted by characters, MiniLM took about
    1.35x as long on 5,332 distinct texts of a real log (18.6 s against 13.5-13.9 s). Static
    models do not say (tokenizing twice would cost more than it saves)."""
    encoding_lengths = getattr(embedder, "encoding_lengths", None)
    lengths = encoding_lengths(texts) if callable(encoding_lengths) else None
    if lengths is None:
        lengths = list(map(len, texts))
    return np.asarray(lengths, dtype=np.int64)


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
    to keep padding small. ``cache=None`` (``--no-cache``) encodes everything, and so does an
    embedder whose ``cache_vectors`` is False (computing is cheaper than the cache, see
    ``PackagedStaticEmbedder``).
    """
    if not getattr(embedder, "cache_vectors", True):
        cache = None
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
        todo = todo[
            np.argsort(_encoding_lengths(embedder, [uniques[i] for i in todo]), kind="stable")
        ]
        step = int(batch_size or getattr(embedder, "preferred_chunk", DEFAULT_CHUNK))
        if step <= 0:
            raise ValueError("batch_size must be positive")
        if progress:
            from tqdm.auto import tqdm
        else:  # a hidden bar: tqdm.auto's notebook and asyncio imports cost ~0.1 s of a run
            from tqdm.std import tqdm

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
