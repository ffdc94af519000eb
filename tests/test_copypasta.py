"""Copypasta waves: the chat rule (`chat.copypasta`), the clusterer's wave groups and the
`copypasta` category."""

import numpy as np
import pytest

from twitchtopics.chat.copypasta import SPAN_S, copypasta_waves, token_set
from twitchtopics.clustering.features import COPYPASTA, message_reactions
from twitchtopics.describe.categories import categorize_group

PASTE = "what if we all typed the same message here"


def test_a_paste_copied_by_three_chatters_is_a_wave():
    texts = [PASTE, PASTE + " !", "chat is slow", PASTE.upper()]
    waves = copypasta_waves(texts, [0.0, 5.0, 6.0, 9.0], ["a", "b", "c", "d"])
    assert waves.tolist() == [0, 0, -1, 0]


def test_quoted_and_prefixed_variants_join_the_wave():
    texts = [PASTE, f"8 alice: {PASTE}", f"bob: 8 alice: {PASTE} 🤔", f"5 {PASTE}"]
    waves = copypasta_waves(texts, [0, 10, 20, 30], ["alice", "bob", "carol", "dave"])
    assert (waves == 0).all()


def test_one_chatter_repeating_is_not_a_wave():
    waves = copypasta_waves([PASTE] * 5, [0, 1, 2, 3, 4], ["spammer"] * 5)
    assert (waves == -1).all()


def test_a_short_chant_is_not_copypasta():
    texts = ["NEVER LUCKY PepeHands"] * 6
    waves = copypasta_waves(texts, range(6), list("abcdef"))
    assert (waves == -1).all()


def test_a_reply_reusing_a_few_words_is_not_the_paste():
    texts = [PASTE, PASTE, PASTE, "what if we all copied the name when we copied the pasta"]
    waves = copypasta_waves(texts, [0, 1, 2, 3], ["a", "b", "c", "d"])
    assert waves.tolist() == [0, 0, 0, -1]


def test_the_same_paste_much_later_is_a_new_wave():
    times = [0, 5, 10, 10 + 5 * SPAN_S, 15 + 5 * SPAN_S, 20 + 5 * SPAN_S]
    waves = copypasta_waves([PASTE] * 6, times, list("abcdef"))
    assert waves.tolist() == [0, 0, 0, 1, 1, 1]


def test_waves_do_not_depend_on_input_order():
    rng = np.random.default_rng(0)
    other = "another long text people copy around in chat today"
    texts = [PASTE] * 4 + [other] * 4 + ["hi"] * 3
    times = [0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8]
    users = list("abcdefghijk")
    base = copypasta_waves(texts, times, users)
    order = rng.permutation(len(texts))
    shuffled = copypasta_waves(
        [texts[i] for i in order], [times[i] for i in order], [users[i] for i in order]
    )
    assert shuffled.tolist() == base[order].tolist()
    assert sorted(set(base.tolist())) == [-1, 0, 1]


def test_length_mismatch_is_an_error():
    with pytest.raises(ValueError):
        copypasta_waves(["a"], [0.0, 1.0], ["x"])


def test_token_set_ignores_mention_placeholders():
    assert token_set("<mention> hello there") == token_set("@bob hello there")


def test_message_reactions_marks_waves_and_needs_chatters():
    texts = [PASTE, "mdr", "la constitution"]
    inverse = np.array([0, 0, 0, 1, 2])
    offsets = np.array([0.0, 2.0, 4.0, 5.0, 6.0])
    kinds, waves = message_reactions(texts, inverse, offsets, users=[1, 2, 3, 4, 5])
    assert kinds.tolist() == [COPYPASTA] * 3 + ["laughter", None]
    assert waves.tolist() == [0, 0, 0, -1, -1]
    kinds, waves = message_reactions(texts, inverse, offsets)
    assert kinds.tolist()[:3] == [None] * 3 and (waves == -1).all()


def test_clusterer_makes_each_wave_one_group():
    from twitchtopics.clustering.clusterer import TimeAwareClusterer

    rng = np.random.default_rng(1)
    chatter = [f"talk number {i} about the game" for i in range(40)]
    texts = [*chatter, PASTE]
    unique = rng.normal(size=(len(texts), 8)).astype(np.float32)
    inverse = np.concatenate([np.arange(40), np.full(4, 40), np.arange(40)])
    offsets = np.concatenate(
        [np.linspace(0, 100, 40), [50, 52, 54, 56], np.linspace(900, 1000, 40)]
    )
    users = np.arange(len(inverse))
    model = TimeAwareClusterer(time_scale=60, random_state=1).fit(
        unique, offsets_s=offsets, inverse=inverse, texts=texts, users=users
    )
    wave = model.labels_[40:44]
    assert len(set(wave.tolist())) == 1 and wave[0] >= 0
    assert wave[0] not in set(np.delete(model.labels_, range(40, 44)).tolist())


def test_copypasta_category_needs_chatters_when_they_are_given():
    texts = [PASTE] * 4 + ["ok"]
    assert categorize_group(texts) == "copypasta"  # no chatters given: copies count
    assert categorize_group(texts, users=["a", "b", "c", "d", "e"]) == "copypasta"
    assert categorize_group(texts, users=["a"] * 5) != "copypasta"
    late = [0, 1000, 2000, 3000, 3001]
    assert categorize_group(texts, users=list("abcde"), offsets=late) != "copypasta"


def test_grouping_key_depends_on_the_chatters():
    from twitchtopics.cache.groupings import grouping_key

    args = (
        ["a", "b"],
        np.eye(2, dtype=np.float32),
        np.array([0, 1]),
        np.array([0.0, 1.0]),
        {},
        "v",
    )
    same = grouping_key(*args, users=np.array([0, 1]))
    assert same == grouping_key(*args, users=np.array([0, 1]))
    assert same != grouping_key(*args, users=np.array([0, 0]))
    assert same != grouping_key(*args)


def test_may_hold_tokens_never_misses_a_long_text() -> None:
    """`may_hold_tokens` may say yes wrongly, never no: a text it turns away has fewer
    `token_set` tokens (waves skip those texts' sets)."""
    from twitchtopics.chat.copypasta import may_hold_tokens, token_set

    texts = [
        "a b c d e f",
        "A a B b C c D",
        "go.to/x a b c d",
        "see https://clips.twitch.tv/AbcDef and www.x.com now",
        "@a @b @c hi there you",
        "<mention> one two three four five",
        "tab\tseparated\twords here and there",
        "+ 1 + 1 plus un",
        "KEKW KEKW KEKW KEKW KEKW KEKW",
        "ça va très bien merci beaucoup",
        "x" * 40,
        "",
    ]
    for text in texts:
        for n in range(0, 9):
            if not may_hold_tokens(text, n):
                assert len(token_set(text)) < n, (text, n)
    assert not may_hold_tokens("hello there", 6)
    assert may_hold_tokens("one two three four five six", 6)
