"""The model and training settings of each `twitchtopics train --preset`.

`small` is the method's configuration (ConvBERT-small, 16k unigram vocabulary, SimCSE on
500k messages); `tiny` trains in minutes on 2 CPU cores for ~100k messages and is what the
tests use.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    """Model and training configuration of a preset."""

    name: str
    vocab_size: int
    hidden_size: int
    num_hidden_layers: int
    num_attention_heads: int
    embedding_size: int
    intermediate_size: int
    conv_kernel_size: int
    head_ratio: int
    max_length: int
    mlm_epochs: int
    mlm_batch_size: int
    mlm_learning_rate: float
    simcse_messages: int
    simcse_batch_size: int
    simcse_learning_rate: float
    save_steps: int


PRESETS: dict[str, Preset] = {
    # minutes on 2 CPU cores for ~100k messages; what the tests use
    "tiny": Preset(
        name="tiny",
        vocab_size=6000,
        hidden_size=128,
        num_hidden_layers=3,
        num_attention_heads=4,
        embedding_size=128,
        intermediate_size=512,
        conv_kernel_size=9,
        head_ratio=2,
        max_length=64,
        mlm_epochs=1,
        mlm_batch_size=64,
        mlm_learning_rate=5e-4,
        simcse_messages=50_000,
        simcse_batch_size=32,
        simcse_learning_rate=5e-5,
        save_steps=500,
    ),
    # the method's configuration: ConvBERT-small, 16k unigram vocabulary, SimCSE on 500k
    "small": Preset(
        name="small",
        vocab_size=16000,
        hidden_size=256,
        num_hidden_layers=12,
        num_attention_heads=4,
        embedding_size=128,
        intermediate_size=1024,
        conv_kernel_size=9,
        head_ratio=2,
        max_length=128,
        mlm_epochs=3,
        mlm_batch_size=128,
        mlm_learning_rate=5e-4,
        simcse_messages=500_000,
        simcse_batch_size=32,
        simcse_learning_rate=3e-5,
        save_steps=2000,
    ),
}
# --base minilm: SimCSE on the packaged MiniLM (its own tokenizer and mean pooling)
MINILM_SIMCSE_LEARNING_RATE = 2e-5
