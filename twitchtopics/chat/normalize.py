"""Pure text functions for chat: text to embed, tokens for keywords, canonical forms.

Twitch chat is not prose: French and English mixed, typos (``sa``/``ça``), stretched words
(``bonsoiiiir``), emotes (``ponceJAM``, ``KEKW``), commands (``!drop``), ``+1`` floods,
copypasta. Three views of a message serve three jobs:

``normalize_text``
    Text for the sentence embedder (and for training a tokenizer). It keeps the message's
    meaning and case (MiniLM is uncased anyway; emotes are case-sensitive names) but removes
    surface noise that would push identical intents apart: ``@user`` -> ``<mention>``, URLs ->
    ``<url>``, 3+ repeats of one character -> 1 (``bonsoiiiir`` -> ``bonsoir``, ``mdrrrr`` ->
    ``mdr``; 2 repeats stay, ``cool`` is a word), a letter pair repeated 3+ times -> twice
    (``hahahaha`` -> ``haha``), repeated tokens or short token sequences -> once
    (``KEKW KEKW KEKW`` -> ``KEKW``, ``haha haha`` -> ``haha``), ``+1`` variants -> ``+1``,
    invisible characters removed, whitespace squeezed, Unicode NFC. Digits never collapse
    (``1000`` stays). Emotes are never altered. A message that is only invisible characters
    or whitespace gives ``""`` (callers decide what an empty text means).

``keyword_tokens``
    Tokens for c-TF-IDF keywords: words lowercased (accents kept, they are for display),
    emotes as themselves, emoji as themselves, stop words (French, English, chat filler,
    laughter) dropped, elided prefixes stripped (``j'aime`` -> ``aime``; ``c'est`` dropped),
    1-character words dropped, pure numbers of 1-2 digits dropped (poll answers, counters;
    ``1789`` or ``2077`` are kept), ``+1`` kept, placeholders dropped.

``canonical_form``
    A coarse key grouping near-identical messages (dedup, copypasta, floods): lowercase,
    accents stripped, punctuation dropped, any repeated character collapsed to one, repeated
    tokens collapsed, mentions dropped, emotes kept verbatim.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

from twitchtopics.chat.emotes import is_channel_emote_shape, is_emoji, is_emote

__all__ = [
    "CHAT_FILLER",
    "ENGLISH_STOP_WORDS",
    "FRENCH_STOP_WORDS",
    "LAUGHTER_EMOTES",
    "MENTION",
    "STOP_WORDS",
    "URL",
    "canonical_form",
    "clean_text",
    "is_command",
    "is_greeting_token",
    "is_laughter_token",
    "keyword_tokens",
    "normalize_text",
    "shorten",
    "strip_accents",
]

MENTION = "<mention>"
URL = "<url>"
_PLACEHOLDERS = frozenset({MENTION, URL})
_EMPTY: frozenset[str] = frozenset()

# --- regular expressions -------------------------------------------------------------------

_URL_RE = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|(?<![\w@.])[a-z0-9][\w-]*(?:\.[\w-]+)*\.(?:com|fr|net|org|tv|gg|io|ly|ws|yt)"
    r"(?:/\S*)?(?![\w.])",
    re.IGNORECASE,
)
_MENTION_RE = re.compile(r"(?<![\w@])@\w+")
# 3+ repeats of one character (not a digit, not a dot) -> one; case-insensitive so "Ooooh" -> "Oh".
_STRETCH_RE = re.compile(r"((?![\d.]).)\1{2,}", re.IGNORECASE | re.DOTALL)
_DOTS_RE = re.compile(r"\.{4,}")
# a letter pair repeated 3+ times -> twice ("hahahaha" -> "haha", "xDxDxD" -> "xDxD").
_PAIR_RE = re.compile(r"([^\W\d_]{2})\1{2,}", re.IGNORECASE)
_ANY_REPEAT_RE = re.compile(r"((?!\d).)\1+", re.DOTALL)
_PLUS_ONE_RE = re.compile(r"(?<!\S)\+\s?1(?:\s*\+\s?1)*(?=[\s!.?]|$)")
_PLUS_UN_RE = re.compile(r"[\s\W]*plus\s+(?:un|one)[\s\W]*", re.IGNORECASE)
_COMMAND_RE = re.compile(r"\s*!\w")
# Hangul fillers: blank "letters" used in chat as invisible padding.
# Variation selectors are dropped too ("❤️" and "❤" are one emoji).
_SELECTORS_RE = re.compile("[\u115f\u1160\u3164\uffa0\ufe00-\ufe0f]")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
_KEYWORD_PIECE_RE = re.compile(r"\+1(?!\d)|\w+(?:['-]\w+)*|\S")

_ELISIONS = frozenset(
    {"j", "l", "c", "qu", "d", "n", "s", "m", "t", "jusqu", "lorsqu", "puisqu", "quoiqu"}
)

# Laughter written as text (checked after collapsing repeated letters, accents stripped).
_LAUGH_RE = re.compile(
    r"x?ptdr|mdr|xd|lo(?:lo)*l|lmf?ao|rofl|jpp|kek|kekw|lul|lulw|omegalul|icant|"
    r"[ae]?(?:h[aeio]){2,}h?|[ae]?h[aeio]h|(?:[aeio]h){2,}|(?:ja){2,}j?"
)
LAUGHTER_EMOTES = frozenset(
    {
        "LUL",
        "LULW",
        "KEKW",
        "KEKL",
        "OMEGALUL",
        "pepeLaugh",
        "PepeLaugh",
        "4Head",
        "EleGiggle",
        "haHAA",
        "ICANT",
        "MaxLOL",
        "xdd",
        "KEKWait",
        "monkaLaugh",
        "peepoGiggles",
        "ZULUL",
        "\U0001f602",  # face with tears of joy
        "\U0001f923",  # rolling on the floor laughing
        "\U0001f639",  # cat with tears of joy
        "\U0001f606",  # grinning squinting face
    }
)
"""Emotes and emoji that mean laughter; channel emotes ending in LUL/LOL/MDR/KEKW count too."""
_LAUGH_SUFFIXES = frozenset({"lul", "lol", "mdr", "kekw", "kek", "lmao", "laugh", "xd", "ptdr"})

_GREETINGS = frozenset(
    {
        "bonsoir",
        "bonjour",
        "bjr",
        "bsr",
        "slt",
        "salut",
        "salu",
        "saluut",
        "hello",
        "helo",
        "yo",
        "yop",
        "coucou",
        "cc",
        "kikou",
        "hey",
        "hi",
        "hii",
        "hola",
        "hallo",
        "hiya",
        "howdy",
        "sup",
        "wesh",
        "wsh",
        "re",
        "rebonsoir",
        "rebonjour",
        "resalut",
        "bye",
        "byebye",
        "ciao",
        "tchao",
        "tchuss",
        "adieu",
        "bn",
        "gn",
        "bisous",
        "bienvenue",
        "welcome",
        "o7",  # a salute: hello or goodbye in gaming chat
        "heya",
        "heyo",
        "hai",
        "gm",
        "cya",
        "goodnight",
        "slu",
        "HeyGuys",
        "VoHiYo",
        "KonCha",
        "TehePelo",
        "peepoArrive",
        "peepoLeave",
        "\U0001f44b",  # waving hand
    }
)
# bonsoir and its spellings: bonsoar, bonsouar, bonswar, bonzouar, bonchoir, bonjoir, bonjouur...
_BONSOIR_RE = re.compile(r"bon(?:s|z|ch|c|j)(?:oi|oa|oua|wa|ua|ou|oir|oui)r?e?")
# coucou and kikou written with c or k: koukou, coukou, kikoo, kikou
_COUCOU_RE = re.compile(r"[ck]ou[ck]ou|[ck]i[ck]o[ou]")
# channel emotes whose code says hello or bye: massietBonjour, cokoooYO, pokiHi, lirikWave
_GREETING_SUFFIXES = frozenset(
    {"hi", "hey", "hello", "yo", "wave", "bonjour", "bonsoir", "salut", "coucou", "bye", "o7"}
)


# --- data files ----------------------------------------------------------------------------


def _read_words(name: str) -> frozenset[str]:
    text = resources.files("twitchtopics").joinpath("data", name).read_text("utf-8")
    words = (line.strip().lower() for line in text.splitlines())
    return frozenset(w.translate(_APOSTROPHES) for w in words if w and not w.startswith("#"))


def strip_accents(text: str) -> str:
    """``text`` without combining accents (``déjà`` -> ``deja``), recomposed to NFC."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped)


def _with_accentless(words: frozenset[str]) -> frozenset[str]:
    # chat often drops accents ("ca", "deja", "etait"): both spellings are stop words
    return words | frozenset(strip_accents(w) for w in words)


FRENCH_STOP_WORDS: frozenset[str] = _with_accentless(_read_words("stopwords_fr.txt"))
ENGLISH_STOP_WORDS: frozenset[str] = _read_words("stopwords_en.txt")
CHAT_FILLER: frozenset[str] = _with_accentless(_read_words("chat_filler.txt"))
STOP_WORDS: frozenset[str] = FRENCH_STOP_WORDS | ENGLISH_STOP_WORDS | CHAT_FILLER
"""Every word dropped from keywords: French + English + chat filler (lowercase)."""


def _squash(word: str) -> str:
    """Any run of one repeated non-digit character -> one (``ouaiis`` -> ``ouais``...)."""
    return _ANY_REPEAT_RE.sub(r"\1", word)


_FILLER_SQUASHED = frozenset(_squash(w) for w in CHAT_FILLER if len(_squash(w)) > 1)

# --- small helpers -------------------------------------------------------------------------


def _as_str(text: object) -> str:
    if isinstance(text, str):
        return text
    return "" if text is None else str(text)


def _clean_chars(text: str) -> str:
    """NFC, invisible/format characters removed, control characters turned into spaces.

    Twitch clients append invisible tag characters (U+E0000) to dodge the duplicate-message
    filter, and copypasta carries zero-width spaces: both would make equal messages differ.
    """
    if text.isascii():
        return text if text.isprintable() else _CONTROL_RE.sub(" ", text)
    text = _SELECTORS_RE.sub("", unicodedata.normalize("NFC", text))
    if text.isprintable():  # the common case: no format, control or unassigned characters
        return text
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat == "Cf" or "\U000e0000" <= ch <= "\U000e007f":
            continue
        out.append(" " if cat in {"Cc", "Zl", "Zp"} else ch)
    return "".join(out)


def clean_text(text: str) -> str:
    """A message for display: NFC, invisible characters removed, whitespace squeezed."""
    return " ".join(_clean_chars(_as_str(text)).split())


def shorten(text: str, width: int) -> str:
    """``text`` on one line, cut to at most ``width`` characters with an ellipsis "…".

    The one rule for showing a message in little room (representatives, reports, moments).

    Cuts at a word boundary when one is near the end, so a reader does not see half words.
    """
    text = " ".join(str(text).split())
    if width <= 0:
        return ""
    if len(text) <= width:
        return text
    if width == 1:
        return "…"
    cut = text[: width - 1]
    space = cut.rfind(" ")
    if space >= 0.6 * (width - 1):
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"


def _collapse_stretch(token: str) -> str:
    """3+ repeats of a character -> 1 (digits excepted), 4+ dots -> 3, letter pairs x3+ -> x2."""
    token = _STRETCH_RE.sub(r"\1", token)
    token = _DOTS_RE.sub("...", token)
    return _PAIR_RE.sub(r"\1\1", token)


def _collapse_repeats(tokens: list[str], max_len: int = 3) -> list[str]:
    """Repeated tokens or sequences of up to ``max_len`` tokens -> once (case-insensitive)."""
    out: list[str] = []
    keys: list[str] = []
    for tok in tokens:
        out.append(tok)
        keys.append(tok.casefold())
        for n in range(1, max_len + 1):
            if len(keys) >= 2 * n and keys[-n:] == keys[-2 * n : -n]:
                del out[-n:]
                del keys[-n:]
                break
    return out


def _canonical_plus_one(text: str) -> str:
    """``+1``, ``+ 1``, ``+1+1`` -> ``+1``; a whole message ``plus un`` -> ``+1``."""
    if _PLUS_UN_RE.fullmatch(text):
        return "+1"
    return _PLUS_ONE_RE.sub("+1", text)


# --- public API ----------------------------------------------------------------------------


def normalize_text(text: str, known_emotes: frozenset[str] | set[str] = _EMPTY) -> str:
    """Text for the sentence embedder; see the module docstring. Never raises.

    Example: ``"@bob bonsoiiiir KEKW KEKW KEKW https://x.y/z"`` ->
    ``"<mention> bonsoir KEKW <url>"``.
    """
    text = _clean_chars(_as_str(text))
    text = _URL_RE.sub(f" {URL} ", text)
    text = _MENTION_RE.sub(f" {MENTION} ", text)
    text = _canonical_plus_one(text)
    tokens = [
        tok if tok in _PLACEHOLDERS or is_emote(tok, known_emotes) else _collapse_stretch(tok)
        for tok in text.split()
    ]
    return " ".join(_collapse_repeats(tokens))


def is_command(text: str) -> bool:
    """Whether a message is a chat command (``!drop``, ``!uptime``): ``!`` then a word character.

    ``!!!`` or ``! ok`` are exclamations, not commands.
    """
    return isinstance(text, str) and _COMMAND_RE.match(text) is not None


def _token_forms(tok: str) -> tuple[str, str]:
    """(stretch-collapsed, fully squashed) lowercase accent-less forms of a token."""
    base = strip_accents(tok.casefold()).strip(".,;:!?¡¿…\"'()[]*~")
    return _STRETCH_RE.sub(r"\1", base), _squash(base)


@lru_cache(maxsize=65536)
def is_laughter_token(tok: str) -> bool:
    """Whether one token is laughter: mdr, ptdr, xptdr, lol, lmao, haha, ahah, hihi, jpp, xD,
    kekw/lul written lowercase, any stretched spelling (``mdrrrr``, ``looool``), laughter
    emotes/emoji (``KEKW``, ``LUL``, 😂) and channel emotes ending in LUL/LOL/MDR/KEKW.

    Laughter is the most common chat reaction and comes in dozens of spellings; recognising
    them lets a laughter flood be named as such instead of as a topic.
    """
    if not tok:
        return False
    if tok in LAUGHTER_EMOTES:
        return True
    if is_channel_emote_shape(tok):
        suffix = re.sub(r"^[a-z0-9]+", "", tok).lower()
        return suffix in _LAUGH_SUFFIXES
    if is_emoji(tok):
        return any(ch in LAUGHTER_EMOTES for ch in tok)
    stretched, squashed = _token_forms(tok)
    if not stretched:
        return False
    return any(_LAUGH_RE.fullmatch(form) for form in (stretched, squashed))


@lru_cache(maxsize=65536)
def is_greeting_token(tok: str) -> bool:
    """Whether one token is a greeting or goodbye: bonsoir (and bonsoar, bonsouar, bonzouar,
    bonchoir...), bonjour, bjr, slt, salut, hello, yo, coucou (koukou, kikou), cc, hey, hi, re,
    bye, ciao, o7, greeting emotes (``HeyGuys``, ``VoHiYo``), channel emotes whose code is a
    greeting (``massietBonjour``, ``pokiHi``, ``lirikWave``) and 👋; stretched spellings included.
    """
    if not tok:
        return False
    if tok in _GREETINGS:
        return True
    if is_channel_emote_shape(tok):
        return re.sub(r"^[a-z0-9]+", "", tok).lower() in _GREETING_SUFFIXES
    stretched, squashed = _token_forms(tok)
    if not stretched:
        return False
    for form in (stretched, squashed):
        if form in _GREETINGS or _BONSOIR_RE.fullmatch(form) or _COUCOU_RE.fullmatch(form):
            return True
    return False


def canonical_form(text: str, known_emotes: frozenset[str] | set[str] = _EMPTY) -> str:
    """A coarse key grouping near-identical messages (dedup, floods, copypasta).

    Lowercase, accents stripped, punctuation dropped, every repeated character collapsed to one
    (digits excepted), repeated tokens collapsed, mentions dropped, URLs -> ``<url>``, ``+1``
    variants -> ``+1``, emotes kept verbatim. So ``"BONSOIIIR !!"``, ``"bonsoir"`` and
    ``"Bonsoir bonsoir"`` share a key, and a copypasta matches its copies whatever the
    invisible characters, mentions or punctuation. A message of punctuation only keeps its
    collapsed punctuation (``"???"`` -> ``"?"``) so it does not merge with empty messages.
    """
    text = _clean_chars(_as_str(text))
    text = _URL_RE.sub(f" {URL} ", text)
    text = _MENTION_RE.sub(" ", text)
    text = _canonical_plus_one(text)
    tokens: list[str] = []
    for raw in text.split():
        if raw == URL or raw == "+1" or is_emote(raw, known_emotes):
            tokens.append(raw)
            continue
        low = strip_accents(raw.casefold())
        kept = "".join(ch for ch in low if ch.isalnum() or unicodedata.category(ch) == "So")
        if kept:
            tokens.append(_PAIR_RE.sub(r"\1\1", _squash(kept)))
    if not tokens:
        return _squash("".join(text.split()))
    return " ".join(_collapse_repeats(tokens))


def _is_stop(word: str) -> bool:
    if word in STOP_WORDS:
        return True
    squashed = _squash(word)
    return squashed in _FILLER_SQUASHED or strip_accents(squashed) in _FILLER_SQUASHED


def _keyword_word(word: str) -> str | None:
    """One lowercase word piece -> its keyword form, or None when it is not a keyword."""
    if word == "+1":
        return word
    if word in STOP_WORDS:  # "c'est", "aujourd'hui", "don't" before any splitting
        return None
    head, sep, rest = word.partition("'")
    if sep and head in _ELISIONS:  # j'aime -> aime, l'eau -> eau, qu'il -> il
        word = rest
    elif sep and rest == "s" and head not in STOP_WORDS:  # streamer's -> streamer
        word = head
    word = word.strip("'-_")
    if len(word) < 2 or not any(ch.isalnum() for ch in word):
        return None
    if _is_stop(word) or is_laughter_token(word):
        return None
    if word.isdigit():
        return word if len(word) >= 3 else None
    if "-" in word:
        parts = [p for p in word.split("-") if p]
        if all(len(p) < 2 or p in STOP_WORDS for p in parts):  # est-ce, a-t-il, peut-être
            return None
    return word


def keyword_tokens(text: str, known_emotes: frozenset[str] | set[str] = _EMPTY) -> list[str]:
    """Tokens for c-TF-IDF keywords, in order, repeats kept; see the module docstring.

    Example: ``"J'aime trop ce jeu ponceJAM ponceJAM c'est génial @bob"`` ->
    ``["aime", "jeu", "ponceJAM", "ponceJAM", "génial"]``.
    """
    text = _clean_chars(_as_str(text)).replace(MENTION, " ").replace(URL, " ")
    text = _URL_RE.sub(" ", text)
    text = _MENTION_RE.sub(" ", text)
    text = _canonical_plus_one(text)
    out: list[str] = []
    for raw in text.split():
        if is_emote(raw, known_emotes):
            out.append(raw)
        else:
            out.extend(_word_keywords(raw))
    return out


@lru_cache(maxsize=200_000)
def _word_keywords(raw: str) -> tuple[str, ...]:
    """Keyword tokens of one whitespace-free non-emote chunk (cached: chat repeats itself)."""
    if is_emoji(raw):
        return tuple(_emoji_chars(_STRETCH_RE.sub(r"\1", raw)))
    out: list[str] = []
    low = _collapse_stretch(raw.translate(_APOSTROPHES).lower())
    for match in _KEYWORD_PIECE_RE.finditer(low):
        piece = match.group()
        if len(piece) == 1 and not piece.isalnum():
            if unicodedata.category(piece) == "So":
                out.append(piece)
            continue
        word = _keyword_word(piece)
        if word is not None:
            out.append(word)
    return tuple(out)


def _emoji_chars(token: str) -> list[str]:
    """The pictographs of an emoji-only token, one each, without modifiers."""
    return [ch for ch in token if unicodedata.category(ch) == "So"]
