"""The category of a group of chat messages: what it *is* in chat terms.

``categorize_group`` names what a group *is* in chat terms. Per message it reads flags
(`message_flags`: command, bot, vote, laughter, greeting, thanks, emote share, question,
reaction, short answer, answer value, copypasta marker; the per-message word limits named
below live there), then walks this ordered decision list; the first rule that holds wins:

1. ``commands``   share of commands (``!word`` or kind ``command``) >= COMMANDS_MIN_SHARE
2. ``spam``       share of bot messages >= BOTS_MIN_SHARE (bots are not clustered by
                  default; when they are, their messages are not chat)
   ``copypasta``  share of messages in a copypasta wave (`chat.copypasta`: a text of 6+
                  tokens, or its variants, copied by 3+ chatters within 2 minutes) or
                  holding Twitch's paste emotes (``copyThis``, ``pastaThat``)
                  >= COPYPASTA_MIN_SHARE
3. ``votes``      share of votes (``+1`` and its variants, ``-1``, a 1-2 digit number or a
                  single letter A-D alone) >= VOTES_MIN_SHARE
4. ``laughter``   share of laughing messages (`chat.reactions.is_laughter`, the rule the
                  clusterer groups laughter by) >= LAUGHTER_MIN_SHARE
5. ``greetings``  share of greetings/goodbyes (`chat.reactions.is_greeting`)
                  >= GREETINGS_MIN_SHARE
   ``thanks``     share of short thank-yous (``merci``, ``thanks``, ``ty`` first, after an
                  ``@name``; <= THANKS_MAX_WORDS words) >= THANKS_MIN_SHARE: chat thanking a
                  gifter (``Merci pour l'abonnement-cadeau !``), the streamer at the end
                  (``thanks for the stream``) or a chatter
6. ``emotes``     mean share of emote/emoji tokens per message >= EMOTES_MIN_SHARE
7. ``questions``  share of questions (a ``?`` in a message with words, or a question word
                  first) >= QUESTIONS_MIN_SHARE; a bare "???" is a reaction (confusion)
8. ``reactions``  share of short (<= REACTION_MAX_WORDS words) exclamations: ``!``, mostly
                  capitals, stretched letters (``nooon``), an interjection (wow, oh,
                  omg, gg...) or a few words carrying an emote or emoji that says the
                  feeling (``VALUE PogChamp``, ``Monsanto DansGame``, ``rank 19 plays
                  Kappa``) >= REACTIONS_MIN_SHARE
9. ``quiz``       share of short answers (1 to ANSWER_MAX_WORDS words, no ``?``/``!``, none
                  of the kinds above, or votes: "8", "C") >= QUIZ_MIN_SHARE, of which
                  >= QUIZ_MIN_PROPER are votes or look like names or numbers (a capitalised word that is no stop word, not
                  all caps - ``Napoléon``, ``Paris`` - or a number alone - ``1789``;
                  ``pseudo_42`` is neither), with at least
                  QUIZ_MIN_DISTINCT different answers and questions < QUIZ_MAX_QUESTIONS:
                  many people typing different guesses to a quiz or a "who is it?"; the
                  answers must come back (``_answers_repeat``)
10. ``answers``  a wave of short, different answers to a question asked on stream: >=
                  ANSWERS_MIN_SHARE short answers (as for quiz, or votes), >=
                  ANSWERS_MIN_VALUES of them giving a value - a yes/no first, a date or a
                  duration, a rating, numbers alone (``oui``, ``non jamais``, ``6 mois``,
                  ``février 2022``, ``8/10``, ``3k``) -, QUIZ_MIN_DISTINCT different ones and
                  questions < QUIZ_MAX_QUESTIONS (a ``oui`` flood after "who invests?" is chat
                  answering, not spam)
11. ``spam``      a single canonical text makes more than DOMINANT_TEXT_SHARE of the group
                  (a flood that none of the rules above explains)
12. ``chants``    chat repeating a phrase in variants: >= CHANT_MIN_SHORT of the messages
                  are short (<= CHANT_MAX_WORDS words) and one phrase - two content words
                  (no stop word, emote or number) together, or one content word that is
                  all the message says - is in >= CHANT_MIN_SHARE of them, typed by
                  >= CHANT_MIN_CHATTERS chatters (``move tech``, ``roll sir``, ``topa la
                  vachette``; shouted in capitals they are reactions first): a chant
                  about what is on screen, not an exchange of opinions
13. ``replies``   chatters answering each other: >= REPLIES_MIN_SHARE of the messages open
                  with an ``@name``, to at least REPLIES_MIN_NAMES different names, none
                  of which takes half of them (a wave of ``@streamer ...`` is chat talking
                  to the stream, left to the rules on what it says)
14. ``discussion`` everything else: sentences, opinions, conversation about a topic.

Bots and copypasta (long texts repeated) are checked before what messages say; a flood of a
short text is named by its content (a ``KEKW`` flood is laughter, a ``+1`` flood votes) and
only a flood that no content rule explains falls to rule 11. When the chatters and times are
not given, each message counts as its own chatter and time is ignored ("several chatters"
becomes "several copies"). An empty group is ``discussion``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from operator import attrgetter

from twitchtopics.chat.copypasta import (
    MIN_CHATTERS,
    MIN_TOKENS,
    copypasta_waves,
    may_hold_tokens,
    token_set,
)
from twitchtopics.chat.normalize import (
    canonical_form,
    clean_text,
)
from twitchtopics.describe.message_flags import (
    MessageFlags,
    message_flags,
)

__all__ = ["CATEGORIES", "CATEGORY_LABELS", "categorize_group"]

CATEGORIES: tuple[str, ...] = (
    "laughter",
    "emotes",
    "greetings",
    "commands",
    "questions",
    "votes",
    "reactions",
    "quiz",
    "discussion",
    "copypasta",
    "spam",
    "chants",
    "replies",
    "answers",
    "thanks",
)
CATEGORY_LABELS: dict[str, str] = {
    "laughter": "laughter",
    "emotes": "emotes",
    "greetings": "greetings",
    "commands": "commands",
    "questions": "questions",
    "votes": "+1 / votes",
    "reactions": "exclamations / reactions",
    "quiz": "quiz answers",
    "discussion": "opinions / discussion",
    "copypasta": "copypasta",
    "spam": "bots / floods",
    "chants": "chants / repeated phrase",
    "replies": "chatters replying to each other",
    "answers": "answers to a question",
    "thanks": "thanks",
}

_EMPTY: frozenset[str] = frozenset()

# --- thresholds of the decision list (shares are of the group's non-empty messages) ---------
COMMANDS_MIN_SHARE = 0.5
BOTS_MIN_SHARE = 0.5
COPYPASTA_MIN_SHARE = 0.3
VOTES_MIN_SHARE = 0.5
LAUGHTER_MIN_SHARE = 0.5
GREETINGS_MIN_SHARE = 0.5
EMOTES_MIN_SHARE = 0.5
QUESTIONS_MIN_SHARE = 0.4
REACTIONS_MIN_SHARE = 0.5
QUIZ_MIN_SHARE = 0.4  # a quiz wave comes with chatter ("trop dur", "j'ai triché mdr")
QUIZ_MIN_PROPER = 0.3  # "de vinci" typed lowercase is still an answer
QUIZ_MIN_DISTINCT = 3
QUIZ_MAX_QUESTIONS = 0.2
QUIZ_MIN_TOP_COPIES = 3
QUIZ_MIN_REPEATED = 0.25
DOMINANT_TEXT_SHARE = 0.5
# Chants and replies (issue 12: `discussion` took 55-81 % of the groups of the talk shows and
# 47-67 % of the fast English logs). Read on the real logs (static model, 20 groups a log):
# one shared content word made 109 "chants" on the tcd log, of which about 8 in 20 were chants
# and the rest short remarks about one subject ("hear Paige", "Paige MIC"), hence the phrase of
# two words or the word alone; with it ~12 in 16 read as chants. Replies: ~9 in 10 groups on
# tcd and ~6 in 8 on the economics talk show were chatters answering each other.
CHANT_MIN_SHORT = 0.7
CHANT_MIN_SHARE = 0.5
CHANT_MIN_CHATTERS = 3
REPLIES_MIN_SHARE = 0.5
# Thanks and answers (issue 12, read on the ten real logs, static model): a thank-you group took
# 6 groups, all read as chat thanking (gift subs, "thanks for the stream" at the end, a chatter);
# an answer wave took 9 groups, 8 read as answers ("oui" x41 after "who invests?", "3k",
# "février 2022", "Inception is 10/10", "no bgm"), 1 a number meme ("420").
THANKS_MIN_SHARE = 0.5
ANSWERS_MIN_SHARE = 0.5
ANSWERS_MIN_VALUES = 0.5
REPLIES_MIN_NAMES = 2


def _answers_repeat(answer_forms: Counter[str], n: int) -> bool:
    """A quiz's answers come back: one typed QUIZ_MIN_TOP_COPIES times or more, and answers
    typed twice or more make QUIZ_MIN_REPEATED of the group (a slow chat's short remarks
    are all different)."""
    repeated = sum(c for c in answer_forms.values() if c >= 2)
    top = max(answer_forms.values(), default=0)
    return top >= QUIZ_MIN_TOP_COPIES and repeated >= QUIZ_MIN_REPEATED * n


def categorize_group(
    texts: Sequence[str],
    *,
    known_emotes: frozenset[str] | set[str] = _EMPTY,
    kinds: Sequence[str] | None = None,
    memo: dict[tuple[str, str | None], tuple[MessageFlags, str, bool] | None] | None = None,
    users: Sequence[object] | None = None,
    offsets: Sequence[float] | None = None,
) -> str:
    """The category of a group of messages (one of ``CATEGORIES``); rules in the module doc.

    ``kinds`` (optional, parallel to ``texts``): the messages' kinds from the reader
    (``command`` counts as a command, ``bot`` as a bot message). ``memo``: a dict shared by
    the calls on one log (same ``known_emotes``), so a text repeated across groups is
    analysed once. ``users`` and ``offsets`` (seconds), optional and parallel to ``texts``:
    who wrote each message and when, for the copypasta rule.
    """
    memo = {} if memo is None else memo
    if kinds is not None and len(kinds) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(kinds)} kinds")
    for name, values in (("users", users), ("offsets", offsets)):
        if values is not None and len(values) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(values)} {name}")
    rows: list[tuple[MessageFlags, str]] = []
    kept: list[int] = []
    long_writers: set[object] = set()  # who wrote the texts long enough to be copypasta
    long_at: list[int] = []  # where in `kept` those texts are
    for i, text in enumerate(texts):
        text = text if isinstance(text, str) else ("" if text is None else str(text))
        kind = kinds[i] if kinds is not None else None
        try:
            analysis = memo[(text, kind)]
        except KeyError:
            analysis = memo[(text, kind)] = _analyse(text, known_emotes, kind)
        if analysis is None:
            continue  # nothing to read once cleaned
        kept.append(i)
        rows.append(analysis[:2])
        if analysis[2]:
            long_at.append(len(kept) - 1)
            long_writers.add(i if users is None else users[i])
    n = len(rows)
    if n == 0:
        return "discussion"

    flag_rows = [flags for flags, _ in rows]

    def share(attr: str) -> float:
        return sum(map(bool, map(attrgetter(attr), flag_rows))) / n

    forms = Counter(form for _, form in rows)
    copypasta = sum(1 for flags, _ in rows if flags.paste)
    # a wave needs MIN_CHATTERS writers of long texts (and as many copies): else none; and
    # only long texts join one, so too few of them cannot make the copypasta share either
    if len(long_writers) >= MIN_CHATTERS and (len(long_at) + copypasta) / n >= COPYPASTA_MIN_SHARE:
        copied = _in_waves([kept[k] for k in long_at], texts, users, offsets)
        in_wave = {long_at[j] for j in copied}
        copypasta = len(in_wave) + sum(
            1 for k, (flags, _) in enumerate(rows) if k not in in_wave and flags.paste
        )
    if share("command") >= COMMANDS_MIN_SHARE:
        return "commands"
    if share("bot") >= BOTS_MIN_SHARE:
        return "spam"
    if copypasta / n >= COPYPASTA_MIN_SHARE:
        return "copypasta"
    if share("vote") >= VOTES_MIN_SHARE:
        return "votes"
    if share("laughter") >= LAUGHTER_MIN_SHARE:
        return "laughter"
    if share("greeting") >= GREETINGS_MIN_SHARE:
        return "greetings"
    if share("thanks") >= THANKS_MIN_SHARE:
        return "thanks"
    if sum(flags.emote_share for flags, _ in rows) / n >= EMOTES_MIN_SHARE:
        return "emotes"
    question_share = share("question")
    if question_share >= QUESTIONS_MIN_SHARE:
        return "questions"
    if share("reaction") >= REACTIONS_MIN_SHARE:
        return "reactions"
    answers = [(flags, form) for flags, form in rows if flags.answer or flags.vote]
    if (
        answers
        and len(answers) / n >= QUIZ_MIN_SHARE
        and sum(1 for flags, _ in answers if flags.proper or flags.vote) / len(answers)
        >= QUIZ_MIN_PROPER
        and len({form for _, form in answers}) >= QUIZ_MIN_DISTINCT
        and question_share < QUIZ_MAX_QUESTIONS
        and _answers_repeat(Counter(form for _, form in answers), n)
    ):
        return "quiz"
    if _is_answer_wave(rows, question_share):
        return "answers"
    if forms.most_common(1)[0][1] / n > DOMINANT_TEXT_SHARE:
        return "spam"
    who = list(range(n)) if users is None else [users[i] for i in kept]
    if _is_chant(rows, who):
        return "chants"
    names = Counter(flags.addressee for flags, _ in rows if flags.addressee)
    replies = sum(names.values())
    if (
        replies / n >= REPLIES_MIN_SHARE
        and len(names) >= REPLIES_MIN_NAMES
        and 2 * names.most_common(1)[0][1] < replies
    ):
        return "replies"
    return "discussion"


def _in_waves(
    rows: list[int],
    texts: Sequence[str],
    users: Sequence[object] | None,
    offsets: Sequence[float] | None,
) -> list[int]:
    """Which of `rows` (positions of the group's long texts) are in a copypasta wave.

    Only texts of MIN_TOKENS tokens or more join a wave, so the waves among the long texts
    alone are the waves among all the group's texts: searched there, 749 groups of the
    100k-message speed log spent 0.2 s in `copypasta_waves` reading their short texts.
    """
    waves = copypasta_waves(
        [str(texts[i]) for i in rows],
        [0.0] * len(rows) if offsets is None else [float(offsets[i]) for i in rows],
        rows if users is None else [users[i] for i in rows],
    )
    return [j for j, wave in enumerate(waves.tolist()) if wave >= 0]


def _analyse(
    text: str, known_emotes: frozenset[str] | set[str], kind: str | None
) -> tuple[MessageFlags, str, bool] | None:
    """One distinct message's flags, canonical form and whether it is long enough to be
    copypasta; None when nothing is left once cleaned. Most groups hold long texts from fewer
    chatters than a wave needs, so their copypasta search is skipped (it was 32 of 268 s profiled
    describing 1M messages)."""
    if not clean_text(text):
        return None
    long_enough = may_hold_tokens(text, MIN_TOKENS) and len(token_set(text)) >= MIN_TOKENS
    return message_flags(text, known_emotes, kind), canonical_form(text, known_emotes), long_enough


def _is_answer_wave(rows: Sequence[tuple[MessageFlags, str]], question_share: float) -> bool:
    """Rule 10: a wave of short, different answers to a question asked on stream.

    Most messages are short answers (``flags.answer``), most of those give a value - a number,
    a date, a duration, a rating, numbers alone, a yes/no (``_is_answer_value``) - and at
    least QUIZ_MIN_DISTINCT differ. Names do not count: with them, short riffs on a name
    ("Hardman", "Elmo scream") took 30 groups, few of them answers. Votes (``7``, ``-2``)
    count as answers but not as values: fast chat's number memes ("-20", "69") are no answer.
    """
    n = len(rows)
    answers = [(flags, form) for flags, form in rows if flags.answer or flags.vote]
    if len(answers) < ANSWERS_MIN_SHARE * n or question_share >= QUIZ_MAX_QUESTIONS:
        return False
    values = sum(1 for flags, _ in answers if flags.value)
    distinct = len({form for _, form in answers})
    return values >= ANSWERS_MIN_VALUES * len(answers) and distinct >= QUIZ_MIN_DISTINCT


def _is_chant(rows: Sequence[tuple[MessageFlags, str]], users: Sequence[object]) -> bool:
    """Rule 12: short messages repeating one phrase, typed by several chatters.

    The phrase is two content words found together (``MOVE TECH``, ``rank 19 plays``) or one
    content word that is all the message says (``SNUGGLE``, ``NEVER LUCKY``). One shared word
    inside different remarks ("hear Paige", "Paige MIC") is a subject, not a chant.
    """
    n = len(rows)
    if sum(1 for flags, _ in rows if flags.short) < CHANT_MIN_SHORT * n:
        return False
    holders: dict[tuple[str, ...], set[object]] = {}
    counts: Counter[tuple[str, ...]] = Counter()
    for (flags, _), user in zip(rows, users, strict=True):
        words = sorted(flags.content)
        if len(words) == 1:
            phrases = [(words[0],)]
        else:
            phrases = [(a, b) for i, a in enumerate(words) for b in words[i + 1 :]]
        for phrase in phrases:
            counts[phrase] += 1
            holders.setdefault(phrase, set()).add(user)
    return any(
        count >= CHANT_MIN_SHARE * n and len(holders[phrase]) >= CHANT_MIN_CHATTERS
        for phrase, count in counts.items()
    )
