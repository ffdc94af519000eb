"""Describe a group of chat messages: keywords, representative messages, a category.

Keywords
    ``topic_keywords`` scores words by BERTopic's c-TF-IDF (``class_tfidf``: the same formula,
    computed here with sparse matrices on groups that are already made, without importing
    BERTopic). Messages are tokenised
    first by ``normalize.keyword_tokens`` (stop words, filler and laughter dropped, emotes kept
    with their case, accents kept) and each message counts a word once (``KEKW KEKW KEKW`` is
    one vote for ``KEKW``, not three). Outlier messages (label -1) take part in the fit, so
    words common to the whole chat are weighed down, but get no keywords.

Representatives
    ``representatives`` picks the most central messages of a group, one per canonical form (a
    flood shows once), preferring messages with real words over pure emote spam.

Categories
    ``categorize_group`` names what a group *is* in chat terms. Per message it computes flags
    (command, bot, vote, laughter, greeting, emote share, question, reaction, short answer,
    copypasta), then walks this ordered decision list; the first rule that holds wins:

    1. ``commands``   share of commands (``!word`` or kind ``command``) >= COMMANDS_MIN_SHARE
    2. ``spam``       share of bot messages >= BOTS_MIN_SHARE, or share of copypasta messages
                      (canonical form >= SPAM_MIN_CHARS characters, seen >= SPAM_MIN_COPIES
                      times in the group) >= COPYPASTA_MIN_SHARE
    3. ``votes``      share of votes (``+1`` and its variants, ``-1``, a 1-2 digit number or a
                      single letter A-D alone) >= VOTES_MIN_SHARE
    4. ``laughter``   share of laughing messages (at least one laughter token - mdr, ptdr,
                      lol, haha, KEKW, LUL, 😂... - and no more other content words than
                      laughter tokens) >= LAUGHTER_MIN_SHARE
    5. ``greetings``  share of greetings/goodbyes (a greeting token in a message of at most
                      GREETING_MAX_WORDS words) >= GREETINGS_MIN_SHARE
    6. ``emotes``     mean share of emote/emoji tokens per message >= EMOTES_MIN_SHARE
    7. ``questions``  share of questions (a ``?`` or a question word first) >= QUESTIONS_MIN_SHARE
    8. ``reactions``  share of short (<= REACTION_MAX_WORDS words) exclamations: ``!``, mostly
                      capitals, stretched letters (``nooon``) or an interjection (wow, oh,
                      omg, gg...) >= REACTIONS_MIN_SHARE
    9. ``quiz``       share of short answers (1 to ANSWER_MAX_WORDS words, no ``?``/``!``, none
                      of the kinds above) >= QUIZ_MIN_SHARE, of which >= QUIZ_MIN_PROPER look
                      like names or numbers (a capitalised word that is no stop word, not
                      all caps - ``Napoléon``, ``Paris`` - or a number alone - ``1789``;
                      ``pseudo_42`` is neither), with at least
                      QUIZ_MIN_DISTINCT different answers and questions < QUIZ_MAX_QUESTIONS:
                      many people typing different guesses to a quiz or a "who is it?"
    10. ``spam``      a single canonical text makes more than DOMINANT_TEXT_SHARE of the group
                      (a flood that none of the rules above explains)
    11. ``discussion`` everything else: sentences, opinions, conversation.

    Bots and copypasta (long texts repeated) are checked before what messages say; a flood of a
    short text is named by its content (a ``KEKW`` flood is laughter, a ``+1`` flood votes) and
    only a flood that no content rule explains falls to rule 10. Users are not seen here, so
    "several users" is approximated by "several copies". An empty group is ``discussion``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from twitchtopics.emotes import is_emoji, is_emote
from twitchtopics.normalize import (
    STOP_WORDS,
    canonical_form,
    clean_text,
    is_command,
    is_greeting_token,
    is_laughter_token,
    keyword_tokens,
    normalize_text,
    strip_accents,
)

__all__ = [
    "CATEGORIES",
    "CATEGORY_LABELS",
    "categorize_group",
    "representatives",
    "shorten",
    "topic_keywords",
]

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
    "spam",
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
    "spam": "copypasta / spam",
}

# --- thresholds of the decision list (shares are of the group's non-empty messages) ---------
COMMANDS_MIN_SHARE = 0.5
BOTS_MIN_SHARE = 0.5
SPAM_MIN_CHARS = 40
SPAM_MIN_COPIES = 3
COPYPASTA_MIN_SHARE = 0.3
VOTES_MIN_SHARE = 0.5
LAUGHTER_MIN_SHARE = 0.5
GREETINGS_MIN_SHARE = 0.5
GREETING_MAX_WORDS = 6
EMOTES_MIN_SHARE = 0.5
QUESTIONS_MIN_SHARE = 0.4
REACTIONS_MIN_SHARE = 0.5
REACTION_MAX_WORDS = 4
QUIZ_MIN_SHARE = 0.5
QUIZ_MIN_PROPER = 0.5
QUIZ_MIN_DISTINCT = 3
QUIZ_MAX_QUESTIONS = 0.2
ANSWER_MAX_WORDS = 3
DOMINANT_TEXT_SHARE = 0.5

_EMPTY: frozenset[str] = frozenset()
_VOTE_RE = re.compile(r"[+-]?\d{1,2}|[a-dA-D]")
_NUMBER_RE = re.compile(r"\d+(?:[.,:h/-]\d+)*[.,;]?")
_STRETCHED_RE = re.compile(r"([^\W\d_])\1{2,}", re.IGNORECASE)
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


# --- keywords ---------------------------------------------------------------------------------


KEYWORD_CANDIDATES = 30
"""How many of a topic's best c-TF-IDF words may become keywords (see ``topic_keywords``)."""


def topic_keywords(
    docs: Sequence[str],
    labels: np.ndarray | Sequence[int],
    *,
    top_n: int = 10,
    known_emotes: frozenset[str] | set[str] = _EMPTY,
    weights: np.ndarray | Sequence[float] | None = None,
    min_df: int = 2,
) -> dict[int, list[tuple[str, float]]]:
    """c-TF-IDF keywords (BERTopic's) of every topic ``>= 0``, with their scores, best first.

    ``docs`` are the messages (raw or normalised, both work), ``labels`` their topic ids
    (``-1`` = outlier: used for the fit, no keywords). ``weights`` are optional integer counts
    per document (e.g. how many identical messages one deduplicated row stands for): a
    document of weight ``w`` counts ``w`` times, exactly as if it were repeated; weights are
    rounded to integers and a weight of 0 removes the document. ``min_df``: a keyword must
    occur in at least ``min(min_df, topic size)`` messages of its topic (weighted), so one odd
    message cannot name a topic. Only a topic's ``max(KEYWORD_CANDIDATES, 3 * top_n)``
    best-scored words are candidates (as BERTopic's ``top_n_words`` did before that filter), so
    a topic whose distinctive words are one-offs gets fewer keywords rather than generic ones.

    Cost: linear in the number of tokens, mostly tokenising (cached per distinct text).

    Returns ``{topic id: [(word, score), ...]}`` with the given ids, every topic id present, an
    empty list when a topic has no usable word (e.g. only stop words, laughter or numbers).
    """
    labels_arr = np.asarray(labels).astype(np.int64).reshape(-1)
    if len(labels_arr) != len(docs):
        raise ValueError(f"{len(docs)} documents but {len(labels_arr)} labels")
    if weights is None:
        counts = np.ones(len(docs), dtype=np.int64)
    else:
        counts = np.rint(np.nan_to_num(np.asarray(weights, dtype=float), nan=0.0))
        counts = np.clip(counts, 0, None).astype(np.int64).reshape(-1)
        if len(counts) != len(docs):
            raise ValueError(f"{len(docs)} documents but {len(counts)} weights")
    topic_ids = sorted({int(t) for t in labels_arr if t >= 0})
    if not topic_ids:
        return {}
    result: dict[int, list[tuple[str, float]]] = {t: [] for t in topic_ids}

    # one token list per kept document, each word once per message, counted by its weight
    cache: dict[str, list[str]] = {}
    kept_tokens: list[list[str]] = []
    kept_labels: list[int] = []
    kept_counts: list[int] = []
    doc_freq: dict[int, Counter[str]] = {t: Counter() for t in topic_ids}
    sizes: Counter[int] = Counter()
    for doc, label, count in zip(docs, labels_arr, counts, strict=True):
        if count <= 0:
            continue
        doc = doc if isinstance(doc, str) else ("" if doc is None else str(doc))
        tokens = cache.get(doc)
        if tokens is None:
            tokens = cache[doc] = list(dict.fromkeys(keyword_tokens(doc, known_emotes)))
        label = int(label)
        if label >= 0:
            sizes[label] += int(count)
            for tok in tokens:
                doc_freq[label][tok] += int(count)
        kept_tokens.append(tokens)
        kept_labels.append(label)
        kept_counts.append(int(count))
    if not any(doc_freq[t] for t in topic_ids):
        return result
    per_topic = class_tfidf(kept_tokens, kept_labels, kept_counts)
    candidates = max(KEYWORD_CANDIDATES, 3 * top_n)
    for old, words in per_topic.items():
        if old < 0:
            continue
        need = min(min_df, sizes[old]) if min_df > 0 else 0
        found = [
            (str(word), float(score))
            for word, score in words[:candidates]
            if word and score > 0 and doc_freq[old][word] >= need
        ]
        found.sort(key=lambda ws: (-ws[1], ws[0]))
        result[old] = found[:top_n]
    return result


def class_tfidf(
    docs: Sequence[Sequence[str]], labels: Sequence[int], weights: Sequence[int] | None = None
) -> dict[int, list[tuple[str, float]]]:
    """Every word of every class with its c-TF-IDF score (BERTopic's formula), best first.

    ``docs`` are token lists; a document of weight ``w`` counts as ``w`` copies of it. The
    documents of a class are joined into one; ``tf`` is a word's count in the class,
    l1-normalised per class, square-rooted (BERTopic's ``reduce_frequent_words``); ``idf`` is
    ``log(A / f + 1)`` with ``f`` the word's total count over all classes and ``A`` the
    average number of words per class (integer part), classes -1 included. Computed here with
    sparse matrices rather than through a BERTopic model: the same numbers without importing
    BERTopic (and torch with it), which cost ~5 s of a cached run; a test checks the match.
    Ties are broken by the word, so the order is reproducible.
    """
    from scipy import sparse

    classes = sorted(set(labels))
    row_of = {label: i for i, label in enumerate(classes)}
    vocabulary: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    weights = [1] * len(docs) if weights is None else weights
    for tokens, label, weight in zip(docs, labels, weights, strict=True):
        row = row_of[label]
        for token in tokens:
            rows.append(row)
            cols.append(vocabulary.setdefault(token, len(vocabulary)))
            values.append(weight)
    if not vocabulary:
        return {label: [] for label in classes}
    counts = sparse.csr_matrix(
        (np.asarray(values, dtype=np.float64), (rows, cols)),
        shape=(len(classes), len(vocabulary)),
    )
    counts.sum_duplicates()
    frequency = np.asarray(counts.sum(axis=0)).ravel()
    words_per_class = np.asarray(counts.sum(axis=1)).ravel()
    idf = np.log(int(words_per_class.mean()) / frequency + 1)
    scores = (sparse.diags(1.0 / np.maximum(words_per_class, 1)) @ counts).tocsr()
    scores.data = np.sqrt(scores.data)
    scores = (scores @ sparse.diags(idf)).tocsr()
    words = np.array(list(vocabulary), dtype=object)
    out: dict[int, list[tuple[str, float]]] = {}
    for label, i in row_of.items():
        start, end = scores.indptr[i], scores.indptr[i + 1]
        row_scores, idx = scores.data[start:end], scores.indices[start:end]
        order = np.lexsort((words[idx].astype(str), -row_scores))
        out[label] = [(str(words[idx[j]]), float(row_scores[j])) for j in order]
    return out


# --- representatives -----------------------------------------------------------------------


def shorten(text: str, max_len: int) -> str:
    """``text`` on one line, cut to at most ``max_len`` characters with an ellipsis "…".

    Cuts at a word boundary when one is near the end, so a reader does not see half words.
    """
    text = " ".join(str(text).split())
    if max_len <= 0:
        return ""
    if len(text) <= max_len:
        return text
    if max_len == 1:
        return "…"
    cut = text[: max_len - 1]
    space = cut.rfind(" ")
    if space >= 0.6 * (max_len - 1):
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"


def _is_readable(text: str, known_emotes: frozenset[str] | set[str]) -> bool:
    """Whether a message has a real word (2+ letters, not an emote): not pure emote spam."""
    for tok in text.split():
        if is_emote(tok, known_emotes) or is_emoji(tok):
            continue
        if sum(ch.isalpha() for ch in tok) >= 2:
            return True
    return False


def representatives(
    texts: Sequence[str],
    centrality: np.ndarray | Sequence[float],
    *,
    k: int = 3,
    max_len: int = 80,
    known_emotes: frozenset[str] | set[str] = _EMPTY,
) -> list[str]:
    """Up to ``k`` messages that show what a group is: the most central ones, all different.

    Walks messages from the most central (NaN centrality last, ties in given order), keeps one
    message per ``canonical_form`` (a flood of one text shows once) and prefers messages with
    real words over pure emote spam; emote-only messages fill the remaining places only when
    there are not enough readable ones. Texts are cleaned (invisible characters, extra spaces)
    and shortened to ``max_len`` characters with "…".
    """
    if len(texts) != len(centrality):
        raise ValueError(f"{len(texts)} texts but {len(centrality)} centrality values")
    if k <= 0:
        return []
    scores = [
        float(c) if c is not None and math.isfinite(float(c)) else -math.inf for c in centrality
    ]
    order = sorted(range(len(texts)), key=lambda i: -scores[i])
    seen: set[str] = set()
    readable: list[str] = []
    others: list[str] = []
    for i in order:
        text = clean_text(texts[i])
        if not text:
            continue
        key = canonical_form(text, known_emotes) or text
        if key in seen:
            continue
        seen.add(key)
        (readable if _is_readable(text, known_emotes) else others).append(text)
        if len(readable) >= k:
            break
    chosen = readable[:k] + others[: max(0, k - len(readable))]
    return [shorten(text, max_len) for text in chosen]


# --- categories ----------------------------------------------------------------------------


@dataclass
class _Flags:
    command: bool = False
    bot: bool = False
    vote: bool = False
    laughter: bool = False
    greeting: bool = False
    emote_share: float = 0.0
    question: bool = False
    reaction: bool = False
    answer: bool = False
    proper: bool = False


def _looks_like_a_name(word: str) -> bool:
    """A capitalised word that is not a stop word or filler: ``Napoléon``, ``Paris``, not ``Il``."""
    word = word.strip(".,;:!?\"'()")
    return (
        len(word) >= 2
        and word[0].isupper()
        and not word.isupper()
        and word.lower() not in STOP_WORDS
        and not is_greeting_token(word)
    )


def _message_flags(text: str, known: frozenset[str] | set[str], kind: str | None) -> _Flags:
    flags = _Flags(command=is_command(text) or kind == "command", bot=kind == "bot")
    raw = clean_text(text)
    tokens = [t for t in normalize_text(raw, known).split() if t not in ("<mention>", "<url>")]
    # words: tokens with a letter, digit or pictograph (not bare punctuation)
    words = [
        t for t in tokens if any(ch.isalnum() for ch in t) or is_emoji(t) or is_emote(t, known)
    ]
    bare = re.sub(r"[^\w+-]", "", raw)
    flags.vote = canonical_form(raw, known) == "+1" or bool(
        _VOTE_RE.fullmatch(bare) and len(words) <= 1
    )
    if not words:
        flags.reaction = "!" in raw  # "!!!", "?!"
        flags.question = "?" in raw
        return flags
    emote_like = [is_emote(t, known) or is_emoji(t) for t in words]
    flags.emote_share = sum(emote_like) / len(words)
    laughs = [is_laughter_token(t) for t in words]
    content = [
        t
        for t, laughing, emo in zip(words, laughs, emote_like, strict=True)
        if not laughing and not emo and t.lower().strip(".,!?") not in STOP_WORDS
    ]
    flags.laughter = any(laughs) and sum(laughs) >= len(content)
    flags.greeting = len(words) <= GREETING_MAX_WORDS and any(is_greeting_token(t) for t in words)
    first = strip_accents(words[0].lower()).strip(".,!?")
    flags.question = "?" in raw or (len(words) >= 2 and first in _QUESTION_WORDS)
    letters = [ch for ch in raw if ch.isalpha()]
    shouting = len(letters) >= 2 and sum(ch.isupper() for ch in letters) / len(letters) >= 0.7
    plain = [strip_accents(t.lower()).strip(".,!?") for t in words]
    interjection = any(p in _INTERJECTIONS for p in plain)
    stretched = _STRETCHED_RE.search(raw) is not None
    short = len(words) <= REACTION_MAX_WORDS
    flags.reaction = (
        short
        and not flags.question
        and not all(emote_like)
        and ("!" in raw or shouting or stretched or interjection)
    )
    flags.answer = (
        len(words) <= ANSWER_MAX_WORDS
        and "?" not in raw
        and "!" not in raw
        and not (flags.command or flags.vote or flags.laughter or flags.greeting)
        and not any(emote_like)
        and not interjection
        and not stretched
    )
    flags.proper = any(_NUMBER_RE.fullmatch(t) or _looks_like_a_name(t) for t in words)
    return flags


def categorize_group(
    texts: Sequence[str],
    *,
    known_emotes: frozenset[str] | set[str] = _EMPTY,
    kinds: Sequence[str] | None = None,
    memo: dict[tuple[str, str | None], tuple[_Flags, str]] | None = None,
) -> str:
    """The category of a group of messages (one of ``CATEGORIES``); rules in the module doc.

    ``kinds`` (optional, parallel to ``texts``): the messages' kinds from the reader
    (``command`` counts as a command, ``bot`` as a bot message). ``memo``: a dict shared by
    the calls on one log (same ``known_emotes``), so a text repeated across groups is
    analysed once.
    """
    memo = {} if memo is None else memo
    if kinds is not None and len(kinds) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(kinds)} kinds")
    rows: list[tuple[_Flags, str]] = []
    for i, text in enumerate(texts):
        text = text if isinstance(text, str) else ("" if text is None else str(text))
        if not clean_text(text):
            continue
        kind = kinds[i] if kinds is not None else None
        row = memo.get((text, kind))
        if row is None:
            row = memo[(text, kind)] = (
                _message_flags(text, known_emotes, kind),
                canonical_form(text, known_emotes),
            )
        rows.append(row)
    n = len(rows)
    if n == 0:
        return "discussion"

    def share(attr: str) -> float:
        return sum(1 for flags, _ in rows if getattr(flags, attr)) / n

    forms = Counter(form for _, form in rows)
    copypasta = sum(
        count
        for form, count in forms.items()
        if len(form) >= SPAM_MIN_CHARS and count >= SPAM_MIN_COPIES
    )
    if share("command") >= COMMANDS_MIN_SHARE:
        return "commands"
    if share("bot") >= BOTS_MIN_SHARE or copypasta / n >= COPYPASTA_MIN_SHARE:
        return "spam"
    if share("vote") >= VOTES_MIN_SHARE:
        return "votes"
    if share("laughter") >= LAUGHTER_MIN_SHARE:
        return "laughter"
    if share("greeting") >= GREETINGS_MIN_SHARE:
        return "greetings"
    if sum(flags.emote_share for flags, _ in rows) / n >= EMOTES_MIN_SHARE:
        return "emotes"
    question_share = share("question")
    if question_share >= QUESTIONS_MIN_SHARE:
        return "questions"
    if share("reaction") >= REACTIONS_MIN_SHARE:
        return "reactions"
    answers = [(flags, form) for flags, form in rows if flags.answer]
    if (
        answers
        and len(answers) / n >= QUIZ_MIN_SHARE
        and sum(1 for flags, _ in answers if flags.proper) / len(answers) >= QUIZ_MIN_PROPER
        and len({form for _, form in answers}) >= QUIZ_MIN_DISTINCT
        and question_share < QUIZ_MAX_QUESTIONS
    ):
        return "quiz"
    if forms.most_common(1)[0][1] / n > DOMINANT_TEXT_SHARE:
        return "spam"
    return "discussion"
