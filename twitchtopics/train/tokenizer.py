"""Step 2 of `twitchtopics train`: a unigram (SentencePiece-style) tokenizer trained on the
corpus.

Trained with the `tokenizers` library's Unigram trainer on the normalised corpus (one
message per line). `[PAD] [UNK] [CLS] [SEP] [MASK]` and the normaliser's placeholders
`<mention>` and `<url>` are special tokens; the emotes that occur in the corpus (from the
logs' metadata and the bundled emote list) are added as whole tokens, so `KEKW` is one token
and never `▁KE` `KW`. Saved as a `PreTrainedTokenizerFast` folder that transformers and
sentence-transformers load offline.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from twitchtopics.train.corpus import load_corpus
from twitchtopics.train.steps import fresh_step_dir, mark_done

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
PLACEHOLDERS = ("<mention>", "<url>")
# An emote becomes a whole token when it occurs at least this often in the corpus ...
EMOTE_MIN_COUNT = 2
# ... and at most this share of the vocabulary goes to emotes (the most frequent first).
EMOTE_VOCAB_SHARE = 0.25


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
