"""Pure text functions for chat: text to embed, canonical forms, text for display.

Twitch chat is not prose: French and English mixed, typos (``sa``/``ça``), stretched words
(``bonsoiiiir``), emotes (``ponceJAM``, ``KEKW``), commands (``!drop``), ``+1`` floods,
copypasta. Views of a message for different jobs:

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

``canonical_form``
    A coarse key grouping near-identical messages (dedup, copypasta, floods): lowercase,
    accents stripped, punctuation dropped, any repeated character collapsed to one, repeated
    tokens collapsed, mentions dropped, emotes kept verbatim.

``clean_text`` / ``shorten``
    A message for display, and a message cut to little room (the one rule for every report).

``keyword_text``
    The text keyword tokens are read from (``chat/tokens.py``: stop words, ``keyword_tokens``).

The building blocks ``squash``, ``collapse_stretch``, ``STRETCH_RE`` and ``APOSTROPHES`` are
shared with ``chat/tokens.py`` and ``chat/reaction_tokens.py`` (laughter and greeting tokens),
so a stretched word is folded by one rule everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from twitchtopics.chat.emotes import is_emote
from twitchtopics.chat.text_memo import per_text, remembered

__all__ = [
    "APOSTROPHES",
    "MENTION",
    "STRETCH_RE",
    "has_stretched_letters",
    "replace_urls",
    "URL",
    "canonical_form",
    "clean_text",
    "collapse_stretch",
    "first_group",
    "is_command",
    "keyword_text",
    "normalize_text",
    "shorten",
    "squash",
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
STRETCH_RE = re.compile(r"((?![\d.]).)\1{2,}", re.IGNORECASE | re.DOTALL)
# 3+ repeats of one letter ("noooon", "YESSS"): a shouted or drawn-out word, read by categories
_STRETCHED_LETTERS_RE = re.compile(r"([^\W\d_])\1{2,}", re.IGNORECASE)
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
APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})


def strip_accents(text: str) -> str:
    """``text`` without combining accents (``déjà`` -> ``deja``), recomposed to NFC."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped)


def first_group(match: re.Match[str]) -> str:
    """A match's first group: the replacement ``r"\\1"`` as a function. A template with a
    group reference makes each `re.Pattern.sub` call Python's template code (`re._subx`)
    before it searches, and expand it per match in Python; a function is called per match
    only. The stretch and repeat rules run ~200k times on a 100k-message log's tokens: the
    template was ~0.1 of ~5 s describing it."""
    return match.group(1)


def _first_group_twice(match: re.Match[str]) -> str:
    """The replacement ``r"\\1\\1"`` as a function (see `first_group`)."""
    return match.group(1) * 2


def squash(word: str) -> str:
    """Any run of one repeated non-digit character -> one (``ouaiis`` -> ``ouais``...)."""
    return _ANY_REPEAT_RE.sub(first_group, word)


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
    if isinstance(text, str):
        return _clean_text(text)
    return " ".join(_clean_chars(_as_str(text)).split())


@lru_cache(maxsize=1 << 18)
def _clean_text(text: str) -> str:
    # chat repeats itself: describing 30k messages called this 4-5 times per message
    return " ".join(_clean_chars(text).split())


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


@lru_cache(maxsize=1 << 18)
def collapse_stretch(token: str) -> str:
    """3+ repeats of a character -> 1 (digits excepted), 4+ dots -> 3, letter pairs x3+ -> x2."""
    token = STRETCH_RE.sub(first_group, token)
    token = _DOTS_RE.sub("...", token)
    return _PAIR_RE.sub(_first_group_twice, token)


def _collapse_repeats(tokens: list[str], max_len: int = 3) -> list[str]:
    """Repeated tokens or sequences of up to ``max_len`` tokens -> once (case-insensitive)."""
    if len(tokens) < 2:
        return list(tokens)
    folded = list(map(str.casefold, tokens))
    if len(set(folded)) == len(tokens):
        return list(tokens)  # no token twice: nothing repeats (most messages)
    if max_len != 3:
        return _collapse_repeats_any(tokens, folded, max_len)
    return _collapse_repeats_3(tokens, folded)


def _collapse_repeats_3(tokens: list[str], folded: list[str]) -> list[str]:
    """`_collapse_repeats` with ``max_len`` 3, each token compared before it is added rather
    than added, sliced and taken back: the same tokens kept (a run ending in a repeat of its
    last 1, 2 or 3 tokens loses that repeat, the shortest first), ~2x faster on the 7.5k
    messages of the 100k-message speed log that repeat a token."""
    out: list[str] = []
    keys: list[str] = []
    for tok, key in zip(tokens, folded, strict=True):
        n = len(keys)
        if n >= 1 and key == keys[-1]:
            continue  # "a a": the second one goes
        if n >= 3 and key == keys[-2] and keys[-1] == keys[-3]:
            del out[-1], keys[-1]  # "a b a b": the second "a b" goes
            continue
        if n >= 5 and key == keys[-3] and keys[-1] == keys[-4] and keys[-2] == keys[-5]:
            del out[-2:], keys[-2:]  # "a b c a b c": the second "a b c" goes
            continue
        out.append(tok)
        keys.append(key)
    return out


def _collapse_repeats_any(tokens: list[str], folded: list[str], max_len: int) -> list[str]:
    out: list[str] = []
    keys: list[str] = []
    for tok, key in zip(tokens, folded, strict=True):
        out.append(tok)
        keys.append(key)
        for n in range(1, max_len + 1):
            if len(keys) >= 2 * n and keys[-n:] == keys[-2 * n : -n]:
                del out[-n:]
                del keys[-n:]
                break
    return out


def has_stretched_letters(text: str) -> bool:
    """Whether a letter repeats 3+ times in a row ("noooon", "GOOOAL"): chat's way to shout
    or draw a word out (digits and punctuation don't count: "!!!" and "1000" are not)."""
    return _STRETCHED_LETTERS_RE.search(text) is not None


def replace_urls(text: str, replacement: str) -> str:
    """`text` with every link (``https://...``, ``www...``, bare ``name.tv/...`` domains)
    replaced: the one URL rule for normalising, keywords and labels."""
    return _sub_urls(replacement, text)


def _sub_urls(replacement: str, text: str) -> str:
    # every URL the pattern knows holds "." or "://": most messages are spared the search
    # (regex substitutions were 6 of the 22 s normalising 100k messages took, busy machine)
    if "." not in text and "://" not in text:
        return text
    if text.isascii() and not _may_hold_url(text.lower()):
        return text  # a sentence with a full stop, "..." (`_URL_RE` scans every letter)
    return _URL_RE.sub(replacement, text)


_URL_MARKS = ("://", "www.", *(f".{tld}" for tld in ("com fr net org tv gg io ly ws yt".split())))
"""Some piece every match of `_URL_RE` holds, lowercase: a scheme, ``www.`` or ``.`` and a
top-level domain. Compared with an ASCII text only: with `re.IGNORECASE`, letters such as
"ſ" or "K" (Kelvin) match ASCII ones that `str.lower` does not give."""


def _may_hold_url(lowered: str) -> bool:
    return any(mark in lowered for mark in _URL_MARKS)


def _sub_mentions(replacement: str, text: str) -> str:
    return _MENTION_RE.sub(replacement, text) if "@" in text else text


def _canonical_plus_one(text: str) -> str:
    """``+1``, ``+ 1``, ``+1+1`` -> ``+1``; a whole message ``plus un`` -> ``+1``."""
    if "+" not in text and "plus" not in text.casefold():
        return text  # neither pattern can match
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
    text = _sub_urls(f" {URL} ", text)
    text = _sub_mentions(f" {MENTION} ", text)
    text = _canonical_plus_one(text)
    tokens = [tok if tok in known_emotes else _normalized_token(tok) for tok in text.split()]
    return " ".join(_collapse_repeats(tokens))


@lru_cache(maxsize=1 << 18)
def _normalized_token(tok: str) -> str:
    """One token of `normalize_text` that is not one of the log's own emotes: placeholders and
    other emotes as they are, any other token's stretches collapsed."""
    return tok if tok in _PLACEHOLDERS or is_emote(tok) else collapse_stretch(tok)


def is_command(text: str) -> bool:
    """Whether a message is a chat command (``!drop``, ``!uptime``): ``!`` then a word character.

    ``!!!`` or ``! ok`` are exclamations, not commands.
    """
    return isinstance(text, str) and _COMMAND_RE.match(text) is not None


def canonical_form(text: str, known_emotes: frozenset[str] | set[str] = _EMPTY) -> str:
    """A coarse key grouping near-identical messages (dedup, floods, copypasta).

    Lowercase, accents stripped, punctuation dropped, every repeated character collapsed to one
    (digits excepted), repeated tokens collapsed, mentions dropped, URLs -> ``<url>``, ``+1``
    variants -> ``+1``, emotes kept verbatim. So ``"BONSOIIIR !!"``, ``"bonsoir"`` and
    ``"Bonsoir bonsoir"`` share a key, and a copypasta matches its copies whatever the
    invisible characters, mentions or punctuation. A message of punctuation only keeps its
    collapsed punctuation (``"???"`` -> ``"?"``) so it does not merge with empty messages.

    Remembered for the last 2^18 (text, emote set) pairs when the set is a frozenset (its hash
    is computed once): describing 30k messages asked for 63k keys of 17k messages, 28 s of
    the 107 s the step took on a busy 2-core machine.
    """
    text = text if isinstance(text, str) else _as_str(text)
    return remembered(_canonical_form, known_emotes)(text, known_emotes)


@per_text(maxsize=1 << 18)
def _canonical_form(text: str, known_emotes: frozenset[str] | set[str]) -> str:
    pieces = _canonical_pieces(text)
    if any(raw in known_emotes and _canonical_piece(raw) != raw for raw in pieces):
        return _assembled(pieces, known_emotes)
    # none of the log's own emotes that folding would change (most are bundled or
    # channel-shaped emotes, kept as they are anyway): the key is the one of no emote set,
    # worked out once per text for every emote set a run asks with (the describe step uses
    # three). Assembling again the 10k texts holding a log emote was ~0.1 of 5.4 s describing
    # the 100k-message speed log.
    return _canonical_plain(text)


@lru_cache(maxsize=1 << 18)
def _canonical_pieces(text: str) -> tuple[str, ...]:
    """The whitespace tokens of ``text`` once cleaned, links replaced, mentions dropped and
    ``+1`` variants folded: what `canonical_form` folds token by token."""
    text = _clean_chars(text)
    text = _sub_urls(f" {URL} ", text)
    text = _sub_mentions(" ", text)
    return tuple(_canonical_plus_one(text).split())


@lru_cache(maxsize=1 << 18)
def _canonical_plain(text: str) -> str:
    """`canonical_form` of a text none of whose tokens is one of the log's own emotes."""
    return _assembled(_canonical_pieces(text), _EMPTY)


def _assembled(pieces: tuple[str, ...], known_emotes: frozenset[str] | set[str]) -> str:
    tokens: list[str] = []
    for raw in pieces:
        kept = raw if raw in known_emotes else _canonical_piece(raw)
        if kept:
            tokens.append(kept)
    if not tokens:
        return squash("".join(pieces))
    return " ".join(_collapse_repeats(tokens))


@lru_cache(maxsize=1 << 18)
def _canonical_piece(raw: str) -> str:
    """One token of `canonical_form` that is not one of the log's own emotes: a link, ``+1``
    and other emotes as they are, any other token folded (`_canonical_token`)."""
    if raw == URL or raw == "+1" or is_emote(raw):
        return raw
    return _canonical_token(raw)


@lru_cache(maxsize=1 << 18)
def _canonical_token(raw: str) -> str:
    """One non-emote token's key: casefolded, accent-less, letters/digits/symbols only,
    repeats squashed; "" when nothing is left."""
    low = strip_accents(raw.casefold())
    kept = "".join(ch for ch in low if ch.isalnum() or unicodedata.category(ch) == "So")
    return _PAIR_RE.sub(_first_group_twice, squash(kept)) if kept else ""


def keyword_text(text: str) -> str:
    """``text`` cleaned for keyword tokens: invisible characters, URLs and mentions (raw or
    already placeholders) removed, ``+1`` variants folded to ``+1``."""
    text = _clean_chars(_as_str(text)).replace(MENTION, " ").replace(URL, " ")
    text = _sub_urls(" ", text)
    text = _sub_mentions(" ", text)
    return _canonical_plus_one(text)
