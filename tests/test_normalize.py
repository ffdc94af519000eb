"""Chat text: embedding text, canonical forms (chat/normalize), keyword tokens, stop words
(chat/tokens), laughter and greeting tokens (chat/reaction_tokens)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from twitchtopics.chat.normalize import (
    canonical_form,
    clean_text,
    is_command,
    normalize_text,
    strip_accents,
)
from twitchtopics.chat.reaction_tokens import is_greeting_token, is_laughter_token
from twitchtopics.chat.tokens import STOP_WORDS, keyword_tokens

# --- normalize_text --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bonsoiiiir", "bonsoir"),
        ("ouiiii", "oui"),
        ("mdrrrr", "mdr"),
        ("bonsoiir", "bonsoiir"),  # two repeats stay
        ("cool", "cool"),
        ("Ooooh nooooon", "Oh non"),
        ("hahahaha", "haha"),
        ("haha haha", "haha"),
        ("KEKW KEKW KEKW", "KEKW"),
        ("LUL OMEGALUL LUL OMEGALUL", "LUL OMEGALUL"),
        ("bonsoir bonsoir !", "bonsoir !"),
        ("il a gagné 1000 points", "il a gagné 1000 points"),  # digits never collapse
        ("  trop   bien \t\n ", "trop bien"),
        ("@bob t'as vu ?", "<mention> t'as vu ?"),
        ("regarde https://example.com/clip?x=1 stp", "regarde <url> stp"),
        ("lien: www.example.fr", "lien: <url>"),
        ("infos sur example.tv/abc", "infos sur <url>"),
        ("+1", "+1"),
        ("+ 1", "+1"),
        ("+1+1", "+1"),
        ("+1 +1 +1", "+1"),
        ("Plus un !", "+1"),
        ("+10 pour lui", "+10 pour lui"),
        ("wait.......", "wait..."),
        ("😂😂😂😂", "😂"),
        ("", ""),
        ("\u200b\u200d\u2060", ""),
    ],
)
def test_normalize_text(text: str, expected: str) -> None:
    assert normalize_text(text) == expected


def test_normalize_keeps_emotes_and_case() -> None:
    assert normalize_text("GG ponceJAM ponceJAM Kappa") == "GG ponceJAM Kappa"
    # an emote with stretched letters is a name: never collapsed
    assert normalize_text("SSSsss") == "SSSsss"
    assert normalize_text("BOOOM", frozenset({"BOOOM"})) == "BOOOM"
    assert normalize_text("BOOOM") == "BOM"


def test_normalize_removes_invisible_characters_and_composes_unicode() -> None:
    # Twitch clients add U+E0000 to dodge the duplicate filter; zero-width spaces in copypasta
    assert normalize_text("Salut\U000e0000") == "Salut"
    assert normalize_text("sa\u200blut") == "salut"
    assert normalize_text("cafe\u0301") == "café"  # NFC
    assert normalize_text("❤️") == "❤"


@given(st.text())
def test_normalize_never_crashes(text: str) -> None:
    out = normalize_text(text)
    assert isinstance(out, str)
    assert out == out.strip()
    assert "  " not in out


@pytest.mark.parametrize("value", [None, 12, float("nan")])
def test_functions_accept_non_strings(value: object) -> None:
    assert isinstance(normalize_text(value), str)  # type: ignore[arg-type]
    assert isinstance(canonical_form(value), str)  # type: ignore[arg-type]
    assert isinstance(keyword_tokens(value), list)  # type: ignore[arg-type]
    assert is_command(value) is False  # type: ignore[arg-type]


# --- canonical_form --------------------------------------------------------------------------


def test_canonical_form_groups_near_identical_chat() -> None:
    assert canonical_form("BONSOIIIR !!") == canonical_form("bonsoir") == "bonsoir"
    assert canonical_form("Bonsoir bonsoir") == "bonsoir"
    assert canonical_form("Très bien, merci.") == canonical_form("tres bien merci")
    assert canonical_form("hahahaha") == canonical_form("haha haha") == "haha"
    assert canonical_form("+1") == canonical_form("+ 1") == canonical_form("+1+1") == "+1"
    assert canonical_form("plus un") == "+1"
    # mentions dropped: the same copypasta aimed at two people is one text
    assert canonical_form("@alice t'es trop fort") == canonical_form("@bob t'es trop fort")
    # invisible characters do not make a copy different
    assert canonical_form("copie\U000e0000") == canonical_form("copie")


def test_canonical_form_keeps_emotes_verbatim() -> None:
    assert canonical_form("KEKW KEKW KEKW") == "KEKW"
    assert canonical_form("trop bien ponceJAM") == "trop bien ponceJAM"


def test_canonical_form_of_punctuation_only() -> None:
    assert canonical_form("???") == "?"
    assert canonical_form("!!!!") == "!"
    assert canonical_form("") == ""


def test_canonical_form_keeps_numbers() -> None:
    assert canonical_form("100") != canonical_form("10")


def test_clean_text() -> None:
    assert clean_text("  salut\u200b  toi \n") == "salut toi"
    assert clean_text("") == ""


def test_strip_accents() -> None:
    assert strip_accents("déjà été ça") == "deja ete ca"
    assert strip_accents("plain") == "plain"


# --- laughter / greetings / commands ---------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    [
        "mdr",
        "mdrr",
        "MDRRRRR",
        "ptdr",
        "xptdr",
        "ptdrrr",
        "lol",
        "LOOOOL",
        "lmao",
        "haha",
        "hahaha",
        "ahah",
        "hihi",
        "héhé",
        "jpp",
        "xD",
        "kekw",
        "KEKW",
        "LUL",
        "OMEGALUL",
        "😂",
        "sqzLUL",
        "ponceMDR",
        "mdr!",
    ],
)
def test_laughter_tokens(token: str) -> None:
    assert is_laughter_token(token)


@pytest.mark.parametrize("token", ["ha", "oh", "d", "dr", "bonsoir", "", "Kappa", "ponceJAM"])
def test_not_laughter_tokens(token: str) -> None:
    assert not is_laughter_token(token)


@pytest.mark.parametrize(
    "token",
    [
        "bonsoir",
        "Bonsoiiiir",
        "bonsoar",
        "bonsouar",
        "bonzouar",
        "bonchoir",
        "bonjour",
        "bonjoooouur",
        "bjr",
        "slt",
        "salut",
        "hello",
        "hellooo",
        "yo",
        "coucou",
        "cc",
        "hey",
        "heyy",
        "HeyGuys",
        "VoHiYo",
        "bye",
        "👋",
    ],
)
def test_greeting_tokens(token: str) -> None:
    assert is_greeting_token(token)


@pytest.mark.parametrize("token", ["bon", "soir", "salade", "", "c", "boss"])
def test_not_greeting_tokens(token: str) -> None:
    assert not is_greeting_token(token)


def test_is_command() -> None:
    assert is_command("!drop")
    assert is_command("!uptime please")
    assert is_command("  !sr never gonna")
    assert not is_command("!!!")
    assert not is_command("! drop")
    assert not is_command("wow!")
    assert not is_command("")


# --- keyword_tokens / stop words -------------------------------------------------------------


def test_keyword_tokens_example() -> None:
    text = "J'aime trop ce jeu ponceJAM ponceJAM c'est génial @bob"
    assert keyword_tokens(text) == ["aime", "jeu", "ponceJAM", "ponceJAM", "génial"]


def test_keyword_tokens_drop_stop_words_filler_and_laughter() -> None:
    text = "mdrrr ptdr jsp tkt ouaiiis wsh bah euh genre trop vraiment oui non ok lol xD"
    assert keyword_tokens(text) == []
    assert keyword_tokens("the boss is really hard and I don't like it") == ["boss", "hard"]


def test_keyword_tokens_elisions() -> None:
    assert keyword_tokens("j'adore l'équipe") == ["adore", "équipe"]
    assert keyword_tokens("c’est qu'il s'est trompé d’arène") == ["trompé", "arène"]
    assert keyword_tokens("Qu'est-ce que t'en penses ?") == ["penses"]
    assert keyword_tokens("the streamer's chat") == ["streamer", "chat"]


def test_keyword_tokens_accents_case_and_emotes() -> None:
    assert keyword_tokens("GÉNIAL Défaite KEKW") == ["génial", "défaite", "KEKW"]
    assert keyword_tokens("vive le Bonjour", frozenset({"Bonjour"})) == ["vive", "Bonjour"]


def test_keyword_tokens_numbers_placeholders_and_short_words() -> None:
    assert keyword_tokens("+1") == ["+1"]
    assert keyword_tokens("1 2 42 x y") == []
    assert keyword_tokens("en 1789 sur ps5") == ["1789", "ps5"]
    assert keyword_tokens("<mention> regarde <url>") == ["regarde"]
    assert keyword_tokens("@someone regarde https://example.com") == ["regarde"]
    assert keyword_tokens("___ --- ...") == []


def test_keyword_tokens_hyphens() -> None:
    assert keyword_tokens("peut-être est-ce") == []
    assert keyword_tokens("un arc-en-ciel") == ["arc-en-ciel"]


def test_keyword_tokens_emoji_and_stretching() -> None:
    assert keyword_tokens("😂😂😂 trop drôôôle") == ["😂", "drôle"]
    assert keyword_tokens("BOOOOSS") == ["boss"]


def test_stop_words() -> None:
    for word in ["le", "la", "de", "est", "c'est", "the", "and", "mdr", "jsp", "tkt", "ouais"]:
        assert word in STOP_WORDS
    # spellings without accents are stop words too
    for word in ["ca", "ça", "deja", "déjà", "etait", "était"]:
        assert word in STOP_WORDS
    for word in ["boss", "musique", "bonsoir", "KEKW"]:
        assert word not in STOP_WORDS
    assert all(w == w.lower() for w in STOP_WORDS)
    assert len(STOP_WORDS) > 600


@given(st.text())
def test_keyword_tokens_never_crash(text: str) -> None:
    tokens = keyword_tokens(text)
    assert all(tok and " " not in tok for tok in tokens)


def test_shorten_is_the_one_rule_everywhere() -> None:
    from twitchtopics.bundle_view import shorten as report_shorten
    from twitchtopics.chat.normalize import shorten
    from twitchtopics.describe.representatives import shorten as describe_shorten

    assert describe_shorten is shorten and report_shorten is shorten
    assert shorten("a  b\nc", 60) == "a b c"
    assert shorten("le boss final est vraiment beaucoup trop dur", 20) == "le boss final est…"
    assert shorten("x" * 100, 20) == "x" * 19 + "…"
    assert shorten("abc", 1) == "…" and shorten("abc", 0) == ""
