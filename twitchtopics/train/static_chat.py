"""Train a static model on chat (tokenlearn-style); not run by users.

    python -m twitchtopics.train.static_chat --seed 0 --per-input 20000 \\
        --teacher-cache .cache --out static-chat.npz INPUT...

(the exact inputs and what the result measured are in ``twitchtopics/data/models/README.md``;
the ``.npz`` is a packaged static model, loadable by ``PackagedStaticEmbedder``). Steps:

1. **Corpus**: every input read as ``twitchtopics train`` reads it (``read_corpus_file``: any
   log format, or one message per line; normalised as ``cluster`` does), distinct texts,
   shuffled with the seed; ``HOLDOUT`` of them are kept aside to check the fit.
2. **Vocabulary**: MiniLM's WordPiece plus whole tokens (``static_vocab``): by default the
   bundled emotes (``--words emotes``; adding frequent chat words too, ``--words chat``, did
   not change the held-out fit: correlation 0.8382 against 0.8386 for emotes, 0.8391 none).
3. **Teacher**: the packaged MiniLM embeds every text once (about 10 ms a text on 2 cores,
   far more when they are busy); the vectors are kept in an embedding cache under
   ``--teacher-cache`` (outside the package).
4. **Start**: the model2vec distillation (``embed.distill.distill_minilm``), mapped by least
   squares into the target space (MiniLM's vectors on their top ``STATIC_PCA_DIMS``
   uncentred principal directions, where inner products stay MiniLM's); an added word starts
   at the sum of its WordPiece pieces.
5. **Fit** (numpy, seeded): minibatch Adam moves the token vectors so that each text's mean
   token vector points where its teacher vector does (loss ``1 - cosine``: the pipeline only
   uses directions). Tokens no training text uses keep the distillation's vector.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np

from twitchtopics.embed.distill import STATIC_PCA_DIMS, distill_minilm, target_space
from twitchtopics.embed.static import MAX_TOKENS, save_packaged
from twitchtopics.train import static_vocab

HOLDOUT = 3000
"""Distinct texts kept out of the fit, to report how close the model comes to MiniLM."""
TEACHER_SLICE = 4096
"""Texts per teacher call (each call's vectors are stored before the next starts)."""
EPOCHS = 12
BATCH = 1024
LEARNING_RATE = 0.05
"""Adam's step, relative to the root-mean-square coordinate of the starting vectors. On
28,672 chat texts (3,000 held out, 12 epochs) 0.05 beat 0.02; so did 16 epochs over 8,
and holding tokens near their start (an L2 pull, weight 1.0) lowered the held-out
correlation of pairwise cosines (0.839 -> 0.773), so there is none."""


def read_texts(inputs: list[Path], seed: int, per_input: int | None = None) -> list[str]:
    """Distinct normalised texts of all inputs (at most ``per_input`` from each, a seeded
    sample: the teacher costs ~10 ms a text here), shuffled with ``seed``."""
    from twitchtopics.train.corpus import read_corpus_file

    rng = random.Random(seed)
    texts: list[str] = []
    for path in inputs:
        kept, _emotes, info = read_corpus_file(path)
        distinct = list(dict.fromkeys(t for t in kept if t))
        if per_input and len(distinct) > per_input:
            distinct = rng.sample(distinct, per_input)
        print(f"read {path}: {info['format']}, {len(distinct)} texts used", file=sys.stderr)
        texts.extend(distinct)
    texts = list(dict.fromkeys(texts))
    rng.shuffle(texts)
    return texts


def teacher_vectors(texts: list[str], cache_dir: Path | None) -> np.ndarray:
    """MiniLM's unit vector of each text (float32), kept in an embedding cache under
    ``cache_dir`` (SQLite, written after each chunk): an interrupted run, or a later one on
    more texts, embeds only what is new."""
    from twitchtopics.embed.base import embed_texts, l2_normalize
    from twitchtopics.embed.embedders import EmbeddingCache, load_embedder

    embedder = load_embedder("minilm", progress=True, lazy=True)
    if cache_dir is None:
        return l2_normalize(embed_texts(texts, embedder, cache=None, progress=True))
    parts = []
    with EmbeddingCache(cache_dir / "teacher.sqlite") as cache:
        for at in range(0, len(texts), TEACHER_SLICE):  # in text order: a stop keeps a sample
            part = texts[at : at + TEACHER_SLICE]
            parts.append(embed_texts(part, embedder, cache=cache, progress=True))
            print(f"teacher: {at + len(part)} of {len(texts)} texts", file=sys.stderr)
    return l2_normalize(np.vstack(parts)).astype(np.float32)


def distilled_vectors(cache_dir: Path | None) -> tuple[np.ndarray, str, str]:
    """``distill_minilm()``, kept under ``cache_dir`` (it is deterministic and costs minutes)."""
    path = cache_dir / "distilled.npz" if cache_dir else None
    if path is not None and path.is_file():
        with np.load(path, allow_pickle=False) as data:
            return data["vectors"], str(data["tokenizer"]), str(data["unk"])
    vectors, tokenizer_json, unk = distill_minilm()
    if path is not None:
        np.savez(path, vectors=vectors, tokenizer=np.str_(tokenizer_json), unk=np.str_(unk))
    return vectors, tokenizer_json, unk


def encode_ids(tokenizer, texts: list[str], unk_id: int | None) -> list[list[int]]:
    """Token ids as ``PackagedStaticEmbedder`` takes them (no specials, no unknown, cut)."""
    out = []
    for enc in tokenizer.encode_batch_fast(texts, add_special_tokens=False):
        out.append([i for i in enc.ids if i != unk_id][:MAX_TOKENS])
    return out


def starting_vectors(
    distilled: np.ndarray, pieces: list[list[int]], ids: list[list[int]], targets: np.ndarray
) -> np.ndarray:
    """The distilled vectors mapped into the target space, then one row per added word: the
    sum of its pieces, so that a text's pooled vector keeps its direction (the pieces' sum
    is unchanged, only the count drops). Starting at their mean instead lowered the held-out
    agreement (correlation of pairwise cosines 0.729 -> 0.704 on 1,500 chat texts)."""
    from twitchtopics.embed.distill import mean_pool_matrix

    base = [[i for i in row if i < len(distilled)] for row in ids]
    pool = mean_pool_matrix(base, len(distilled))
    mapping, *_ = np.linalg.lstsq(pool @ distilled.astype(np.float64), targets, rcond=None)
    mapped = distilled.astype(np.float64) @ mapping
    added = np.array(
        [mapped[p].sum(axis=0) if p else np.zeros(mapped.shape[1]) for p in pieces]
    ).reshape(len(pieces), mapped.shape[1])
    return np.vstack([mapped, added]).astype(np.float32)


def fit(
    start: np.ndarray,
    ids: list[list[int]],
    targets: np.ndarray,
    *,
    seed: int,
    epochs: int = EPOCHS,
    batch_size: int = BATCH,
) -> np.ndarray:
    """Token vectors whose per-text mean points where the targets do (see the module doc).

    Minibatch Adam in numpy on the rows a batch uses (lazy, as torch's ``SparseAdam``): the
    batch is a sparse (texts x tokens) mean-pooling matrix, so a step costs a few sparse
    products. torch's dense embedding-bag step took 0.7-1.6 s here (30k x 256 table, 2 busy
    cores); this one takes milliseconds."""
    from twitchtopics.embed.distill import mean_pool_matrix

    rng = np.random.default_rng(seed)
    weight = start.astype(np.float32)
    first = np.zeros_like(weight)
    second = np.zeros_like(weight)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    pool = mean_pool_matrix(ids, len(weight)).astype(np.float32)
    rate = LEARNING_RATE * float(np.sqrt(np.mean(weight[np.unique(pool.indices)] ** 2)))
    target = np.asarray(targets, dtype=np.float32)
    target /= np.maximum(np.linalg.norm(target, axis=1, keepdims=True), 1e-12)
    usable = np.flatnonzero(np.diff(pool.indptr) > 0)
    step = 0
    for epoch in range(epochs):
        order = rng.permutation(usable)
        total = 0.0
        for at in range(0, len(order), batch_size):
            rows = order[at : at + batch_size]
            batch = pool[rows]
            used, local = np.unique(batch.indices, return_inverse=True)
            batch = type(batch)((batch.data, local, batch.indptr), shape=(len(rows), len(used)))
            rows_w = weight[used]
            pooled = batch @ rows_w
            norm = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            cos = (pooled * target[rows]).sum(axis=1, keepdims=True) / norm
            total += float((1.0 - cos).sum())
            grad_pooled = -(target[rows] / norm - cos * pooled / norm**2) / len(rows)
            grad = batch.T @ grad_pooled
            step += 1
            first[used] = beta1 * first[used] + (1 - beta1) * grad
            second[used] = beta2 * second[used] + (1 - beta2) * grad**2
            m_hat = first[used] / (1 - beta1**step)
            v_hat = second[used] / (1 - beta2**step)
            weight[used] = rows_w - rate * m_hat / (np.sqrt(v_hat) + eps)
        print(f"epoch {epoch + 1}: mean 1-cos {total / len(order):.4f}", file=sys.stderr)
    return weight.astype(np.float32)


def agreement(vectors: np.ndarray, ids: list[list[int]], targets: np.ndarray) -> dict:
    """How close the model's text vectors come to the teacher's: mean cosine, and the
    correlation of all pairwise cosines (what clustering sees)."""
    from twitchtopics.embed.base import l2_normalize
    from twitchtopics.embed.distill import mean_pool_matrix

    mine = l2_normalize(np.asarray(mean_pool_matrix(ids, len(vectors)) @ vectors))
    theirs = l2_normalize(targets)
    upper = np.triu_indices(len(ids), k=1)
    pairs = np.corrcoef((mine @ mine.T)[upper], (theirs @ theirs.T)[upper])[0, 1]
    return {
        "cosine": round(float((mine * theirs).sum(axis=1).mean()), 4),
        "pair_corr": round(float(pairs), 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the chat static model.")
    parser.add_argument("inputs", nargs="+", type=Path, help="chat logs or message-per-line files")
    parser.add_argument("--out", type=Path, required=True, help="the .npz to write")
    parser.add_argument("--teacher-cache", type=Path, help="folder for MiniLM's vectors")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-input", type=int, help="at most this many texts from each input")
    parser.add_argument("--max-texts", type=int, help="the first (shuffled) texts only")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--dims", type=int, default=STATIC_PCA_DIMS, help="vector dimensions")
    parser.add_argument("--holdout", type=int, default=HOLDOUT, help="texts kept out of the fit")
    parser.add_argument(
        "--words",
        choices=["none", "emotes", "chat"],
        default="emotes",
        help="whole tokens added: none, the bundled emotes, or emotes and frequent chat words",
    )
    args = parser.parse_args(argv)
    from tokenizers import Tokenizer

    from twitchtopics.chat.emotes import bundled_emotes

    texts = read_texts(args.inputs, args.seed, args.per_input)[: args.max_texts]
    teacher = teacher_vectors(texts, args.teacher_cache)
    projection = target_space(teacher[args.holdout :], args.dims)
    targets = (teacher.astype(np.float64) @ projection).astype(np.float32)
    distilled, tokenizer_json, unk = distilled_vectors(args.teacher_cache)
    base = Tokenizer.from_str(tokenizer_json)
    unk_id = base.token_to_id(unk)
    train_texts = texts[args.holdout :]
    words = (
        []
        if args.words == "none"
        else static_vocab.chat_words(
            base,
            train_texts,
            sorted(bundled_emotes()),
            max_words=static_vocab.MAX_NEW_WORDS if args.words == "chat" else 0,
        )
    )
    tokenizer = static_vocab.extended_tokenizer(tokenizer_json, words)
    pieces = static_vocab.piece_ids(base, words, unk_id)
    ids = encode_ids(tokenizer, texts, unk_id)
    start = starting_vectors(distilled, pieces, ids[args.holdout :], targets[args.holdout :])
    held = (ids[: args.holdout], targets[: args.holdout])
    print(f"{len(words)} words added; held out, start: {agreement(start, *held)}", file=sys.stderr)
    vectors = fit(
        start,
        ids[args.holdout :],
        targets[args.holdout :],
        seed=args.seed,
        epochs=args.epochs,
    )
    scores = agreement(vectors, *held)
    print(f"held out, trained: {scores}", file=sys.stderr)
    facts = {
        "description": "all-MiniLM-L6-v2 distilled, then trained on chat (tokenlearn-style)",
        "source": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0)",
        "unk_token": unk,
        "dims": int(vectors.shape[1]),
        "trained": {
            "texts": len(train_texts),
            "words_added": len(words),
            "seed": args.seed,
            "epochs": args.epochs,
            "held_out": scores,
        },
    }
    save_packaged(args.out, vectors, tokenizer.to_str(), facts)
    print(json.dumps(facts["trained"]))
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
