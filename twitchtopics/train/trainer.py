"""What the MLM and SimCSE steps share: the Hugging Face Trainer's settings, resuming from its
last checkpoint, progress and loss on stderr, and quiet libraries.
"""

from __future__ import annotations

import contextlib
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

from twitchtopics.train.steps import say


def trainer_callback(label: str, progress: bool):
    """Progress and loss on stderr (the Trainers' own printer writes to stdout)."""
    from transformers import TrainerCallback

    class _Progress(TrainerCallback):
        began = 0.0

        def on_train_begin(self, args, state, control, **kwargs):
            self.began = time.perf_counter()
            self.first_step = state.global_step

        def on_log(self, args, state, control, logs=None, **kwargs):
            if not progress or not logs or "loss" not in logs:
                return
            done = state.global_step - self.first_step
            elapsed = time.perf_counter() - self.began
            left = (state.max_steps - state.global_step) * elapsed / done if done else 0.0
            say(
                True,
                f"{label} step {state.global_step}/{state.max_steps} loss {logs['loss']:.4f} "
                f"({elapsed / 60:.1f} min, ~{left / 60:.1f} min left)",
            )

    return _Progress()


def common_args(
    preset_steps: int, total_steps: int, checkpoints: Path, device: str, seed: int
) -> dict:
    import torch

    cuda = device.startswith("cuda")
    return {
        "output_dir": str(checkpoints),
        "logging_steps": max(1, min(100, total_steps // 25)),
        "save_strategy": "steps",
        "save_steps": preset_steps,
        "save_total_limit": 1,
        "report_to": "none",
        "disable_tqdm": True,
        "use_cpu": not cuda,
        "bf16": cuda and torch.cuda.is_bf16_supported(),
        "seed": seed,
        "data_seed": seed,
        "dataloader_num_workers": 0,
        "warmup_steps": 0.06,  # a ratio of the total steps
        "weight_decay": 0.01,
    }


def run_trainer(
    trainer, checkpoints: Path, label: str, progress: bool
) -> tuple[list[list[float]], str | None]:
    """Train (from the last checkpoint of an interrupted run, if any); (loss curve, checkpoint)."""
    from transformers.trainer_callback import PrinterCallback
    from transformers.trainer_utils import get_last_checkpoint

    trainer.remove_callback(PrinterCallback)
    trainer.add_callback(trainer_callback(label, progress))
    last = get_last_checkpoint(str(checkpoints)) if checkpoints.is_dir() else None
    if last:
        say(progress, f"{label}: resuming from {Path(last).name}")
    trainer.train(resume_from_checkpoint=last)
    losses = [
        [int(h["step"]), round(float(h["loss"]), 5)]
        for h in trainer.state.log_history
        if "loss" in h and "step" in h
    ]
    return losses, Path(last).name if last else None


@contextlib.contextmanager
def quiet_libraries() -> Iterator[None]:
    """No warnings chatter or loading bars from transformers/datasets; our progress says enough."""
    from transformers.utils import logging as tlog

    verbosity, bars = tlog.get_verbosity(), tlog.is_progress_bar_enabled()
    tlog.set_verbosity_error()
    tlog.disable_progress_bar()
    from datasets.utils.tqdm import (
        are_progress_bars_disabled,
        disable_progress_bars,
        enable_progress_bars,
    )

    datasets_bars = not are_progress_bars_disabled()
    disable_progress_bars()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        tlog.set_verbosity(verbosity)
        if bars:
            tlog.enable_progress_bar()
        if datasets_bars:
            enable_progress_bars()
