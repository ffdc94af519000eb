"""Our BERT encoder (`twitchtopics.embed.bert`) gives the packaged MiniLM's vectors bit for bit
as sentence-transformers does, so a run without sentence-transformers' import keeps every
cached vector and every grouping."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from twitchtopics.embed.bert import is_plain_bert_folder

TEXTS = [
    "bonsoir le chat",
    "KEKW KEKW KEKW",
    "ponceJAM ponceJAM ponceJAM ponceJAM",
    "@Samb023 tu as vu le match hier ? c'était incroyable",
    "what if we all typed the same message? 🤔 🤔 🤔",
    "é à ç œ ß 日本語 한국어 العربية",
    "",
    "   ",
    "a\tb\nc\u2028d\x00e",
    "+1",
    "!uptime",
    "LOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOL",
    "mot " * 300,  # past the 256 tokens the model reads
    "Christina? PogChamp that warrior is a grill " * 8,
] + [f"message numéro {i} du chat {'KEKW ' * (i % 7)}" for i in range(60)]


def write_folder(
    folder: Path, *, pooling: str = "pooling_mode_mean_tokens", st_settings=None, **config
) -> Path:
    (folder / "1_Pooling").mkdir(parents=True)
    modules = [
        {"type": "sentence_transformers.models.Transformer"},
        {"type": "sentence_transformers.models.Pooling"},
        {"type": "sentence_transformers.models.Normalize"},
    ]
    (folder / "modules.json").write_text(json.dumps(modules))
    settings = {"model_type": "bert", "hidden_act": "gelu", **config}
    (folder / "config.json").write_text(json.dumps(settings))
    (folder / "1_Pooling" / "config.json").write_text(json.dumps({pooling: True}))
    (folder / "model.safetensors").write_bytes(b"")
    (folder / "tokenizer.json").write_text("{}")
    (folder / "sentence_bert_config.json").write_text(
        json.dumps({"max_seq_length": 256} if st_settings is None else st_settings)
    )
    return folder


def test_only_a_plain_bert_with_mean_pooling_is_run_by_our_encoder(tmp_path: Path) -> None:
    assert is_plain_bert_folder(write_folder(tmp_path / "plain"))
    assert not is_plain_bert_folder(
        write_folder(tmp_path / "cls", pooling="pooling_mode_cls_token")
    )
    assert not is_plain_bert_folder(write_folder(tmp_path / "roberta", model_type="roberta"))
    assert not is_plain_bert_folder(write_folder(tmp_path / "gelu_new", hidden_act="gelu_new"))
    relative = write_folder(tmp_path / "relative", position_embedding_type="relative_key")
    assert not is_plain_bert_folder(relative)
    lowercased = write_folder(
        tmp_path / "lower", st_settings={"max_seq_length": 256, "do_lower_case": True}
    )
    assert not is_plain_bert_folder(lowercased)
    assert not is_plain_bert_folder(write_folder(tmp_path / "no_length", st_settings={}))
    no_tokenizer = write_folder(tmp_path / "no_tokenizer")
    (no_tokenizer / "tokenizer.json").unlink()
    assert not is_plain_bert_folder(no_tokenizer)
    assert not is_plain_bert_folder(tmp_path / "missing")


@pytest.mark.slow
def test_the_packaged_minilm_gives_sentence_transformers_vectors_bit_for_bit() -> None:
    from twitchtopics.embed.bert import BertSentenceModel
    from twitchtopics.embed.precision import cpu_has_native_bf16
    from twitchtopics.embed.transformer import (
        SentenceTransformerEmbedder,
        load_sentence_transformer,
        packaged_model_path,
    )

    path = packaged_model_path()
    reference_model = load_sentence_transformer(path, device="cpu", progress=False)
    ours_model = BertSentenceModel(path)
    for precision in ["fp32"] + (["bf16"] if cpu_has_native_bf16() else []):
        reference = SentenceTransformerEmbedder(
            reference_model, name="st", fingerprint="st", precision=precision
        )
        ours = SentenceTransformerEmbedder(
            ours_model, name="ours", fingerprint="ours", precision=precision
        )
        assert ours.bucket == reference.bucket and ours.dim == reference.dim == 384
        assert ours.token_ids(TEXTS) == reference.token_ids(TEXTS)
        expected, got = reference.encode(TEXTS), ours.encode(TEXTS)
        assert got.dtype == expected.dtype == np.float32
        assert np.array_equal(got, expected), precision
        # the unbatched path (a tokenizer-less fallback in the embedder) agrees too
        assert np.array_equal(ours._run(TEXTS[:5], 2), reference._run(TEXTS[:5], 2))


@pytest.mark.slow
def test_the_default_model_loads_without_sentence_transformers() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from twitchtopics.embed.transformer import LazyPackagedEmbedder\n"
        "m = LazyPackagedEmbedder().load()\n"
        "v = m.encode(['bonsoir le chat', 'KEKW'])\n"
        "assert v.shape == (2, 384)\n"
        "print(type(m.model).__name__, 'sentence_transformers' in sys.modules, "
        "'transformers' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["BertSentenceModel", "False", "False"]
