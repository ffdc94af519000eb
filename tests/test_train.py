"""`twitchtopics train`: corpus reading, tokenizer, bad inputs, and (slow) end-to-end runs.

The corpora are invented French chat lines made combinatorially here; nothing is copied from
real logs.
"""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from twitchtopics.errors import ModelError, ReadError, TwitchTopicsError
from twitchtopics.train.encoder import MIN_DISTINCT_MESSAGES, read_corpus_file, train_encoder

SUBJECTS = [
    "le boss",
    "ce jeu",
    "la musique",
    "le stream",
    "ton build",
    "cette map",
    "la run",
    "le chat",
]
VERBS = ["est trop", "devient", "reste", "a l'air", "était"]
ADJECTIVES = ["incroyable", "nul", "bizarre", "stylé", "chaud", "lent", "drôle", "dur"]
ENDINGS = [
    "",
    " mdr",
    " KEKW",
    " LUL",
    " ptdr",
    " @pseudo_du_chat",
    " regarde https://exemple.fr/clip/42",
    " !!",
]


def french_lines(n: int, seed: int = 0) -> list[str]:
    """`n` distinct invented chat messages (a seeded sample of all combinations)."""
    combos = [
        f"{s} {v} {a}{e}" for s, v, a, e in itertools.product(SUBJECTS, VERBS, ADJECTIVES, ENDINGS)
    ]
    extra = [f"question {i} : tu joues à quoi ce soir ?" for i in range(40)]
    lines = combos + extra
    random.Random(seed).shuffle(lines)
    assert n <= len(lines)
    return lines[:n]


def write_corpus(path: Path, n: int, seed: int = 0) -> Path:
    path.write_text("\n".join(french_lines(n, seed)) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    """These models are tiny: one thread beats two contended ones on a shared 2-core machine."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus.txt", 600)


# --------------------------------------------------------------------------------------------
# reading


def test_plain_text_is_one_message_per_line(tmp_path: Path) -> None:
    path = tmp_path / "lines.txt"
    path.write_text(
        "salut @quelqu_un regarde https://exemple.fr\n\nle boss est chaud KEKW\n", encoding="utf-8"
    )
    texts, emotes, info = read_corpus_file(path)
    assert info["format"] == "lines"
    assert emotes == set()
    assert "<mention>" in texts[0] and "<url>" in texts[0]
    assert "le boss est chaud KEKW" in texts


def test_chat_log_is_read_with_read_log(tmp_path: Path) -> None:
    lines = [f"[0:00:{i:02d}] viewer{i % 7}: {t}" for i, t in enumerate(french_lines(40))]
    path = tmp_path / "stream.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    texts, _, info = read_corpus_file(path)
    assert info["format"] != "lines"
    assert len(texts) == 40
    assert not any(t.startswith("[0:") for t in texts)


def test_unknown_non_txt_file_is_a_read_error(tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(b"\x00\x01\x02 nothing readable")
    with pytest.raises(ReadError):
        read_corpus_file(path)


# --------------------------------------------------------------------------------------------
# tokenizer


def test_tokenizer_keeps_emotes_and_placeholders_whole(tmp_path: Path) -> None:
    from transformers import AutoTokenizer

    from twitchtopics.train.tokenizer import select_emotes, train_unigram_tokenizer

    lines = [read for read in read_corpus_file(write_corpus(tmp_path / "c.txt", 600))[0]]
    emotes = select_emotes(lines, {"KEKW", "LUL", "PogChamp"}, 4000)
    assert set(emotes) == {"KEKW", "LUL"}  # PogChamp does not occur
    stats = train_unigram_tokenizer(
        lines, tmp_path / "tok", vocab_size=4000, emotes=emotes, max_length=64
    )
    assert stats["emote_tokens"] == 2
    tok = AutoTokenizer.from_pretrained(str(tmp_path / "tok"), local_files_only=True)
    assert tok.pad_token_id == 0
    assert tok.convert_ids_to_tokens(0) == "[PAD]"
    ids = tok("le boss <mention> KEKW <url> LUL")["input_ids"]
    tokens = tok.convert_ids_to_tokens(ids)
    assert tokens[0] == "[CLS]" and tokens[-1] == "[SEP]"
    for whole in ("<mention>", "<url>", "KEKW", "LUL"):
        assert whole in tokens
    assert tok.model_max_length == 64


# --------------------------------------------------------------------------------------------
# bad input (fast: they fail before any training)


def test_tiny_corpus_is_refused(tmp_path: Path) -> None:
    small = write_corpus(tmp_path / "small.txt", MIN_DISTINCT_MESSAGES - 1)
    with pytest.raises(ModelError, match="corpus too small"):
        train_encoder([small], tmp_path / "out", progress=False)


def test_duplicates_do_not_count(tmp_path: Path) -> None:
    path = tmp_path / "dups.txt"
    path.write_text("\n".join(french_lines(100) * 5) + "\n", encoding="utf-8")
    with pytest.raises(ModelError, match="100 distinct"):
        train_encoder([path], tmp_path / "out", progress=False)


def test_empty_corpus_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(TwitchTopicsError):
        train_encoder([empty], tmp_path / "out", progress=False)


def test_missing_input(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="no such file"):
        train_encoder([tmp_path / "nope.txt"], tmp_path / "out", progress=False)


def test_existing_out_is_refused(tmp_path: Path, corpus: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.md").write_text("mine", encoding="utf-8")
    with pytest.raises(ModelError, match="already exists"):
        train_encoder([corpus], out, progress=False)
    with pytest.raises(ModelError, match="refusing to delete"):
        train_encoder([corpus], out, overwrite=True, progress=False)
    with pytest.raises(ModelError, match="no twitchtopics training run"):
        train_encoder([corpus], out, resume=True, progress=False)
    with pytest.raises(ModelError, match="not both"):
        train_encoder([corpus], out, resume=True, overwrite=True, progress=False)
    assert (out / "notes.md").read_text(encoding="utf-8") == "mine"


def test_cuda_without_gpu(tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ModelError, match="no CUDA GPU"):
        train_encoder([corpus], tmp_path / "out", device="cuda", progress=False)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"preset": "huge"}, "unknown preset"),
        ({"base": "bert"}, "unknown base"),
        ({"device": "tpu"}, "unknown device"),
        ({"epochs": 0}, "epochs"),
        ({"max_messages": 10}, "max-messages"),
    ],
)
def test_bad_options(tmp_path: Path, corpus: Path, kwargs: dict, match: str) -> None:
    with pytest.raises(ModelError, match=match):
        train_encoder([corpus], tmp_path / "out", progress=False, **kwargs)


def test_cli_error_is_one_line(tmp_path: Path, corpus: Path) -> None:
    from twitchtopics.cli import cli

    out = tmp_path / "out"
    out.mkdir()
    (out / "x").write_text("x", encoding="utf-8")
    result = CliRunner().invoke(cli, ["train", str(corpus), "--out", str(out)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:") and "already exists" in lines[0]


# --------------------------------------------------------------------------------------------
# end to end (slow): an interrupted tiny run, resumed; then loading and embedding


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    import twitchtopics.train.encoder as train_module

    tmp = tmp_path_factory.mktemp("train")
    corpus = write_corpus(tmp / "corpus.txt", 320)
    out = tmp / "model"
    real_simcse = train_module.train_simcse

    def interrupted(*args, **kwargs):
        raise RuntimeError("power cut")

    train_module.train_simcse = interrupted
    try:
        with pytest.raises(ModelError, match="04_simcse failed: power cut"):
            train_encoder([corpus], out, preset="tiny", progress=False)
    finally:
        train_module.train_simcse = real_simcse
    work = out / "_work"
    for step in ("01_corpus", "02_tokenizer", "03_mlm"):
        assert (work / step / "DONE").is_file()
    assert not (work / "04_simcse" / "DONE").exists()
    with pytest.raises(ModelError, match="already exists"):
        train_encoder([corpus], out, preset="tiny", progress=False)
    with pytest.raises(ModelError, match="other settings"):
        train_encoder([corpus], out, preset="tiny", seed=7, resume=True, progress=False)
    report = train_encoder([corpus], out, preset="tiny", resume=True, progress=False)
    return corpus, out, report


@pytest.mark.slow
def test_resumed_run_skips_finished_steps(trained) -> None:
    _, out, report = trained
    assert report["resumed_steps"] == ["01_corpus", "02_tokenizer", "03_mlm"]
    assert (out / "_work" / "04_simcse" / "DONE").is_file()
    assert not (out / "_work" / "03_mlm" / "checkpoints").exists()


@pytest.mark.slow
def test_training_json(trained) -> None:
    _, out, report = trained
    saved = json.loads((out / "training.json").read_text(encoding="utf-8"))
    assert saved["settings"] == report["settings"]
    assert saved["settings"]["preset"] == "tiny"
    assert saved["corpus"]["distinct"] == 320
    assert saved["model"]["architecture"] == "ConvBERT"
    assert saved["model"]["pooling"] == "cls"
    assert saved["model"]["dimension"] == 128
    assert saved["loss"]["mlm"] and saved["loss"]["simcse"]
    assert all(len(point) == 2 for point in saved["loss"]["simcse"])
    for step in ("corpus", "tokenizer", "mlm", "simcse", "total_s"):
        assert saved["timings"][step] is not None


@pytest.mark.slow
def test_output_loads_offline_and_embeds(trained) -> None:
    import numpy as np
    from sentence_transformers import SentenceTransformer

    _, out, _ = trained
    assert (out / "model.safetensors").is_file()
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert config["model_type"] == "convbert"
    pooling = json.loads((out / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
    assert pooling.get("pooling_mode") == "cls" or pooling.get("pooling_mode_cls_token") is True
    model = SentenceTransformer(str(out), device="cpu", local_files_only=True)
    vectors = model.encode(["le boss est chaud KEKW", "la musique est incroyable <mention>"])
    assert vectors.shape == (2, 128)
    assert np.isfinite(vectors).all()


@pytest.mark.slow
def test_cluster_accepts_the_model(trained) -> None:
    from twitchtopics.embed.embedders import embed_texts, load_embedder

    _, out, _ = trained
    embedder = load_embedder(str(out))
    vectors = embed_texts(["le boss est nul", "ce jeu est drôle"], embedder)
    assert len(vectors) == 2


@pytest.mark.slow
def test_cli_resume_of_a_finished_run(trained) -> None:
    from twitchtopics.cli import cli

    corpus, out, _ = trained
    result = CliRunner().invoke(cli, ["train", str(corpus), "--out", str(out), "--resume", "-q"])
    assert result.exit_code == 0, result.output
    assert "ConvBERT" in result.output
    saved = json.loads((out / "training.json").read_text(encoding="utf-8"))
    assert len(saved["resumed_steps"]) == 4


@pytest.mark.slow
def test_base_minilm(tmp_path: Path) -> None:
    from sentence_transformers import SentenceTransformer

    corpus = write_corpus(tmp_path / "corpus.txt", 240, seed=3)
    out = tmp_path / "minilm"
    report = train_encoder([corpus], out, base="minilm", progress=False)
    assert report["model"]["pooling"] == "mean"
    assert report["tokenizer"] is None and report["loss"]["mlm"] is None
    assert not (out / "_work" / "02_tokenizer").exists()
    model = SentenceTransformer(str(out), device="cpu", local_files_only=True)
    assert model.encode(["salut le chat"]).shape == (1, 384)


@pytest.mark.slow
def test_mlm_resumes_from_its_last_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run killed in the middle of MLM pre-training goes on from the Trainer's checkpoint."""
    from dataclasses import replace

    from transformers import TrainerCallback

    import twitchtopics.train.presets as presets
    import twitchtopics.train.trainer as trainer_module

    tiny = replace(presets.PRESETS["tiny"], save_steps=2, mlm_batch_size=32)
    monkeypatch.setitem(presets.PRESETS, "tiny", tiny)
    real_callback = trainer_module.trainer_callback

    class Crash(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            if state.global_step == 3:
                raise RuntimeError("killed")

    monkeypatch.setattr(trainer_module, "trainer_callback", lambda label, progress: Crash())
    corpus = write_corpus(tmp_path / "corpus.txt", 240, seed=5)
    out = tmp_path / "out"
    with pytest.raises(ModelError, match="03_mlm failed: killed"):
        train_encoder([corpus], out, progress=False)
    assert (out / "_work" / "03_mlm" / "checkpoints" / "checkpoint-2").is_dir()
    monkeypatch.setattr(trainer_module, "trainer_callback", real_callback)
    report = train_encoder([corpus], out, resume=True, progress=False)
    mlm = report["steps"]["mlm"]
    assert mlm["resumed_from"] == "checkpoint-2"
    assert mlm["steps"] == 8  # 240 messages / 32 per batch, one epoch
    assert report["resumed_steps"] == ["01_corpus", "02_tokenizer"]
