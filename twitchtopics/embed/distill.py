"""How the packaged static models are made (``twitchtopics/data/models/*.npz``); not run by users.

    python -m twitchtopics.embed.distill --out twitchtopics/data/models/static-minilm.npz

The packaged MiniLM is distilled (torch, 20-80 s on 2 cores): every WordPiece token run alone
between [CLS] and [SEP], mean-pooled, PCA to ``STATIC_PCA_DIMS``, Zipf/SIF weighting, as
``model2vec.distill`` does, here on the original tokenizer so that it runs offline.

``twitchtopics.train.static_chat`` trains a chat model from this distillation (measured,
not shipped: README "Speed", the default model).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np

from twitchtopics.embed.static import save_packaged

STATIC_PCA_DIMS = 256
"""Dimensions of the static vectors (int8 on disk: 30,522 x 256 bytes = 7.8 MB)."""
STATIC_SIF_COEFFICIENT = 1e-4
"""model2vec's default SIF coefficient."""
_UNUSED_TOKEN = re.compile(r"\[unused\d+\]")


def distill_minilm(*, progress: bool = True) -> tuple[np.ndarray, str, str]:
    """(token vectors, tokenizer JSON, unknown-token string) distilled from the packaged MiniLM."""
    import torch
    from tokenizers import Tokenizer
    from tqdm.auto import tqdm

    from twitchtopics.embed.transformer import load_sentence_transformer, packaged_model_path

    src = packaged_model_path()
    st = load_sentence_transformer(src, device="cpu", progress=progress)
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
    bar = tqdm(total=n_vocab, desc="distilling", unit="tok", file=sys.stderr, disable=not progress)
    with torch.inference_mode():
        for start in range(0, n_vocab, 1024):
            chunk = ids[start : start + 1024]
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
    xc = x - x.mean(axis=0)
    _, eigvecs = np.linalg.eigh(xc.T @ xc / (len(xc) - 1))
    scores = xc @ eigvecs[:, ::-1][:, :STATIC_PCA_DIMS]
    signs = np.sign(scores[np.argmax(np.abs(scores), axis=0), np.arange(scores.shape[1])])
    signs[signs == 0] = 1.0
    scores *= signs
    # SIF weights from Zipf ranks (vocabulary order), as model2vec does.
    inv_rank = 1.0 / np.arange(2, len(scores) + 2)
    proba = inv_rank / inv_rank.sum()
    scores *= (STATIC_SIF_COEFFICIENT / (STATIC_SIF_COEFFICIENT + proba))[:, None]
    vectors = np.zeros((n_vocab, scores.shape[1]), dtype=np.float32)
    vectors[keep] = scores.astype(np.float32)
    return vectors, tokenizer.to_str(), "[UNK]"


def mean_pool_matrix(token_ids: list[list[int]], n_vocab: int):  # -> scipy.sparse.csr_matrix
    """The (texts x vocabulary) matrix whose product with token vectors is each text's mean."""
    from scipy import sparse

    lengths = np.fromiter(map(len, token_ids), dtype=np.int64, count=len(token_ids))
    cols = np.fromiter((i for ids in token_ids for i in ids), dtype=np.int64)
    rows = np.repeat(np.arange(len(token_ids)), lengths)
    vals = np.repeat(1.0 / np.maximum(lengths, 1), lengths)
    return sparse.csr_matrix((vals, (rows, cols)), shape=(len(token_ids), n_vocab))


def target_space(targets: np.ndarray, dims: int) -> np.ndarray:
    """Projection (in_dim x dims) on the top principal directions of the uncentred targets:
    inner products, hence cosines, are kept as far as ``dims`` directions allow."""
    _, _, vt = np.linalg.svd(np.asarray(targets, dtype=np.float64), full_matrices=False)
    return vt[:dims].T


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build a packaged static model.")
    parser.add_argument("--out", type=Path, required=True, help="the .npz to write")
    parser.add_argument("--description", default="all-MiniLM-L6-v2 distilled (model2vec recipe)")
    args = parser.parse_args(argv)
    vectors, tokenizer_json, unk = distill_minilm()
    facts = {
        "description": args.description,
        "source": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0)",
        "unk_token": unk,
        "dims": int(vectors.shape[1]),
    }
    save_packaged(args.out, vectors, tokenizer_json, facts)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
