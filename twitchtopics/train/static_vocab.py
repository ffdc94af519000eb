"""The vocabulary of the chat-trained static model: MiniLM's WordPiece plus whole chat words.

WordPiece cuts what chat writes most into pieces that mean little alone: ``kekw`` ->
``ke ##k ##w``, ``mdr`` -> ``md ##r``, ``jsp`` -> ``j ##sp``. A static model averages its
tokens' vectors, so such a word is only as good as the average of its pieces. Here every
bundled emote (``data/emotes.txt``) and every word that WordPiece splits and that enough
training texts use becomes one whole token (a ``tokenizers`` added token, matched as a whole
word on the normalised text), which the training then gives its own vector.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

MIN_WORD_TEXTS = 20
"""Texts a split word must appear in to become a whole token: enough examples for its own
vector to learn something (at 20, 25,672 chat texts gave 291 words besides the emotes)."""
MAX_NEW_WORDS = 12000
"""Cap on the added words (most used first): each costs a vector (256 bytes int8)."""
_WORDLIKE = re.compile(r"^[^\W\d_][\w']*$")


def split_words(tokenizer: Any, texts: list[str]) -> Counter:
    """How many texts hold each normalised word (MiniLM's normaliser and pre-tokeniser:
    lowercase, no accents, punctuation apart) that WordPiece cuts into two or more pieces."""
    normalizer = tokenizer.normalizer
    pre = tokenizer.pre_tokenizer
    seen: Counter = Counter()
    for text in texts:
        words = {w for w, _ in pre.pre_tokenize_str(normalizer.normalize_str(text))}
        seen.update(w for w in words if len(w) > 1 and _WORDLIKE.match(w))
    vocab = tokenizer.get_vocab()
    return Counter({w: n for w, n in seen.items() if w not in vocab})


def chat_words(
    tokenizer: Any, texts: list[str], emotes: list[str], *, max_words: int = MAX_NEW_WORDS
) -> list[str]:
    """The whole-word tokens to add: the emotes, then (up to ``max_words``) split words by
    falling use."""
    normalizer = tokenizer.normalizer
    vocab = tokenizer.get_vocab()
    out: dict[str, None] = {}
    for emote in emotes:
        word = normalizer.normalize_str(emote)
        if word and word not in vocab and not any(c.isspace() for c in word):
            out[word] = None
    if max_words <= 0:
        return list(out)
    counts = split_words(tokenizer, texts)
    frequent = [w for w, n in counts.most_common() if n >= MIN_WORD_TEXTS]
    for word in frequent[:max_words]:
        out.setdefault(word, None)
    return list(out)


def extended_tokenizer(tokenizer_json: str, words: list[str]) -> Any:
    """MiniLM's tokenizer with ``words`` added as whole-word tokens (ids after WordPiece's)."""
    from tokenizers import AddedToken, Tokenizer

    tokenizer = Tokenizer.from_str(tokenizer_json)
    tokenizer.no_padding()
    tokenizer.no_truncation()
    tokenizer.add_tokens([AddedToken(w, single_word=True, normalized=True) for w in words])
    return tokenizer


def piece_ids(base_tokenizer: Any, words: list[str], unk_id: int | None) -> list[list[int]]:
    """Each added word's WordPiece ids (its starting vector is their mean)."""
    encodings = base_tokenizer.encode_batch_fast(words, add_special_tokens=False)
    return [[i for i in enc.ids if i != unk_id] for enc in encodings]
