"""A model-free embedder for tests and smoke runs (``--model hashing``)."""

from __future__ import annotations

import hashlib
import re

import numpy as np

from twitchtopics.embed.base import l2_normalize


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
        return l2_normalize(out)
