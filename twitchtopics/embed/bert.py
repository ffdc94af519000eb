"""The packaged all-MiniLM-L6-v2 run by a BERT encoder of our own, not sentence-transformers.

Why: importing sentence-transformers (and with it transformers) took 7.6 s of the README
demo's 14.3 s of stages on a fresh machine (torch 2.0 s, transformers' `BertModel` 5.0 s,
sentence-transformers 2.6 s), against 3.5 s to embed its 1,289 texts. This module needs
only torch, `safetensors` and `tokenizers` (0.02 s): the same weights, the same tokenizer
file, and the same operations as transformers' `BertModel` with its SDPA attention and
sentence-transformers' mean pooling and normalisation, in the same order, so the vectors
are the same bit for bit, in float32 and under bfloat16 autocast, and the embedding cache's
entries stay valid (`tests/test_bert_encoder.py` checks it against sentence-transformers).

`BertSentenceModel` offers what `transformer.SentenceTransformerEmbedder` calls on a
sentence-transformers model: `tokenizer(...)`, `max_seq_length`, `get_embedding_dimension()`
and `encode(...)`, so the batching, the fixed shapes and the precision stay in one place.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from twitchtopics.errors import ModelError

__all__ = ["BertSentenceModel", "is_plain_bert_folder"]

POOLING_MODE = "pooling_mode_mean_tokens"
"""The one pooling this encoder does (sentence-transformers' mean over the real tokens)."""


def is_plain_bert_folder(folder: Path) -> bool:
    """A sentence-transformers folder this module runs: a BERT with mean pooling and a
    normalisation, a maximum length and no lowercasing of its own in `sentence_bert_config`,
    its weights in safetensors and a fast tokenizer file."""
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
        settings = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    types = [m.get("type", "").rsplit(".", 1)[-1] for m in modules if isinstance(m, dict)]
    other_poolings = [k for k, v in pooling.items() if k.startswith("pooling_mode_") and v]
    return (
        types == ["Transformer", "Pooling", "Normalize"]
        and config.get("model_type") == "bert"
        and config.get("hidden_act") == "gelu"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and other_poolings == [POOLING_MODE]
        and isinstance(settings.get("max_seq_length"), int)
        and not settings.get("do_lower_case")  # the tokenizer file lowercases, not the config
        and (folder / "model.safetensors").is_file()
        and (folder / "tokenizer.json").is_file()
    )


class _Tokenizer:
    """The folder's `tokenizer.json` called as a transformers tokenizer is for input ids."""

    def __init__(self, path: Path) -> None:
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(path))
        self._tokenizer.no_padding()  # the file pads to 128; batches pad themselves

    def __call__(
        self,
        texts: list[str],
        *,
        add_special_tokens: bool = True,
        truncation: bool = True,
        max_length: int | None = None,
        **_: Any,
    ) -> dict[str, list[list[int]]]:
        if truncation and max_length:
            self._tokenizer.enable_truncation(max_length)
        else:
            self._tokenizer.no_truncation()
        encoded = self._tokenizer.encode_batch(list(texts), add_special_tokens=add_special_tokens)
        return {"input_ids": [e.ids for e in encoded]}


class BertSentenceModel:
    """A BERT sentence encoder (mean pooling, unit vectors) from a sentence-transformers
    folder that `is_plain_bert_folder` accepts."""

    def __init__(self, folder: Path, *, pad_to_multiple_of: int = 1) -> None:
        import torch
        from safetensors.torch import load_file

        folder = Path(folder)
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        settings = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
        if settings.get("do_lower_case"):
            raise ModelError(f"{folder}: do_lower_case in sentence_bert_config is not supported")
        self.max_seq_length = int(settings["max_seq_length"])
        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config["layer_norm_eps"])
        self.pad_id = int(config.get("pad_token_id", 0))
        self.head_size = self.hidden // self.heads
        self.scaling = self.head_size**-0.5
        self.pad_to_multiple_of = pad_to_multiple_of
        weights = load_file(str(folder / "model.safetensors"))
        self.weights = {name.removeprefix("bert."): w for name, w in weights.items()}
        missing = [n for n in self._needed() if n not in self.weights]
        if missing:
            raise ModelError(f"{folder}: weights missing from model.safetensors: {missing[0]}")
        self.tokenizer = _Tokenizer(folder / "tokenizer.json")
        self._torch = torch

    def _needed(self) -> list[str]:
        names = [
            f"embeddings.{part}_embeddings.weight" for part in ("word", "position", "token_type")
        ]
        names += ["embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias"]
        parts = (
            "attention.self.query",
            "attention.self.key",
            "attention.self.value",
            "attention.output.dense",
            "attention.output.LayerNorm",
            "intermediate.dense",
            "output.dense",
            "output.LayerNorm",
        )
        for i in range(self.layers):
            names += [f"encoder.layer.{i}.{part}.{w}" for part in parts for w in ("weight", "bias")]
        return names

    def get_embedding_dimension(self) -> int:
        return self.hidden

    def encode(self, texts: list[str], batch_size: int = 32, **_: Any) -> Any:
        """Unit vectors (a float tensor, one row per text), batched as sentence-transformers
        batches them: texts sorted by falling length in characters (numpy's default sort, as
        it does), `batch_size` per forward pass, each padded to its longest text (rounded up
        to `pad_to_multiple_of` tokens). In bfloat16 a vector depends on its batch's rows,
        so the same batches are what keeps the vectors the same."""
        torch = self._torch
        if not texts:
            return torch.zeros((0, self.hidden))
        order = np.argsort([-len(text) for text in texts])
        ids = self.tokenizer(
            [texts[i] for i in order], truncation=True, max_length=self.max_seq_length
        )["input_ids"]
        out = torch.cat(
            [self._forward(ids[i : i + batch_size]) for i in range(0, len(ids), batch_size)]
        )
        return out[torch.from_numpy(np.argsort(order))]

    def _forward(self, sequences: list[list[int]]) -> Any:
        torch = self._torch
        functional = torch.nn.functional
        rows = len(sequences)
        length = max(map(len, sequences))
        length = -(-length // self.pad_to_multiple_of) * self.pad_to_multiple_of
        ids = torch.full((rows, length), self.pad_id, dtype=torch.long)
        mask = torch.zeros((rows, length), dtype=torch.long)
        for row, seq in enumerate(sequences):
            ids[row, : len(seq)] = torch.tensor(seq, dtype=torch.long)
            mask[row, : len(seq)] = 1
        with torch.inference_mode():
            x = self._embeddings(ids)
            # transformers' bidirectional mask for SDPA: (rows, 1, length, length), materialised
            keep = mask.bool()[:, None, None, :].expand(rows, 1, length, length).contiguous()
            for layer in range(self.layers):
                x = self._layer(x, keep, f"encoder.layer.{layer}.")
            # sentence-transformers' mean pooling: sums in float32 when x is half precision
            total = torch.float32 if x.dtype in (torch.float16, torch.bfloat16) else x.dtype
            weights = mask.unsqueeze(-1).to(x.dtype)
            summed = (x * weights).sum(dim=1, dtype=total)
            count = torch.clamp(weights.sum(dim=1, dtype=total), min=1e-9)
            pooled = (summed / count).to(x.dtype)
            pooled = functional.normalize(pooled, p=2, dim=-1)  # the Normalize module
            return functional.normalize(pooled, p=2, dim=-1)  # encode(normalize_embeddings=True)

    def _embeddings(self, ids: Any) -> Any:
        torch, w = self._torch, self.weights
        functional = torch.nn.functional
        x = functional.embedding(ids, w["embeddings.word_embeddings.weight"], self.pad_id)
        x = x + functional.embedding(
            torch.zeros_like(ids), w["embeddings.token_type_embeddings.weight"]
        )
        positions = torch.arange(ids.shape[1]).expand((1, -1))
        x = x + functional.embedding(positions, w["embeddings.position_embeddings.weight"])
        return self._norm(x, "embeddings.LayerNorm")

    def _layer(self, x: Any, keep: Any, prefix: str) -> Any:
        functional = self._torch.nn.functional
        rows, length = x.shape[:2]
        heads = (rows, length, -1, self.head_size)
        q = self._linear(x, prefix + "attention.self.query").view(*heads).transpose(1, 2)
        k = self._linear(x, prefix + "attention.self.key").view(*heads).transpose(1, 2)
        v = self._linear(x, prefix + "attention.self.value").view(*heads).transpose(1, 2)
        attended = functional.scaled_dot_product_attention(
            q, k, v, attn_mask=keep, dropout_p=0.0, scale=self.scaling, is_causal=False
        )
        attended = attended.transpose(1, 2).contiguous().reshape(rows, length, -1).contiguous()
        h = self._linear(attended, prefix + "attention.output.dense") + x
        h = self._norm(h, prefix + "attention.output.LayerNorm")
        inner = functional.gelu(self._linear(h, prefix + "intermediate.dense"))
        return self._norm(
            self._linear(inner, prefix + "output.dense") + h, prefix + "output.LayerNorm"
        )

    def _linear(self, x: Any, name: str) -> Any:
        w = self.weights
        return self._torch.nn.functional.linear(x, w[name + ".weight"], w[name + ".bias"])

    def _norm(self, x: Any, name: str) -> Any:
        w = self.weights
        return self._torch.nn.functional.layer_norm(
            x, (self.hidden,), w[name + ".weight"], w[name + ".bias"], self.eps
        )
