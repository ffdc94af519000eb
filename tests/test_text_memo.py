"""`per_text`: remembered for a str and a frozenset, computed for anything else, same results."""

from __future__ import annotations

import math

from twitchtopics.chat.text_memo import per_text


def test_remembers_str_and_frozenset_and_computes_the_rest() -> None:
    calls: list[object] = []

    @per_text(maxsize=16)
    def shout(text, known_emotes):
        calls.append(text)
        return f"{text}!" if isinstance(text, str) else repr(text), len(known_emotes)

    emotes = frozenset({"KEKW"})
    assert shout("gg", emotes) == shout("gg", emotes) == ("gg!", 1)
    assert calls == ["gg"]  # the second call was remembered
    assert shout("gg", {"KEKW"}) == ("gg!", 1)  # a set: computed, same answer
    assert shout(math.nan, emotes) == ("nan", 1)  # not a str: computed
    assert len(calls) == 3
    assert shout.cache_info().hits == 1
    shout.cache_clear()
    shout("gg", emotes)
    assert len(calls) == 4


def test_the_chat_rules_give_the_same_answer_either_way() -> None:
    from twitchtopics.chat.normalize import canonical_form
    from twitchtopics.chat.tokens import keyword_tokens
    from twitchtopics.describe.representatives import is_readable

    for text in ("BONSOIIIR !! ponceJAM", "quel banger @bob", "+1", "le s"):
        frozen, plain = frozenset({"ponceJAM"}), {"ponceJAM"}
        assert canonical_form(text, frozen) == canonical_form(text, plain)
        assert keyword_tokens(text, frozen) == keyword_tokens(text, plain)
        assert is_readable(text, frozen) == is_readable(text, plain)
