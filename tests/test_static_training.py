"""Training the chat static model (``train/static_chat``, ``train/static_vocab``) on toy data:
whole chat words join the vocabulary, and the fit pulls pooled vectors towards the teacher."""

from __future__ import annotations

import numpy as np

from twitchtopics.train import static_vocab
from twitchtopics.train.static_chat import agreement, fit, starting_vectors

PIECES = ["[UNK]", "le", "chat", "k", "##e", "##k", "##w", "m", "##d", "##r", "j", "##sp", "!"]


def _wordpiece_json() -> str:
    """A tiny tokenizer shaped like MiniLM's: BERT normaliser (lowercase, no accents),
    BERT pre-tokeniser, WordPiece."""
    from tokenizers import Tokenizer
    from tokenizers.models import WordPiece
    from tokenizers.normalizers import BertNormalizer
    from tokenizers.pre_tokenizers import BertPreTokenizer

    tokenizer = Tokenizer(WordPiece({p: i for i, p in enumerate(PIECES)}, unk_token="[UNK]"))
    tokenizer.normalizer = BertNormalizer(lowercase=True, strip_accents=True)
    tokenizer.pre_tokenizer = BertPreTokenizer()
    return tokenizer.to_str()


def test_emotes_and_frequent_split_words_become_whole_tokens():
    from tokenizers import Tokenizer

    base = Tokenizer.from_str(_wordpiece_json())
    texts = ["mdr le chat"] * static_vocab.MIN_WORD_TEXTS + ["jsp"] * 3
    words = static_vocab.chat_words(base, texts, ["KEKW", "chat"])
    assert words == ["kekw", "mdr"]  # emotes first; "chat" is one piece, "jsp" too rare
    assert static_vocab.chat_words(base, texts, ["KEKW"], max_words=0) == ["kekw"]
    tokenizer = static_vocab.extended_tokenizer(_wordpiece_json(), words)
    encoded = tokenizer.encode("KEKW mdr!", add_special_tokens=False)
    assert encoded.tokens == ["kekw", "mdr", "!"]
    assert min(encoded.ids[:2]) >= len(PIECES)
    # a whole word only: inside a longer word the pieces stay
    assert "kekw" not in tokenizer.encode("kekwait", add_special_tokens=False).tokens
    assert static_vocab.piece_ids(base, words, 0) == [[3, 4, 5, 6], [7, 8, 9]]


def test_an_added_word_starts_where_its_pieces_pointed():
    rng = np.random.default_rng(0)
    distilled = rng.normal(size=(len(PIECES), 4)).astype(np.float32)
    ids = [list(rng.choice(np.arange(1, len(PIECES)), size=3)) for _ in range(50)]
    targets = rng.normal(size=(50, 4))
    start = starting_vectors(distilled, [[3, 4, 5, 6]], ids, targets)
    assert start.shape == (len(PIECES) + 1, 4)
    np.testing.assert_allclose(start[-1], start[3:7].sum(axis=0), rtol=1e-5, atol=1e-6)
    # "kekw le" pooled as pieces or as one whole token: the same direction
    as_pieces = start[[3, 4, 5, 6, 1]].mean(axis=0)
    as_word = start[[len(PIECES), 1]].mean(axis=0)
    cosine = as_pieces @ as_word / np.linalg.norm(as_pieces) / np.linalg.norm(as_word)
    assert cosine > 0.99999


def test_fit_pulls_pooled_vectors_towards_the_teacher():
    rng = np.random.default_rng(1)
    n_vocab, dims = 60, 8
    truth = rng.normal(size=(n_vocab, dims))  # what the "teacher" means by each token
    ids = [list(rng.choice(50, size=rng.integers(1, 6), replace=False)) for _ in range(900)]
    targets = np.stack([truth[i].mean(axis=0) for i in ids])
    start = (truth + rng.normal(scale=1.5, size=truth.shape)).astype(np.float32)
    train, held = slice(300, None), slice(0, 300)
    before = agreement(start, ids[held], targets[held])
    trained = fit(start, ids[train], targets[train], seed=0, epochs=10, batch_size=32)
    after = agreement(trained, ids[held], targets[held])
    assert trained.shape == start.shape and trained.dtype == np.float32
    assert after["pair_corr"] > before["pair_corr"] + 0.2
    assert after["cosine"] > 0.9
    # a token no training text uses keeps its starting vector
    unused = sorted(set(range(n_vocab)) - {i for row in ids[train] for i in row})
    assert unused == list(range(50, n_vocab))
    np.testing.assert_array_equal(trained[unused], start[unused])
    # seeded: the same run twice gives the same vectors
    np.testing.assert_array_equal(
        trained, fit(start, ids[train], targets[train], seed=0, epochs=10, batch_size=32)
    )
