"""Embedding speed on real chat lines: MiniLM's levers, and the static model2vec model.

    python benchmarks/embed_speed.py [--n 2000] [--log PATH] [--batch-size 64]

Embeds the first N messages of a TwitchDownloader text log (``[0:00:41] user: message``)
without the embedding cache and prints messages per second:

- the reference: sentence-transformers' own ``encode`` on the distinct texts (batches of 32,
  float32), as a user of the library would call it;
- twitchtopics' MiniLM in float32 and in bfloat16 (texts sorted by token count, token-budget
  batches, one run per distinct token sequence), with the ratio to the reference and the
  cosine of their vectors to the reference's;
- the static model, with its ratio to MiniLM.

Exits 0 with a message when the log is absent.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_LOG = REPO.parent / "shared/data/chatlogs/fr_twitchdownloader_relative_1699408450.txt"
LINE = re.compile(r"^\[\d+:\d{2}:\d{2}\]\s+([^:]+?):\s(.*)$")


def read_messages(path: Path, n: int) -> list[str]:
    out = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            m = LINE.match(line.rstrip("\n"))
            if m:
                out.append(m.group(2))
                if len(out) >= n:
                    break
    return out


def timed(label: str, texts: list[str], embedder, **kw) -> float:
    from twitchtopics.embed.embedders import embed_texts

    embed_texts(texts[:50], embedder, cache=None)  # warm-up
    t0 = time.perf_counter()
    vecs = embed_texts(texts, embedder, cache=None, **kw)
    dt = time.perf_counter() - t0
    rate = len(texts) / dt
    print(
        f"{label:>8}: {len(texts)} msgs in {dt:6.2f} s = {rate:8.0f} msgs/s  (dim {vecs.shape[1]})"
    )
    return rate


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--log", type=Path, default=DEFAULT_LOG)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--batch-size", type=int, default=None, help="texts per encode() call")
    args = ap.parse_args()
    if not args.log.exists():
        print(f"skipped: chat log not found ({args.log})")
        return 0
    texts = read_messages(args.log, args.n)
    if not texts:
        print(f"skipped: no messages parsed from {args.log}")
        return 0
    import torch

    from twitchtopics.embed.embedders import load_embedder, unique_with_inverse

    uniques, _, _ = unique_with_inverse(texts)
    print(
        f"{len(texts)} messages ({len(uniques)} distinct) from {args.log.name}; torch threads {torch.get_num_threads()}"
    )
    t0 = time.perf_counter()
    minilm = load_embedder("minilm")
    print(f"load minilm: {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    static = load_embedder("static")
    print(f"load static: {time.perf_counter() - t0:.1f} s (includes distillation on first run)")
    import os

    import numpy as np

    model = minilm.model
    model.encode(uniques[:50], batch_size=32)  # warm-up
    t0 = time.perf_counter()
    reference = model.encode(uniques, batch_size=32, normalize_embeddings=True)
    r_ref = len(texts) / (time.perf_counter() - t0)
    print(f"{'ST plain':>8}: {r_ref:8.0f} msgs/s  (sentence-transformers encode, fp32, batch 32)")
    rates = {}
    for precision in ("fp32", "bf16"):
        os.environ["TWITCHTOPICS_PRECISION"] = precision
        emb = load_embedder("minilm")
        rates[precision] = timed(f"minilm {precision}", texts, emb, batch_size=args.batch_size)
        cos = (emb.encode(uniques) * reference).sum(axis=1)
        print(
            f"{'':>8}  x{rates[precision] / r_ref:.2f} the reference; cosine to it: "
            f"min {cos.min():.5f}, mean {np.mean(cos):.6f}"
        )
    os.environ.pop("TWITCHTOPICS_PRECISION", None)
    r_minilm = max(rates.values())
    r_static = timed("static", texts, static, batch_size=args.batch_size)
    print(f"static / minilm speed ratio: {r_static / r_minilm:.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
