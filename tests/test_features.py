import numpy as np
import pytest

from twitchtopics.clustering.features import (
    char_ngram_features,
    reaction_kind,
    reaction_kinds,
    text_features,
)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("mdr", "laughter"),
        ("ptdr KEKW", "laughter"),
        ("MDRRRR LUL !", "laughter"),
        ("+1", "plus_one"),
        ("bonsoir à tous", "greeting"),
        ("Salut Jean", "greeting"),
        ("<mention> bonsoir", "greeting"),
        ("haha énorme", None),  # a laugh with a word: about that word
        ("salut Jean trop content de te voir ce soir", None),  # a greeting then a sentence
        ("la constitution", None),
        ("!!!", None),
        ("", None),
    ],
)
def test_reaction_kind(text, kind):
    assert reaction_kind(text) == kind


def test_reaction_kinds_is_an_object_array():
    out = reaction_kinds(["mdr", "la constitution"])
    assert out.dtype == object and out.tolist() == ["laughter", None]


def test_char_ngrams_bring_spellings_together():
    texts = ["ça marche", "sa marche", "ca marche pas", "la constitution", "constitution !"]
    texts += [f"autre phrase {i}" for i in range(10)]
    feats = char_ngram_features(texts, n_components=8, random_state=0)
    assert feats.shape == (len(texts), 8)
    assert np.allclose(np.linalg.norm(feats, axis=1), 1.0, atol=1e-5)
    assert feats[0] @ feats[1] > feats[0] @ feats[3]
    assert feats[3] @ feats[4] > feats[3] @ feats[0]


def test_char_ngrams_skip_tiny_or_uniform_logs():
    assert char_ngram_features(["a", "b"]) is None
    assert char_ngram_features(["x", "y", "z"]) is None


def test_text_features_append_weighted_ngrams():
    texts = [f"message {i} sur le sujet {i % 3}" for i in range(20)]
    emb = np.random.default_rng(0).normal(size=(20, 6)).astype(np.float32)
    out = text_features(emb, texts, ngram_weight=0.5, n_components=4, random_state=0)
    assert out.shape == (20, 10)
    assert np.allclose(np.linalg.norm(out[:, :6], axis=1), 1.0, atol=1e-5)
    assert np.allclose(np.linalg.norm(out[:, 6:], axis=1), 0.5, atol=1e-5)
    assert text_features(emb, None).shape == (20, 6)
    assert np.array_equal(
        out, text_features(emb, texts, ngram_weight=0.5, n_components=4, random_state=0)
    )
