"""What one chat message is, as flags the group categories are counted from
(`categories.categorize_group`): command, bot, vote, laughter, greeting, thanks, emote share,
question, reaction, short answer and the value it gives, proper name or number, copypasta
marker, addressee, content words. One message's flags depend on its text, its reader kind and
the stream's emotes only, so they are computed once per distinct (text, kind) of a log."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress

from twitchtopics.chat.emotes import is_emoji, is_emote
from twitchtopics.chat.normalize import (
    canonical_form,
    clean_text,
    has_stretched_letters,
    is_command,
    normalize_text,
    strip_accents,
)
from twitchtopics.chat.reaction_tokens import is_greeting_token
from twitchtopics.chat.reactions import is_greeting, is_laughter
from twitchtopics.chat.tokens import STOP_WORDS

# A few words with an emote are a reaction (issue 12): it moved 282 AdmiralBulldog IRC groups
# and 238 hsdogdog3 groups from discussion; 20 of each read, 18 and 17 are reactions ("TIGHT
# Kreygasm", "SAFIA WHAT cmonBruh", "VALUE PogChamp"), the others mixed bags.
REACTION_MAX_WORDS = 4
CHANT_MAX_WORDS = 6
ANSWER_MAX_WORDS = 3
THANKS_MAX_WORDS = 8
PASTE_EMOTES = frozenset({"copyThis", "pastaThat"})
"""Twitch's global emotes that say "copy this, paste that": chat marks a paste with them, and
a flood of them is chat doing copypasta, not an emote reaction (the hsdogdog3 gold labels its
``copyThis pastaThat`` messages ``copypasta_copythis_pastathat``). A message holding one counts
toward the copypasta share like a message in a wave."""

_PASTE_RE = re.compile("|".join(sorted(PASTE_EMOTES)))  # a paste emote somewhere in the text
_VOTE_RE = re.compile(r"[+-]?\d{1,2}|[a-dA-D]")
_NUMBER_RE = re.compile(r"\d+(?:[.,:h/-]\d+)*[.,;]?")
# a message starting with one of these (and 2+ words) is a question even without "?"
_QUESTION_WORDS = frozenset(
    "pourquoi comment combien quel quelle quels quelles qui quoi est-ce "
    "why how what when who where which".split()
)
# short messages with one of these are reactions (compared lowercase, accents stripped)
_INTERJECTIONS = frozenset(
    "oh ohh ah wow waw woah whoa omg wtf gg ggwp wp ez ouf aie ouch oups oops bravo incroyable "
    "enorme ouah waouh nani hype letsgo let's lets go nice pog rip f noo nope yes huh oskour "
    "ohlala olala putain ptn dingue".split()
)


_THANKS_RE = re.compile(r"\s*(?:merci|thanks|thank you|thank u|thx|ty|tyty|tysm)\b")
# short answers that give a value (compared lowercase, accents stripped)
_YES_NO = frozenset(
    "oui non ouais nan nope yes no yep yeah nah jamais never toujours always".split()
)
_AMOUNT_RE = re.compile(r"\d+(?:[.,:h/-]\d+)*(?:k|m|%|€|\$|e|eme|er|st|nd|rd|th|x)?[.,;]?")
_RATING_RE = re.compile(r"\d+(?:[.,]\d+)?/10")  # "8/10", "Inception is 10/10": a rating
_TIME_WORDS = frozenset(
    "hier aujourd'hui demain depuis jours jour semaine semaines mois an ans annee annees heure "
    "heures minutes yesterday today tomorrow since ago day days week weeks month months year "
    "years hour hours minutes".split()
)
_MONTHS = frozenset(
    "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre "
    "january february march april june july august september october november december".split()
)


@dataclass(slots=True)
class MessageFlags:
    command: bool = False
    bot: bool = False
    vote: bool = False
    laughter: bool = False
    greeting: bool = False
    thanks: bool = False
    emote_share: float = 0.0
    question: bool = False
    reaction: bool = False
    answer: bool = False
    proper: bool = False
    value: bool = False
    paste: bool = False
    short: bool = False
    content: frozenset[str] = frozenset()
    addressee: str | None = None


_CAMEL_RE = re.compile(r"[a-z][A-Z]")
_ADDRESSEE_RE = re.compile(r"\s*@(\w+)")


def _looks_like_a_name(word: str) -> bool:
    """A capitalised word that is not a stop word or filler: ``Napoléon``, ``Paris``, not ``Il``;
    nor CamelCase (``PepeScoots``, ``monkaGIGA``: third-party emotes missing from the log's
    metadata, whose floods are not quiz answers)."""
    word = word.strip(".,;:!?\"'()")
    return (
        len(word) >= 2
        and word[0].isupper()
        and not word.isupper()
        and _CAMEL_RE.search(word) is None
        and word.lower() not in STOP_WORDS
        and not is_greeting_token(word)
    )


def message_flags(text: str, known: frozenset[str] | set[str], kind: str | None) -> MessageFlags:
    """One message's flags (module doc). Run once per distinct (text, kind) of a log, so what
    is read per token (`_token_facts`, `_plain`, `_is_proper`) is remembered per token, and
    the costlier tests (shouting, stretched letters) run only where a rule still needs them:
    this function was ~40 % of the describe step on the 100k-message speed log."""
    flags = MessageFlags(command=is_command(text) or kind == "command", bot=kind == "bot")
    raw = clean_text(text)
    # (substring tests first: the split and the match were for the rare message they find)
    flags.paste = _PASTE_RE.search(raw) is not None and not PASTE_EMOTES.isdisjoint(raw.split())
    opening = _ADDRESSEE_RE.match(raw) if "@" in raw else None
    flags.addressee = opening.group(1).lower() if opening else None
    normalized = normalize_text(raw, known)
    # words: tokens with a letter, digit or pictograph (not bare punctuation); per word,
    # whether it is an emote or emoji
    words: list[str] = []
    facts: list[tuple[str, bool, bool, bool]] = []
    for t in normalized.split():
        if t in known:
            if t == "<mention>" or t == "<url>":
                continue
            found: tuple[str, bool, bool, bool] | None = _emote_facts(t)
        else:
            found = _word_facts(t)
            if found is None:  # a placeholder, or no word, emoji or emote
                continue
        words.append(t)
        facts.append(found)
    # the answer alone, end punctuation aside: "B", "c.", "7 !"; not the emoticons "D:", ":D", "B)"
    flags.vote = canonical_form(raw, known) == "+1" or bool(
        len(words) <= 1 and _VOTE_RE.fullmatch(_TRAILING_RE.sub("", raw.strip()))
    )
    if not words:
        flags.reaction = "!" in raw or "?" in raw  # "!!!", "?!", "???" (confusion)
        return flags
    # per word: as the rules compare it, emote or emoji, number or name, content word
    plain, emote_like, proper, content = zip(*facts, strict=True)
    flags.emote_share = sum(emote_like) / len(words)
    flags.laughter = is_laughter(normalized)
    flags.greeting = is_greeting(normalized)
    flags.thanks = not flags.greeting and _is_thanks(raw, words)
    flags.question = "?" in raw or (len(words) >= 2 and plain[0] in _QUESTION_WORDS)
    interjection = not _INTERJECTIONS.isdisjoint(plain)
    stretched: bool | None = None  # has_stretched_letters(raw), read when a rule needs it
    if len(words) <= REACTION_MAX_WORDS and not flags.question and not all(emote_like):
        if "!" in raw or interjection or any(emote_like) or _is_shouting(raw):
            flags.reaction = True
        else:
            stretched = has_stretched_letters(raw)
            flags.reaction = stretched
    flags.short = len(words) <= CHANT_MAX_WORDS
    flags.content = frozenset(compress(plain, content))
    flags.answer = (
        len(words) <= ANSWER_MAX_WORDS
        and "?" not in raw
        and "!" not in raw
        and not (flags.command or flags.vote or flags.laughter or flags.greeting or flags.thanks)
        and not any(emote_like)
        and not interjection
        and not (has_stretched_letters(raw) if stretched is None else stretched)
    )
    flags.proper = any(proper)
    flags.value = flags.answer and _is_answer_value(plain)
    return flags


_TRAILING_RE = re.compile(r"[\s.!?]+$")


@lru_cache(maxsize=1 << 18)
def _token_facts(token: str) -> bool | None:
    """What `message_flags` asks of a token that is not one of the log's own emotes, whatever
    they are: None when it is no word (a ``<mention>`` or ``<url>`` placeholder, or neither a
    letter or digit, an emoji nor a bundled or channel-shaped emote), else whether it is
    emote-like (an emoji or such an emote). One answer per token rather than three flags
    combined per message: 0.05 of ~5.4 s describing the 100k-message speed log."""
    if token == "<mention>" or token == "<url>":
        return None
    wordy, emoji, shaped = any(ch.isalnum() for ch in token), is_emoji(token), is_emote(token)
    return (emoji or shaped) if (wordy or emoji or shaped) else None


@lru_cache(maxsize=1 << 18)
def _word_facts(token: str) -> tuple[str, bool, bool, bool] | None:
    """What `message_flags` reads of a token that is not one of the log's own emotes: None when
    it is no word (`_token_facts`), else (`_plain` form, emote or emoji, `_is_proper`, content
    word: no emote, 2+ characters, no stop word or number). One lookup per token rather than
    four (message_flags over the 100k bundle's distinct texts, warm: 0.66 -> 0.56 s)."""
    like = _token_facts(token)
    if like is None:
        return None
    plain = _plain(token)
    content = not like and len(plain) >= 2 and plain not in STOP_WORDS and not plain.isdigit()
    return plain, like, _is_proper(token), content


@lru_cache(maxsize=1 << 18)
def _emote_facts(token: str) -> tuple[str, bool, bool, bool]:
    """`_word_facts` of one of the log's own emotes: always a word, emote-like, never content."""
    return _plain(token), True, _is_proper(token), False


@lru_cache(maxsize=1 << 18)
def _plain(word: str) -> str:
    """A word as the rules compare it: lowercase, accents stripped, end punctuation dropped."""
    return strip_accents(word.lower()).strip(".,!?")


@lru_cache(maxsize=1 << 18)
def _is_proper(word: str) -> bool:
    """A number (``1789``, ``8/10``) or a word that looks like a name (``Napoléon``)."""
    return bool(_NUMBER_RE.fullmatch(word) or _looks_like_a_name(word))


def _is_shouting(raw: str) -> bool:
    """At least two letters, 70 % or more of them capitals ("WHAT", "NO WAY")."""
    letters = [ch for ch in raw if ch.isalpha()]
    return len(letters) >= 2 and sum(ch.isupper() for ch in letters) / len(letters) >= 0.7


def _is_thanks(raw: str, words: Sequence[str]) -> bool:
    """A short thank-you to the streamer, a gifter or chat: it opens (after an ``@name``) with
    ``merci``, ``thanks``, ``thank you``, ``ty``, ``thx`` and says at most THANKS_MAX_WORDS
    words (``Merci pour l'abonnement-cadeau !``, ``thanks for the stream arypieYEAH``,
    ``merci pour le sub :D``). A longer message is thanks for something it goes on about."""
    if not words or len(words) > THANKS_MAX_WORDS:
        return False
    first = _THANKS_RE.match(strip_accents(_ADDRESSEE_RE.sub("", raw, count=1).lower()))
    return first is not None


def _is_answer_value(plain: Sequence[str]) -> bool:
    """A short message that gives a value someone asked for: a yes/no first (``oui``, ``non
    jamais``, ``no bgm``), a date or a duration (``février 2022``, ``6 mois``, ``depuis 2019``,
    ``hier``), a rating (``Inception is 9/10``) or numbers alone (``3k``, ``8/10``). A number beside another word is not one:
    ``sloubi 1``, ``4 loko`` are memes. ``plain``: the words, lowercase, accents stripped."""
    if plain[0] in _YES_NO or any(
        word in _TIME_WORDS or word in _MONTHS or _RATING_RE.fullmatch(word) for word in plain
    ):
        return True
    said = [word for word in plain if word not in STOP_WORDS]
    return bool(said) and all(_AMOUNT_RE.fullmatch(word) for word in said)
