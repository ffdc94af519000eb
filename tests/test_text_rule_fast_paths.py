"""The chat text rules' fast paths give what the plain code gave.

`_collapse_repeats` compares a token before adding it, the stretch and repeat rules replace
through a function rather than an ``r"\\1"`` template, `message_flags` reads one cached answer
per token, `text_memo.remembered` skips the per-call checks and `copypasta_waves` joins a
token set seen again to its last copy: each test computes the same thing the plain way.
"""

from __future__ import annotations

import random

import numpy as np

from twitchtopics.chat import normalize
from twitchtopics.chat.copypasta import copypasta_waves
from twitchtopics.chat.text_memo import per_text, remembered
from twitchtopics.chat.tokens import STOP_WORDS
from twitchtopics.describe.message_flags import _emote_facts, _is_proper, _plain, _word_facts


def test_collapse_repeats_is_the_general_rule() -> None:
    rng = random.Random(1)
    vocab = ["a", "A", "b", "c", "KEKW", "kekw", "d"]
    for _ in range(5000):
        tokens = [rng.choice(vocab) for _ in range(rng.randint(0, 12))]
        folded = [t.casefold() for t in tokens]
        assert normalize._collapse_repeats(tokens) == normalize._collapse_repeats_any(
            tokens, folded, 3
        )
    assert normalize._collapse_repeats("a b a b a b c".split()) == ["a", "b", "c"]
    assert normalize._collapse_repeats("KEKW kekw KEKW x".split()) == ["KEKW", "x"]


def test_group_functions_replace_as_the_templates() -> None:
    texts = ["bonsoiiiir", "hahahaha", "mdrrrr ....", "xDxDxD", "1000", "ouaiis", "", "aaa bbb"]
    for text in texts:
        assert normalize.STRETCH_RE.sub(normalize.first_group, text) == normalize.STRETCH_RE.sub(
            r"\1", text
        )
        assert normalize._PAIR_RE.sub(normalize._first_group_twice, text) == (
            normalize._PAIR_RE.sub(r"\1\1", text)
        )
        assert normalize.squash(text) == normalize._ANY_REPEAT_RE.sub(r"\1", text)
    assert normalize.collapse_stretch("bonsoiiiir") == "bonsoir"
    assert normalize.collapse_stretch("hahahaha") == "haha"


def test_word_facts_are_the_per_word_rules() -> None:
    for token in ["Napoléon", "1789", "le", "KEKW", "😂", "ponceJAM", "!!!", "<mention>", "ab"]:
        facts = _word_facts(token)
        if facts is None:
            continue
        plain, like, proper, content = facts
        assert plain == _plain(token)
        assert proper == _is_proper(token)
        assert content == (
            not like and len(plain) >= 2 and plain not in STOP_WORDS and not plain.isdigit()
        )
    assert _word_facts("<mention>") is None
    assert _word_facts("!!!") is None
    assert _word_facts("KEKW")[1] is True  # type: ignore[index]
    assert _emote_facts("Paris") == ("paris", True, True, False)


def test_remembered_is_the_memo_for_frozensets_only() -> None:
    calls: list[str] = []

    @per_text(maxsize=16)
    def shout(text: str, known: frozenset[str] | set[str]) -> str:
        calls.append(text)
        return text.upper() + str(len(known))

    fast = remembered(shout, frozenset({"x"}))
    assert fast is shout.cached  # type: ignore[attr-defined]
    assert fast("a", frozenset({"x"})) == shout("a", frozenset({"x"})) == "A1"
    assert calls == ["a"]  # the second call was answered from the memo
    assert remembered(shout, {"x"}) is shout
    assert remembered(shout, {"x"})("b", {"x"}) == "B1"


def test_copypasta_waves_of_a_text_copied_in_flight() -> None:
    paste = "what if we all typed the same message right now chat"
    variant = paste + " please"
    texts = [paste, "something else entirely here ok", paste, variant, paste, paste]
    waves = copypasta_waves(
        texts, [0.0, 5.0, 10.0, 15.0, 20.0, 400.0], ["a", "b", "c", "d", "e", "f"]
    )
    assert waves.tolist() == [0, -1, 0, 0, 0, -1]  # the copy 380 s later is not in the wave
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(12)]
    for _ in range(200):
        base = [" ".join(rng.choice(words, size=8, replace=False)) for _ in range(3)]
        texts = [str(rng.choice(base)) for _ in range(20)]
        times = np.sort(rng.uniform(0, 500, size=20))
        users = rng.integers(0, 5, size=20).tolist()
        waves = copypasta_waves(texts, times, users)
        # each wave's copies share a text, 3+ chatters and no gap over SPAN_S
        for wave in set(waves.tolist()) - {-1}:
            rows = np.flatnonzero(waves == wave)
            assert len({users[r] for r in rows}) >= 3
            assert np.all(np.diff(times[rows]) <= 120.0)
