"""Train a chat encoder from a corpus: `twitchtopics train`.

From scratch (the method's recipe): read and normalise the messages exactly as `cluster`
does, deduplicate, train a unigram tokenizer (emotes as whole tokens, `<mention>`/`<url>`
placeholders), pre-train a ConvBERT as a masked language model, then turn it into a sentence
encoder with unsupervised SimCSE (the same message twice, dropout as the augmentation,
MultipleNegativesRankingLoss, CLS pooling). With `base="minilm"` the tokenizer and MLM steps
are skipped and the packaged all-MiniLM-L6-v2 is adapted with SimCSE (mean pooling kept).

ELECTRA-style pre-training is not implemented: both presets pre-train with MLM only, which is
what the method finally used.

Every step writes to `<out>/_work/NN_step/` and ends with a `DONE` marker; `resume=True`
skips finished steps and resumes the MLM and SimCSE steps from their last Trainer checkpoint.
The result, `<out>/`, is a sentence-transformers model folder (loads offline with
`SentenceTransformer(out)`, accepted by `cluster --model out`) with a `training.json`.

Inputs: every file is read with `read_log` (any format `cluster` reads); a `.txt` file that is
not a recognised log (or that `read_log` mostly could not parse) is one message per line.
Messages of kind chat and action are kept (as `cluster` clusters them); plain lines are all kept.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import asdict, replace
from datetime import datetime, timezone
from pathlib import Path

from twitchtopics._version import __version__
from twitchtopics.errors import ModelError, ReadError, TwitchTopicsError
from twitchtopics.progress import Stages
from twitchtopics.train.corpus import MIN_DISTINCT_MESSAGES, build_corpus, read_corpus_file
from twitchtopics.train.mlm import train_mlm
from twitchtopics.train.presets import MINILM_SIMCSE_LEARNING_RATE, PRESETS, Preset
from twitchtopics.train.simcse import train_simcse
from twitchtopics.train.steps import is_done, read_json, say, write_json
from twitchtopics.train.tokenizer import build_tokenizer
from twitchtopics.train.trainer import quiet_libraries

__all__ = ["MIN_DISTINCT_MESSAGES", "PRESETS", "Preset", "read_corpus_file", "train_encoder"]

WORK = "_work"
STEP_CORPUS, STEP_TOKENIZER, STEP_MLM, STEP_SIMCSE = (
    "01_corpus",
    "02_tokenizer",
    "03_mlm",
    "04_simcse",
)
BASES = ("minilm",)
# settings that must match for --resume to continue a run
RESUME_KEYS = ("preset", "base", "epochs", "max_messages", "seed", "inputs")


# --------------------------------------------------------------------------------------------
# small helpers


def _check_device(device: str) -> str:
    device = (device or "cpu").strip().lower()
    if device == "cpu":
        return device
    if device == "cuda" or device.startswith("cuda:"):
        import torch

        if not torch.cuda.is_available():
            raise ModelError(
                f"--device {device}: no CUDA GPU is available to torch on this machine"
            )
        return device
    raise ModelError(f"unknown device {device!r}: use cpu or cuda")


def _offline() -> None:
    """Training never downloads anything: keep the Hugging Face libraries offline."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def _check_training_deps() -> None:
    """`train` needs the [train] extra (accelerate, datasets); one line when it is missing."""
    from twitchtopics.extras import require

    require("train", "twitchtopics train")


# --------------------------------------------------------------------------------------------
# the output folder


def _looks_like_ours(out: Path) -> bool:
    return (out / WORK).is_dir() or (out / "training.json").is_file()


def _prepare_out(out: Path, *, resume: bool, overwrite: bool) -> None:
    if resume and overwrite:
        raise ModelError("use either --resume or --overwrite, not both")
    if out.exists() and not out.is_dir():
        raise ModelError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        if overwrite:
            if not _looks_like_ours(out):
                raise ModelError(
                    f"refusing to delete {out}: it is not a twitchtopics training folder"
                )
            shutil.rmtree(out)
        elif resume:
            if not (out / WORK).is_dir():
                raise ModelError(f"{out} holds no twitchtopics training run to resume")
        else:
            raise ModelError(
                f"{out} already exists: use --resume to continue its run or --overwrite "
                "to start again"
            )
    (out / WORK).mkdir(parents=True, exist_ok=True)


def _check_settings(work: Path, settings: dict) -> None:
    """A resumed run must use the settings it was started with."""
    path = work / "settings.json"
    if path.is_file():
        previous = read_json(path)
        changed = [k for k in RESUME_KEYS if previous.get(k) != settings.get(k)]
        if changed:
            what = ", ".join(f"{k} {previous.get(k)!r} -> {settings.get(k)!r}" for k in changed)
            raise ModelError(
                f"cannot resume: the run in {work.parent} used other settings ({what}); "
                "rerun with the same options or use --overwrite"
            )
    write_json(path, settings)


def _publish(model_dir: Path, out: Path) -> None:
    """Copy the final sentence-transformers folder into `out` (next to `_work`)."""
    for item in model_dir.iterdir():
        target = out / item.name
        if target.is_dir():
            shutil.rmtree(target)
        if item.is_dir():
            shutil.copytree(item, target)
        else:
            shutil.copy2(item, target)


# --------------------------------------------------------------------------------------------
# the entry point


def train_encoder(
    inputs: list[Path],
    out: Path,
    *,
    preset: str = "tiny",
    base: str | None = None,
    epochs: int | None = None,
    max_messages: int | None = None,
    device: str = "cpu",
    seed: int = 42,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool = True,
) -> dict:
    """Train a chat encoder on `inputs`, write it as a sentence-transformers folder in `out`.

    `epochs` is the number of MLM passes over the corpus (the preset's by default); with
    `base="minilm"` (no MLM) it is the number of SimCSE passes (1 by default). `max_messages`
    caps the deduplicated corpus (a seeded random sample); SimCSE uses at most the preset's
    `simcse_messages` of it. Returns the content of `<out>/training.json`.
    """
    if preset not in PRESETS:
        raise ModelError(f"unknown preset {preset!r}: use {' or '.join(PRESETS)}")
    if base is not None and base not in BASES:
        raise ModelError(f"unknown base {base!r}: use {' or '.join(BASES)} (or none)")
    if epochs is not None and epochs < 1:
        raise ModelError("--epochs must be at least 1")
    if max_messages is not None and max_messages < MIN_DISTINCT_MESSAGES:
        raise ModelError(f"--max-messages must be at least {MIN_DISTINCT_MESSAGES}")
    if not inputs:
        raise ModelError("no input: give at least one chat log or text file")
    device = _check_device(device)
    _check_training_deps()
    _offline()
    config = PRESETS[preset]
    if epochs is not None and base is None:
        config = replace(config, mlm_epochs=epochs)
    out = Path(out)
    inputs = [Path(p) for p in inputs]
    for path in inputs:
        if not path.is_file():
            raise ReadError(f"{path}: no such file")
    settings = {
        "preset": preset,
        "base": base,
        "epochs": epochs,
        "max_messages": max_messages,
        "seed": seed,
        "inputs": [str(p.resolve()) for p in inputs],
        "device": device,
    }
    _prepare_out(out, resume=resume, overwrite=overwrite)
    work = out / WORK
    _check_settings(work, settings)
    stages = Stages(quiet=not progress, label="train")
    began = time.perf_counter()
    resumed: list[str] = []
    steps: dict[str, dict] = {}

    def run_step(name: str, detail: str, func) -> dict:
        step_dir = work / name
        if resume and is_done(step_dir):
            resumed.append(name)
            say(progress, f"{name}: already done, skipped")
            return read_json(step_dir / "stats.json")
        step_began = time.perf_counter()
        try:
            with stages.stage(name, detail), quiet_libraries():
                stats = func(step_dir)
        except TwitchTopicsError:
            raise
        except (KeyboardInterrupt, MemoryError):
            raise
        except Exception as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelError(f"training step {name} failed: {first}") from exc
        stats["step_s"] = round(time.perf_counter() - step_began, 3)
        write_json(step_dir / "stats.json", stats)
        return stats

    corpus_dir = work / STEP_CORPUS
    steps["corpus"] = run_step(
        STEP_CORPUS,
        f"{len(inputs)} input(s)",
        lambda d: build_corpus(inputs, d, max_messages=max_messages, seed=seed, progress=progress),
    )
    if base is None:
        tok_dir = work / STEP_TOKENIZER
        steps["tokenizer"] = run_step(
            STEP_TOKENIZER,
            f"unigram, {config.vocab_size} pieces",
            lambda d: build_tokenizer(
                corpus_dir, d, vocab_size=config.vocab_size, max_length=config.max_length
            ),
        )
        steps["mlm"] = run_step(
            STEP_MLM,
            f"ConvBERT {config.name}",
            lambda d: train_mlm(
                corpus_dir,
                tok_dir / "tokenizer",
                d,
                config,
                epochs=config.mlm_epochs,
                device=device,
                seed=seed,
                progress=progress,
            ),
        )
        simcse = {
            "base_model": work / STEP_MLM / "model",
            "from_mlm": True,
            "max_length": config.max_length,
            "messages": config.simcse_messages,
            "batch_size": config.simcse_batch_size,
            "learning_rate": config.simcse_learning_rate,
            "epochs": 1,
        }
    else:
        from twitchtopics.embed.embedders import packaged_model_path

        simcse = {
            "base_model": packaged_model_path(),
            "from_mlm": False,
            "max_length": None,
            "messages": config.simcse_messages,
            "batch_size": config.simcse_batch_size,
            "learning_rate": MINILM_SIMCSE_LEARNING_RATE,
            "epochs": epochs or 1,
        }
    steps["simcse"] = run_step(
        STEP_SIMCSE,
        "SimCSE" + (f" on {base}" if base else ""),
        lambda d: train_simcse(
            corpus_dir,
            d,
            save_steps=config.save_steps,
            device=device,
            seed=seed,
            progress=progress,
            **simcse,
        ),
    )
    _publish(work / STEP_SIMCSE / "model", out)
    report = _report(settings, config, base, steps, resumed, time.perf_counter() - began)
    write_json(out / "training.json", report)
    say(progress, f"model written to {out}")
    return report


def _report(
    settings: dict, config: Preset, base: str | None, steps: dict, resumed: list, total: float
) -> dict:
    import sentence_transformers
    import torch
    import transformers

    if base is None:
        model = {
            "architecture": "ConvBERT",
            "pretraining": "masked language model (no ELECTRA step)",
            "pooling": "cls",
            "preset": asdict(config),
        }
    else:
        model = {
            "architecture": "all-MiniLM-L6-v2 (packaged)",
            "pretraining": "none (pre-trained model)",
            "pooling": "mean",
            "simcse_learning_rate": MINILM_SIMCSE_LEARNING_RATE,
        }
    model["dimension"] = steps["simcse"].get("dimension")
    timings = {name: stats.get("step_s") for name, stats in steps.items()}
    return {
        "tool_version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "settings": settings,
        "model": model,
        "corpus": steps["corpus"],
        "tokenizer": steps.get("tokenizer"),
        "loss": {
            "mlm": steps.get("mlm", {}).get("loss"),
            "simcse": steps["simcse"].get("loss"),
        },
        "steps": {
            name: {k: v for k, v in stats.items() if k not in ("loss", "inputs")}
            for name, stats in steps.items()
        },
        "timings": {**timings, "total_s": round(total, 3)},
        "resumed_steps": resumed,
        "versions": {
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "sentence_transformers": sentence_transformers.__version__,
        },
    }
