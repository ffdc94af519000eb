"""Emote recognition: known metadata, bundled list, channel-emote shape, shares."""

from __future__ import annotations

import pytest

from twitchtopics.chat.emotes import (
    bundled_emotes,
    emoji_names,
    emote_share,
    emote_tokens,
    is_channel_emote_shape,
    is_emoji,
    is_emote,
)


def test_bundled_list_has_a_few_hundred_names_from_every_source() -> None:
    names = bundled_emotes()
    assert len(names) >= 300
    for name in ["Kappa", "PogChamp", "LUL", "BibleThump", "ResidentSleeper", "4Head"]:
        assert name in names  # Twitch global
    for name in ["monkaS", "FeelsBadMan", "OMEGALUL", "PepeHands", "pepeLaugh", "gachiBASS"]:
        assert name in names  # BTTV
    for name in ["KEKW", "LULW", "PogU", "monkaW", "Sadge", "5Head"]:
        assert name in names  # FFZ
    for name in ["Clap", "catJAM", "peepoHappy", "pepeD", "Aware", "Okayge", "xdd"]:
        assert name in names  # 7TV
    assert not any(name.startswith("#") or not name.strip() for name in names)


@pytest.mark.parametrize(
    "token", ["ponceJAM", "massietBonjour", "pokiLove", "lirikHYPE", "sqzBruh", "abc1Hype"]
)
def test_channel_emote_shape(token: str) -> None:
    assert is_channel_emote_shape(token)
    assert is_emote(token)


@pytest.mark.parametrize(
    "token",
    [
        "Bonjour",  # capitalised word
        "iPhone",  # 1-letter prefix
        "eSport",
        "GG",
        "bonsoir",
        "JavaScript",  # uppercase prefix
        "éteBon",  # non-ASCII prefix
        "123Go",  # prefix without a letter
        "verylongprefixHey",  # prefix over 10 characters
        "kekw",  # lowercase spelling of an emote is a word
        "",
        "ponce JAM",
    ],
)
def test_not_emotes(token: str) -> None:
    assert not is_emote(token)


def test_known_names_from_the_log_metadata_count() -> None:
    assert not is_emote("Bonjour")
    assert is_emote("Bonjour", frozenset({"Bonjour"}))
    assert is_emote("HYPERCLAP", {"HYPERCLAP"})


def test_emotes_are_case_sensitive() -> None:
    assert is_emote("LUL")
    assert not is_emote("lul")
    assert is_emote("KEKW")
    assert not is_emote("Kekw")


def test_emote_tokens_and_share() -> None:
    text = "il a raison KEKW ponceJAM"
    assert emote_tokens(text) == ["KEKW", "ponceJAM"]
    assert emote_share(text) == pytest.approx(2 / 5)
    assert emote_share("KEKW KEKW KEKW") == 1.0
    assert emote_share("") == 0.0
    assert emote_share("   ") == 0.0
    # emotes render only between spaces: "Kappa," is not the emote
    assert emote_tokens("Kappa, sûr") == []
    assert emote_tokens("Bonjour tout le monde", frozenset({"Bonjour"})) == ["Bonjour"]


def test_emoji_names_for_pages_that_cannot_draw_them() -> None:
    names = emoji_names("KEKW 🤔🤔 ❤️ © 20° 👍🏽")
    # one entry per pictograph, first-seen order; not © or °, not the skin tone
    assert names == {
        "🤔": ":thinking face:",
        "❤": ":heavy black heart:",
        "👍": ":thumbs up sign:",
    }
    assert emoji_names("no emoji here") == {}


def test_emoji() -> None:
    assert is_emoji("😂")
    assert is_emoji("😂😂😂")
    assert is_emoji("❤️")  # with a variation selector
    assert is_emoji("👍🏽")  # with a skin tone
    assert not is_emoji("ok😂")
    assert not is_emoji("")
    assert not is_emoji(":)")
