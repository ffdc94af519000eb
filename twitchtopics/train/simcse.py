"""Step 4 of `twitchtopics train`: unsupervised SimCSE turns a language model (the step-3
ConvBERT, CLS pooling; or the packaged MiniLM, mean pooling) into a sentence encoder.

The same message twice is a positive pair, dropout is the augmentation, the other messages
of the batch are the negatives (MultipleNegativesRankingLoss).
"""

from __future__ import annotations

import math
import shutil
import time
from pathlib import Path

from twitchtopics.train.corpus import load_corpus
from twitchtopics.train.steps import fresh_step_dir, mark_done, say
from twitchtopics.train.trainer import common_args, run_trainer


def train_simcse(
    corpus_dir: Path,
    step_dir: Path,
    *,
    base_model: Path,
    from_mlm: bool,
    max_length: int,
    messages: int,
    batch_size: int,
    learning_rate: float,
    epochs: int,
    save_steps: int,
    device: str,
    seed: int,
    progress: bool,
) -> dict:
    """Unsupervised SimCSE: (message, same message) pairs, MultipleNegativesRankingLoss."""
    from datasets import Dataset
    from sentence_transformers import (
        SentenceTransformer,
        SentenceTransformerTrainer,
        SentenceTransformerTrainingArguments,
    )
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from transformers import set_seed

    fresh_step_dir(step_dir, keep=("checkpoints",))
    set_seed(seed)
    if from_mlm:
        word = Transformer(str(base_model), max_seq_length=max_length)
        pooling = Pooling(word.get_embedding_dimension(), "cls")
        model = SentenceTransformer(modules=[word, pooling], device=device)
    else:
        model = SentenceTransformer(str(base_model), device=device, local_files_only=True)
    lines = load_corpus(corpus_dir)  # already deduplicated and shuffled with the seed
    texts = lines[:messages]
    data = Dataset.from_dict({"anchor": texts, "positive": texts})
    total = math.ceil(len(texts) / batch_size) * epochs
    checkpoints = step_dir / "checkpoints"
    args = SentenceTransformerTrainingArguments(
        num_train_epochs=epochs,
        per_device_train_batch_size=batch_size,
        learning_rate=learning_rate,
        **common_args(save_steps, total, checkpoints, device, seed),
    )
    loss = MultipleNegativesRankingLoss(model)
    trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=data, loss=loss)
    say(progress, f"simcse: {len(texts)} messages, {epochs} epoch(s), {total} steps")
    started = time.perf_counter()
    losses, resumed_from = run_trainer(trainer, checkpoints, "simcse", progress)
    model.save(str(step_dir / "model"))
    shutil.rmtree(checkpoints, ignore_errors=True)
    stats = {
        "messages": len(texts),
        "epochs": epochs,
        "steps": int(trainer.state.global_step),
        "batch_size": batch_size,
        "learning_rate": learning_rate,
        "loss": losses,
        "resumed_from": resumed_from,
        "train_s": round(time.perf_counter() - started, 3),
        "dimension": int(model.get_embedding_dimension()),
    }
    mark_done(step_dir, stats)
    return stats
