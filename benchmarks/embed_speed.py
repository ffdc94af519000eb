"""Embedding speed: MiniLM (packaged) vs the static model2vec model, on real chat lines.

    python benchmarks/embed_speed.py [--n 2000] [--log PATH] [--batch-size 64]

Embeds the first N messages of a TwitchDownloader text log (``[0:00:41] user: message``) with
both models, without the embedding cache, and prints messages per second and the ratio.
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
    from twitchtopics.embedders import embed_texts

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

    from twitchtopics.embedders import load_embedder, unique_with_inverse

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
    r_minilm = timed("minilm", texts, minilm, batch_size=args.batch_size)
    r_static = timed("static", texts, static, batch_size=args.batch_size)
    print(f"static / minilm speed ratio: {r_static / r_minilm:.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
