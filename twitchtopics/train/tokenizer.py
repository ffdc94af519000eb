"""The data steps of `twitchtopics train`: the corpus, and a unigram (SentencePiece-style)
tokenizer trained on it.

Corpus: every input is read with `read_log` (any format `cluster` reads) and its chat and
action messages kept (the kinds `cluster` clusters); a `.txt` file that `read_log` rejects, or
whose lines it mostly could not parse, is one message per line (all lines kept). Messages are
normalised exactly as `cluster` does (`pipeline.normalized_texts`), empty ones dropped,
exact duplicates removed, and the rest shuffled with the seed (then cut to `max_messages`).

Tokenizer: trained with the `tokenizers` library's Unigram trainer on the normalised corpus (one
message per line). `[PAD] [UNK] [CLS] [SEP] [MASK]` and the normaliser's placeholders
`<mention>` and `<url>` are special tokens; the emotes that occur in the corpus (from the
logs' metadata and the bundled emote list) are added as whole tokens, so `KEKW` is one token
and never `▁KE` `KW`. Saved as a `PreTrainedTokenizerFast` folder that transformers and
sentence-transformers load offline.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from twitchtopics.errors import ModelError, ReadError

MIN_DISTINCT_MESSAGES = 200
KEPT_KINDS = ("chat", "action")  # the kinds `cluster` clusters

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
PLACEHOLDERS = ("<mention>", "<url>")
# An emote becomes a whole token when it occurs at least this often in the corpus ...
EMOTE_MIN_COUNT = 2
# ... and at most this share of the vocabulary goes to emotes (the most frequent first).
EMOTE_VOCAB_SHARE = 0.25


# --------------------------------------------------------------------------------------------
# step folders, shared with twitchtopics.train.encoder


def say(progress: bool, text: str) -> None:
    """Progress on stderr."""
    if progress:
        print(f"[train] {text}", file=sys.stderr, flush=True)


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def is_done(step_dir: Path) -> bool:
    return (step_dir / "DONE").is_file()


def mark_done(step_dir: Path, stats: dict) -> None:
    write_json(step_dir / "stats.json", stats)
    (step_dir / "DONE").write_text(datetime.now(timezone.utc).isoformat() + "\n", encoding="utf-8")


def fresh_step_dir(step_dir: Path, *, keep: tuple[str, ...] = ()) -> None:
    """Empty an unfinished step's folder, keeping `keep` (Trainer checkpoints to resume from)."""
    step_dir.mkdir(parents=True, exist_ok=True)
    for child in step_dir.iterdir():
        if child.name in keep:
            continue
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()


# --------------------------------------------------------------------------------------------
# step 1: corpus


def _plain_lines(path: Path) -> list[str]:
    with open(path, encoding="utf-8", errors="replace") as handle:
        return [line.rstrip("\r\n") for line in handle]


def read_corpus_file(path: Path) -> tuple[list[str], set[str], dict]:
    """Normalised messages of one input, the log's emote names, and what was read.

    A chat log (any format `read_log` knows) gives its chat and action messages; a `.txt` that
    `read_log` rejects, or whose lines it mostly could not parse, is one message per line.
    """
    import pandas as pd

    from twitchtopics.pipeline import normalized_texts
    from twitchtopics.readers import read_log

    if not path.exists():
        raise ReadError(f"{path}: no such file")
    if path.is_dir():
        raise ReadError(f"{path} is a folder: pass its files (e.g. {path}/*.json)")
    is_txt = path.suffix.lower() == ".txt"
    log = None
    try:
        log = read_log(path)
    except ReadError:
        if not is_txt:
            raise
    if log is not None and is_txt and log.info.lines_skipped > len(log.messages):
        log = None  # mostly unparsable as a log: a plain message-per-line file
    if log is None:
        texts = pd.Series(_plain_lines(path), dtype=object)
        emotes: set[str] = set()
        info = {"path": str(path), "format": "lines", "messages": len(texts)}
    else:
        messages = log.messages
        texts = messages.loc[messages["kind"].isin(KEPT_KINDS), "text"].astype(object)
        emotes = set(log.info.emotes)
        info = {"path": str(path), "format": log.info.format, "messages": len(messages)}
    clean = normalized_texts(texts.reset_index(drop=True), frozenset(emotes))
    clean = [" ".join(t.split()) for t in clean]  # one line per message, no stray whitespace
    info["kept"] = len(clean)
    return clean, emotes, info


def build_corpus(
    inputs: list[Path], step_dir: Path, *, max_messages: int | None, seed: int, progress: bool
) -> dict:
    """Read, normalise, deduplicate and (seeded) shuffle/sample all inputs into corpus.txt."""
    all_texts: list[str] = []
    emotes: set[str] = set()
    files = []
    for path in inputs:
        texts, log_emotes, info = read_corpus_file(path)
        say(progress, f"read {path}: {info['format']}, {info['kept']} messages kept")
        all_texts.extend(texts)
        emotes |= log_emotes
        files.append(info)
    nonempty = [t for t in all_texts if t]
    distinct = list(dict.fromkeys(nonempty))
    if len(distinct) < MIN_DISTINCT_MESSAGES:
        raise ModelError(
            f"corpus too small: {len(distinct)} distinct messages after normalisation and "
            f"deduplication; training needs at least {MIN_DISTINCT_MESSAGES}"
        )
    rng = random.Random(seed)
    rng.shuffle(distinct)
    used = distinct[:max_messages] if max_messages else distinct
    fresh_step_dir(step_dir)
    (step_dir / "corpus.txt").write_text("\n".join(used) + "\n", encoding="utf-8")
    (step_dir / "log_emotes.txt").write_text("\n".join(sorted(emotes)) + "\n", encoding="utf-8")
    stats = {
        "inputs": files,
        "messages_read": sum(f["messages"] for f in files),
        "messages_kept": len(all_texts),
        "nonempty": len(nonempty),
        "distinct": len(distinct),
        "used": len(used),
        "log_emotes": len(emotes),
    }
    mark_done(step_dir, stats)
    return stats


def load_corpus(step_dir: Path) -> list[str]:
    text = (step_dir / "corpus.txt").read_text(encoding="utf-8")
    return [line for line in text.split("\n") if line]


# --------------------------------------------------------------------------------------------
# step 2: tokenizer


def build_tokenizer(corpus_dir: Path, step_dir: Path, *, vocab_size: int, max_length: int) -> dict:
    """Train the tokenizer on the corpus; emotes frequent in it become whole tokens."""
    lines = load_corpus(corpus_dir)
    log_emotes = set((corpus_dir / "log_emotes.txt").read_text(encoding="utf-8").split())
    emotes = select_emotes(lines, log_emotes | bundled_emotes(), vocab_size)
    fresh_step_dir(step_dir)
    stats = train_unigram_tokenizer(
        lines,
        step_dir / "tokenizer",
        vocab_size=vocab_size,
        emotes=emotes,
        max_length=max_length,
    )
    mark_done(step_dir, stats)
    return stats


# --------------------------------------------------------------------------------------------
# the tokenizer itself


def bundled_emotes() -> set[str]:
    """The emote names shipped with the tool (twitchtopics/data/emotes.txt)."""
    from twitchtopics.chat.emotes import bundled_emotes as _bundled

    return set(_bundled())


def select_emotes(lines: Iterable[str], candidates: set[str], vocab_size: int) -> list[str]:
    """The candidate emotes frequent enough in the corpus to become whole tokens."""
    placeholders = set(PLACEHOLDERS) | set(SPECIAL_TOKENS)
    counts: Counter[str] = Counter()
    for line in lines:
        counts.update(t for t in line.split() if t in candidates and t not in placeholders)
    frequent = [(n, e) for e, n in counts.items() if n >= EMOTE_MIN_COUNT]
    frequent.sort(key=lambda item: (-item[0], item[1]))
    limit = max(1, int(vocab_size * EMOTE_VOCAB_SHARE))
    return [e for _, e in frequent[:limit]]


def _without(lines: Iterable[str], drop: set[str]) -> Iterator[str]:
    """Lines without the whole-token emotes, so that the unigram vocabulary is not spent on them."""
    for line in lines:
        if drop:
            line = " ".join(t for t in line.split() if t not in drop)
        if line:
            yield line


def train_unigram_tokenizer(
    lines: list[str], out_dir: Path, *, vocab_size: int, emotes: list[str], max_length: int
) -> dict:
    """Train the tokenizer on `lines`, save it in `out_dir`; return its stats."""
    from tokenizers import (
        AddedToken,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
        trainers,
    )
    from transformers import PreTrainedTokenizerFast

    specials = list(SPECIAL_TOKENS) + list(PLACEHOLDERS)
    tokenizer = Tokenizer(models.Unigram())
    tokenizer.normalizer = normalizers.NFKC()
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    trainer = trainers.UnigramTrainer(
        vocab_size=vocab_size,
        special_tokens=specials,  # ids 0..6 in this order: [PAD] is 0
        unk_token="[UNK]",
        max_piece_length=16,
        show_progress=False,
    )
    tokenizer.train_from_iterator(_without(lines, set(emotes)), trainer, length=len(lines))
    unigram_size = tokenizer.get_vocab_size()
    new_emotes = [e for e in emotes if tokenizer.token_to_id(e) is None]
    tokenizer.add_tokens([AddedToken(e, single_word=True, normalized=False) for e in new_emotes])
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    wrapped = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        additional_special_tokens=list(PLACEHOLDERS),
        model_max_length=max_length,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    wrapped.save_pretrained(str(out_dir))
    return {
        "vocab_size": len(wrapped),
        "unigram_pieces": unigram_size,
        "emote_tokens": len(new_emotes),
        "emotes": new_emotes[:50],
    }
