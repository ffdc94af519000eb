"""Message kinds: precedence system > bot > action > command > chat."""

from __future__ import annotations

import pandas as pd
import pytest

from twitchtopics.chat.kinds import KINDS, assign_kinds, classify_kind


@pytest.mark.parametrize(
    ("user", "text", "kind"),
    [
        ("Kiwizz", "bonjour tout le monde", "chat"),
        ("Kiwizz", "!uptime", "command"),
        ("Kiwizz", "  !so Poire", "command"),
        ("Nightbot", "!uptime -> 2h", "bot"),
        ("STREAMELEMENTS", "Follow !", "bot"),
        ("sery_bot", "hello", "bot"),
        ("Kiwizz", "\x01ACTION danse\x01", "action"),
        ("Poire", "Poire subscribed with Prime. They've subscribed for 3 months!", "system"),
        ("Poire", "Poire subscribed at Tier 1.", "system"),
        ("Poire", "Poire gifted a Tier 1 sub to Kiwizz!", "system"),
        ("Poire", "Poire is gifting 5 Tier 1 Subs to LaCouette's community!", "system"),
        ("Poire", "Poire is gifting 10 subs", "system"),
        ("", "42 raiders from Papillon have joined!", "system"),
        ("", "Papillon is raiding with a party of 12.", "system"),
        ("", "vilain has been timed out for 600 seconds.", "system"),
        ("twitchnotify", "Kiwizz just subscribed!", "system"),
        ("Nightbot", "Kiwizz subscribed at Tier 1.", "system"),
        ("Kiwizz", "I subscribed at Tier 1 last year", "chat"),
        ("Kiwizz", "le streamer has been banned lol", "chat"),
        ("Kiwizz", "", "chat"),
    ],
)
def test_classify_kind(user: str, text: str, kind: str) -> None:
    assert classify_kind(user, text) == kind


def test_extra_bots_case_insensitive() -> None:
    assert classify_kind("MonBot", "!cmd", bots=["monbot"]) == "bot"
    assert classify_kind("MonBot", "!cmd", bots="MONBOT") == "bot"
    assert classify_kind("MonBot", "!cmd") == "command"


def test_assign_kinds_matches_classify_and_hints() -> None:
    users = ["Kiwizz", "Nightbot", "Poire", "Poire", "Moobot", "", "Kiwizz"]
    texts = ["salut", "!cmd", "!so x", "Poire subscribed with Prime.", "hi", "BAN: x", "danse"]
    hints = [None, None, None, None, "action", "system", "action"]
    df = pd.DataFrame({"user": users, "text": texts, "kind": hints})
    got = assign_kinds(df)
    assert list(got) == ["chat", "bot", "command", "system", "bot", "system", "action"]
    assert got.dtype == object
    plain = assign_kinds(df.drop(columns="kind"), bots=["kiwizz"])
    expected = [classify_kind(u, t, bots=["kiwizz"]) for u, t in zip(users, texts, strict=True)]
    assert list(plain) == expected
    assert set(plain) <= set(KINDS)


def test_kinds_is_one_list():
    import twitchtopics.options as options
    from twitchtopics.chat.kinds import KINDS
    from twitchtopics.report import inspect

    assert KINDS == ("chat", "action", "command", "bot", "system")
    assert options.KINDS is KINDS and inspect.KINDS is KINDS


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("!!!", "chat"),
        ("! ok", "chat"),
        ("!?", "chat"),
        ("!uptime", "command"),
        ("  !song x", "command"),
    ],
)
def test_command_is_bang_word_everywhere(text: str, kind: str) -> None:
    from twitchtopics.chat.normalize import is_command

    frame = pd.DataFrame({"user": ["viewer"], "text": [text]})
    assert classify_kind("viewer", text) == kind
    assert assign_kinds(frame).tolist() == [kind]
    assert is_command(text) == (kind == "command")


def _announcer_log() -> pd.DataFrame:
    rows = []
    for i in range(30):  # a channel's points bot: templates with names and numbers
        template = (
            f"viewer{i} has been given {500 * (i + 1)} points due to gifting friend{i} a sub."
            if i % 3
            else f"viewer{i} lost {i * 10} points in roulette and now has {i} points"
        )
        rows.append(("ChannelBot", template))
    words = "gg wp the boss is hard lunch time who won that fight nice play chat".split()
    for i in range(30):  # a person whose name ends in "bot", chatting
        rows.append(("robot", " ".join(words[(i * 7 + k * 3) % len(words)] for k in range(5))))
    for i in range(30):  # a spammer: templated, but a person
        rows.append(("spammer", f"viewer{i} has been given {i} points due to gifting"))
    return pd.DataFrame(rows, columns=["user", "text"])


def test_an_announcer_bot_is_found_by_its_name_and_templates() -> None:
    log = _announcer_log()
    kinds = assign_kinds(log)
    assert set(kinds[log.user == "ChannelBot"]) == {"bot"}
    assert set(kinds[log.user == "robot"]) == {"chat"}
    assert set(kinds[log.user == "spammer"]) == {"chat"}


def test_a_few_templated_messages_do_not_make_an_announcer() -> None:
    log = _announcer_log()
    few = log[log.user == "ChannelBot"].head(19)
    assert set(assign_kinds(few)) == {"chat"}
