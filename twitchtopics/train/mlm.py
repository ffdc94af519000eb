"""Step 3 of `twitchtopics train`: masked-language-model pre-training of a ConvBERT from
scratch, on the deduplicated corpus with the step-2 tokenizer.
"""

from __future__ import annotations

import math
import shutil
import time
from pathlib import Path

from twitchtopics.train.corpus import load_corpus
from twitchtopics.train.presets import Preset
from twitchtopics.train.steps import fresh_step_dir, mark_done, say
from twitchtopics.train.trainer import common_args, run_trainer


def train_mlm(
    corpus_dir: Path,
    tokenizer_dir: Path,
    step_dir: Path,
    preset: Preset,
    *,
    epochs: int,
    device: str,
    seed: int,
    progress: bool,
) -> dict:
    """Masked-language-model pre-training of a ConvBERT from scratch (transformers' Trainer)."""
    from datasets import Dataset
    from transformers import (
        AutoTokenizer,
        ConvBertConfig,
        ConvBertForMaskedLM,
        DataCollatorForLanguageModeling,
        Trainer,
        TrainingArguments,
        set_seed,
    )

    fresh_step_dir(step_dir, keep=("checkpoints",))
    tokenizer = AutoTokenizer.from_pretrained(str(tokenizer_dir), local_files_only=True)
    lines = load_corpus(corpus_dir)
    data = Dataset.from_dict({"text": lines}).map(
        lambda batch: tokenizer(
            batch["text"],
            truncation=True,
            max_length=preset.max_length,
            return_special_tokens_mask=True,
        ),
        batched=True,
        remove_columns=["text"],
    )
    data = data.map(lambda row: {"length": len(row["input_ids"])})
    config = ConvBertConfig(
        vocab_size=len(tokenizer),
        hidden_size=preset.hidden_size,
        num_hidden_layers=preset.num_hidden_layers,
        num_attention_heads=preset.num_attention_heads,
        intermediate_size=preset.intermediate_size,
        embedding_size=preset.embedding_size,
        conv_kernel_size=preset.conv_kernel_size,
        head_ratio=preset.head_ratio,
        max_position_embeddings=preset.max_length,
        pad_token_id=tokenizer.pad_token_id,
    )
    set_seed(seed)
    model = ConvBertForMaskedLM(config)
    total = math.ceil(len(data) / preset.mlm_batch_size) * epochs
    checkpoints = step_dir / "checkpoints"
    args = TrainingArguments(
        num_train_epochs=epochs,
        per_device_train_batch_size=preset.mlm_batch_size,
        learning_rate=preset.mlm_learning_rate,
        train_sampling_strategy="group_by_length",
        **common_args(preset.save_steps, total, checkpoints, device, seed),
    )
    collator = DataCollatorForLanguageModeling(tokenizer, mlm=True, mlm_probability=0.15)
    trainer = Trainer(model=model, args=args, train_dataset=data, data_collator=collator)
    say(progress, f"mlm: {len(data)} messages, {epochs} epoch(s), {total} steps")
    started = time.perf_counter()
    losses, resumed_from = run_trainer(trainer, checkpoints, "mlm", progress)
    trainer.save_model(str(step_dir / "model"))
    tokenizer.save_pretrained(str(step_dir / "model"))
    shutil.rmtree(checkpoints, ignore_errors=True)
    stats = {
        "messages": len(data),
        "epochs": epochs,
        "steps": int(trainer.state.global_step),
        "parameters": int(sum(p.numel() for p in model.parameters())),
        "loss": losses,
        "resumed_from": resumed_from,
        "train_s": round(time.perf_counter() - started, 3),
    }
    mark_done(step_dir, stats)
    return stats
