"""Group descriptions: c-TF-IDF keywords, representatives, categories."""

from __future__ import annotations

import numpy as np
import pytest

from twitchtopics.chat.normalize import normalize_text
from twitchtopics.chat.tokens import STOP_WORDS
from twitchtopics.describe import (
    CATEGORIES,
    CATEGORY_LABELS,
    categorize_group,
    class_tfidf,
    representatives,
    shorten,
    topic_keywords,
)

# --- keywords --------------------------------------------------------------------------------

BOSS = [
    "le boss final est trop dur",
    "ce boss est impossible franchement",
    "encore mort contre le boss dur",
    "le boss a un pattern dur",
]
MUSIC = [
    "j'adore la musique du générique",
    "la musique du générique est géniale",
    "c'est quoi la musique ?",
    "musique de fou ponceJAM",
]
EMOTE_FLOOD = ["ponceJAM ponceJAM", "ponceJAM", "ponceJAM musique", "KEKW ponceJAM"]
FILLER = ["mdr", "oui", "ok ok", "ptdr jsp"]


def _words(keywords: list[tuple[str, float]]) -> list[str]:
    return [word for word, _ in keywords]


@pytest.fixture(scope="module")
def keywords() -> dict[int, list[tuple[str, float]]]:
    docs = BOSS + MUSIC + EMOTE_FLOOD + FILLER + ["un message perdu"]
    # ids chosen so BERTopic's size ordering differs from ours: they must come back unchanged
    labels = np.array([7] * 4 + [2] * 4 + [11] * 4 + [0] * 4 + [-1])
    return topic_keywords(docs, labels, top_n=5)


def test_keywords_keep_the_given_topic_ids(keywords) -> None:
    assert set(keywords) == {0, 2, 7, 11}
    assert {"boss", "dur"} <= set(_words(keywords[7]))
    assert "musique" in _words(keywords[2])
    assert "musique" not in _words(keywords[7])
    assert _words(keywords[11])[0] == "ponceJAM"


def test_keywords_have_no_stop_words_and_keep_accents_and_emote_case(keywords) -> None:
    for words in keywords.values():
        for word, score in words:
            assert word not in STOP_WORDS
            assert len(word) >= 2
            assert score > 0
    assert "générique" in _words(keywords[2])
    assert "ponceJAM" in _words(keywords[11])
    assert "poncejam" not in _words(keywords[11])


def test_keywords_of_a_topic_of_filler_are_empty(keywords) -> None:
    assert keywords[0] == []


def test_keywords_are_sorted_and_limited(keywords) -> None:
    for words in keywords.values():
        scores = [score for _, score in words]
        assert scores == sorted(scores, reverse=True)
        assert len(words) <= 5


def test_keywords_need_two_messages_in_their_topic(keywords) -> None:
    # "impossible" and "pattern" appear in one boss message each: not a keyword
    assert "impossible" not in _words(keywords[7])
    assert "pattern" not in _words(keywords[7])
    assert "dur" in _words(keywords[7])


def test_keywords_count_a_word_once_per_message() -> None:
    labels = np.array([0, 0, 0, 0, 1, 1])
    rest = ["KEKW boss", "boss dur", "boss nul", "musique", "musique"]
    flood = topic_keywords(["KEKW KEKW KEKW KEKW KEKW", *rest], labels)
    once = topic_keywords(["KEKW", *rest], labels)
    assert flood == once


def test_keywords_work_on_normalised_text() -> None:
    docs = [normalize_text(t) for t in ["@bob le BOOOSS", "le boss !!!", "https://x.com boss"]]
    assert _words(topic_keywords(docs, np.array([3, 3, 3]))[3]) == ["boss"]


def test_keywords_degenerate_inputs() -> None:
    assert topic_keywords([], np.array([], dtype=int)) == {}
    assert topic_keywords(["boss", "boss"], np.array([-1, -1])) == {}
    assert topic_keywords(["mdr", "oui", "ok"], np.array([0, 0, 1])) == {0: [], 1: []}
    single = topic_keywords(BOSS, np.zeros(len(BOSS), dtype=int))
    assert {"boss", "dur"} <= set(_words(single[0]))
    # a one-word vocabulary (BERTopic's c-TF-IDF cannot take it)
    one_word = topic_keywords(["boss", "BOSS !", "mdr", "boss"], np.array([0, 0, 1, -1]))
    assert _words(one_word[0]) == ["boss"] and one_word[0][0][1] > 0
    assert one_word[1] == []
    with pytest.raises(ValueError):
        topic_keywords(["a", "b"], np.array([0]))


def test_keywords_weights_count_documents_several_times() -> None:
    docs = ["boss dur", "boss facile", "musique", "musique douce"]
    labels = np.array([0, 0, 1, 1])
    # without weights "dur" (one message) is no keyword; as 3 identical messages it is
    assert "dur" not in _words(topic_keywords(docs, labels)[0])
    weighted = topic_keywords(docs, labels, weights=np.array([3, 1, 1, 1]))
    assert "dur" in _words(weighted[0])
    # weight 0 removes a document
    assert topic_keywords(docs, labels, weights=[1, 1, 0, 0])[1] == []


def _bertopic_scores(docs: list[list[str]], labels: list[int]) -> dict[int, dict[str, float]]:
    """BERTopic's own c-TF-IDF on given groups (pass-through sub-models), keyed by our ids."""
    bertopic = pytest.importorskip("bertopic")
    from bertopic.cluster import BaseCluster
    from bertopic.dimensionality import BaseDimensionalityReduction
    from bertopic.vectorizers import ClassTfidfTransformer
    from sklearn.feature_extraction.text import CountVectorizer

    model = bertopic.BERTopic(
        language="multilingual",
        umap_model=BaseDimensionalityReduction(),
        hdbscan_model=BaseCluster(),
        vectorizer_model=CountVectorizer(tokenizer=str.split, lowercase=False, token_pattern=None),
        ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
        top_n_words=1000,
    )
    model.fit_transform([" ".join(d) for d in docs], embeddings=np.zeros((len(docs), 1)), y=labels)
    ours_of = dict(zip(model.topics_, labels, strict=True))
    return {ours_of[t]: dict(words) for t, words in model.get_topics().items()}


@pytest.mark.slow
def test_class_tfidf_gives_bertopic_scores() -> None:
    rng = np.random.default_rng(3)
    vocabulary = [f"mot{i}" for i in range(60)] + ["KEKW", "génial", "ça"]
    docs = [list(rng.choice(vocabulary, size=rng.integers(1, 6))) for _ in range(400)]
    labels = [int(x) for x in rng.integers(-1, 9, size=len(docs))]
    expected = _bertopic_scores(docs, labels)
    ours = class_tfidf(docs, labels)
    assert set(ours) == set(expected)
    for label, words in ours.items():
        got = dict(words)
        want = {w: s for w, s in expected[label].items() if w and s > 0}
        assert set(got) == set(want)
        assert all(got[w] == pytest.approx(want[w], rel=1e-9) for w in want)
        scores = [s for _, s in words]
        assert scores == sorted(scores, reverse=True)


def test_class_tfidf_weights_equal_repeated_documents() -> None:
    docs = [["boss", "dur"], ["musique"], ["boss"]]
    repeated = [docs[0]] * 3 + docs[1:]
    assert class_tfidf(docs, [0, 1, 1], [3, 1, 1]) == class_tfidf(repeated, [0, 0, 0, 1, 1])
    assert class_tfidf([[], []], [0, -1]) == {-1: [], 0: []}


# --- shorten / representatives ---------------------------------------------------------------


def test_shorten() -> None:
    assert shorten("court", 80) == "court"
    assert shorten("  deux   mots ", 80) == "deux mots"
    long = "le boss final est vraiment beaucoup trop dur pour moi"
    cut = shorten(long, 20)
    assert cut.endswith("…")
    assert len(cut) <= 20
    assert cut == "le boss final est…"  # cut at a word boundary
    assert shorten("abcdefghijklmnopqrstuvwxyz", 10) == "abcdefghi…"
    assert shorten("abc", 1) == "abc"[:0] + "…"
    assert shorten("abc", 0) == ""


def test_representatives_most_central_first() -> None:
    texts = ["le boss est dur", "quel boss incroyable", "je mange une pizza", "boss final"]
    centrality = np.array([0.5, 0.9, 0.1, 0.7])
    assert representatives(texts, centrality, k=2) == ["quel boss incroyable", "boss final"]


def test_representatives_are_distinct() -> None:
    texts = ["BOSS DUR !!!", "boss dur", "Boss duuur", "le boss a deux phases", "nouveau boss"]
    centrality = [0.99, 0.98, 0.97, 0.5, 0.4]
    assert representatives(texts, centrality, k=3) == [
        "BOSS DUR !!!",
        "le boss a deux phases",
        "nouveau boss",
    ]


def test_representatives_prefer_words_over_emote_spam() -> None:
    texts = ["KEKW KEKW KEKW", "😂😂😂", "il est tombé dans le trou", "LUL"]
    centrality = [1.0, 0.9, 0.2, 0.8]
    assert representatives(texts, centrality, k=1) == ["il est tombé dans le trou"]
    # emote spam fills the places left when there are not enough readable messages
    assert representatives(texts, centrality, k=3) == [
        "il est tombé dans le trou",
        "KEKW KEKW KEKW",
        "😂😂😂",
    ]
    assert representatives(["KEKW", "KEKW KEKW"], [0.1, 0.2], k=3) == ["KEKW KEKW"]


def test_representatives_shorten_and_clean() -> None:
    long = "franchement " * 20
    out = representatives([long, "ok\u200b  ok"], [0.9, 0.1], k=2, max_len=30)
    assert out[0].endswith("…") and len(out[0]) <= 30
    assert out[1] == "ok ok"


def test_representatives_edge_cases() -> None:
    assert representatives([], np.array([]), k=3) == []
    assert representatives(["", "   "], [1.0, 0.5]) == []
    assert representatives(["a b", "c d"], [np.nan, 0.1], k=1) == ["c d"]
    with pytest.raises(ValueError):
        representatives(["x"], [0.1, 0.2])


# --- categories ------------------------------------------------------------------------------


def test_categories_and_labels() -> None:
    assert set(CATEGORIES) == set(CATEGORY_LABELS)
    assert len(CATEGORIES) == 15
    assert CATEGORY_LABELS["votes"] == "+1 / votes"
    assert CATEGORY_LABELS["copypasta"] == "copypasta"


GROUPS = {
    "laughter": ["mdrrr", "ptdr", "KEKW KEKW", "hahaha", "lol il est tombé", "xptdr", "LUL"],
    "emotes": ["ponceJAM ponceJAM", "catJAM", "PogChamp", "ponceJAM catJAM", "🎉🎉", "pepeD"],
    "greetings": ["Bonsoir !", "bonsoiiiir", "salut tout le monde", "coucou", "hey", "yo ça va"],
    "commands": ["!drop", "!uptime", "!discord", "!drop", "!sr never gonna give you up"],
    "questions": [
        "c'est quoi ce jeu ?",
        "il stream quand demain ?",
        "pourquoi il a pris cette arme",
        "what game is this?",
        "tu joues à quoi ?",
    ],
    "votes": ["+1", "+1", "+ 1", "+1+1", "2", "1", "plus un"],
    "reactions": ["WOW", "nooooon", "oh!", "QUOI", "omg", "incroyable !"],
    "chants": ["move tech", "move tech now", "just move tech", "move the tech", "go tech go"],
    "replies": [
        "@alice non, la loi date de 2019 et elle a été votée en urgence",
        "@bob tu confonds avec le premier texte, celui qui a été retiré",
        "@carole je pense que le sénat avait déjà modifié cette partie",
        "le débat était quand même plus intéressant la semaine dernière",
    ],
    "answers": ["oui", "non", "6 mois", "depuis 2019", "hier", "oui depuis le début"],
    "thanks": ["merci pour le sub !", "@alice merci", "thanks for the stream", "ty <3", "merci"],
    "quiz": ["Napoléon", "napoleon", "Louis XIV", "1789", "Charlemagne", "Jules César", "NAPOLEON"],
    "discussion": [
        "je pense que le premier boss était mieux équilibré",
        "franchement la nouvelle carte est plus belle que l'ancienne",
        "I think the second half of the game drags a bit",
        "le scénario reste assez prévisible par rapport au premier",
    ],
    "copypasta": [
        "Si tu lis ce message tu dois le copier dans dix chats sinon malheur",
        "Si tu lis ce message tu dois le copier dans dix chats sinon malheur",
        "SI TU LIS CE MESSAGE TU DOIS LE COPIER DANS DIX CHATS SINON MALHEUR",
        "si tu lis ce message, tu dois le copier dans dix chats sinon malheur",
        "je pense que c'est nul",
    ],
}


@pytest.mark.parametrize("category", sorted(GROUPS))
def test_categorize_group(category: str) -> None:
    assert categorize_group(GROUPS[category]) == category


def test_categorize_group_uses_kinds_and_known_emotes() -> None:
    texts = ["Merci pour le follow !", "Rejoins le discord", "Merci pour le follow !"]
    assert categorize_group(texts, kinds=["bot", "bot", "chat"]) == "spam"
    assert categorize_group(["drop", "drop"], kinds=["command", "command"]) == "commands"
    texts = ["HYPERCLAP HYPERCLAP", "HYPERCLAP", "Bravo HYPERCLAP"]
    assert categorize_group(texts, known_emotes=frozenset({"HYPERCLAP"})) == "emotes"


def test_a_short_flood_no_rule_explains_is_spam() -> None:
    texts = ["team bleue"] * 4 + ["je pense que la team rouge va gagner ce soir"]
    assert categorize_group(texts) == "spam"


def test_categorize_degenerate_groups() -> None:
    assert categorize_group([]) == "discussion"
    assert categorize_group(["", "  "]) == "discussion"
    assert categorize_group(["KEKW"]) == "laughter"
    assert categorize_group(["???"]) == "reactions"  # confusion, not a question
    for texts in GROUPS.values():
        assert categorize_group(texts) in CATEGORIES
    with pytest.raises(ValueError):
        categorize_group(["a"], kinds=["chat", "chat"])


def test_a_few_words_with_an_emote_are_a_reaction() -> None:
    texts = ["VALUE PogChamp", "Monsanto DansGame", "rank 19 plays Kappa", "nice value Kappa"]
    assert categorize_group(texts) == "reactions"
    # a sentence with an emote is still a remark about something
    long = [t + " because the last three turns were exactly the same" for t in texts]
    assert categorize_group(long) != "reactions"


def test_chants_need_a_shared_phrase_not_a_shared_subject() -> None:
    users = ["a", "b", "c", "d"]
    one_word = ["snuggle", "snuggle him", "snuggle", "snuggle him now"]
    assert categorize_group(one_word, users=users) == "chants"
    assert categorize_group(["KILL THE BABY", "kill the baby", "Kill baby", "no"], users=users) == (
        "chants"
    )
    # one name in different remarks is a subject: "hear Paige", "Paige MIC"
    subject = ["hear Paige now", "Paige MIC broken", "what was Paige saying", "Paige ASMR time"]
    assert categorize_group(subject, users=users) == "discussion"
    # the same phrase from one chatter is not chat chanting
    assert categorize_group(
        ["KILL THE BABY", "kill the baby", "Kill baby", "no"], users=["a"] * 4
    ) != ("chants")


def test_replies_are_to_several_chatters_not_to_the_streamer() -> None:
    texts = GROUPS["replies"]
    assert categorize_group(texts) == "replies"
    to_one = ["@streamer " + t.split(" ", 1)[1] for t in texts[:3]] + texts[3:]
    assert categorize_group(to_one) == "discussion"  # a wave at one person: chat to the stream


def test_answers_are_different_values_not_memes_or_names() -> None:
    # durations, dates, numbers alone, ratings, yes/no: a wave of answers to the stream's question
    assert categorize_group(["3000", "30k", "3k", "en cash", "3k pardon"]) == "answers"
    assert categorize_group(["8/10", "Inception is 10/10", "7/10", "LOTR 9/10", "7"]) == "answers"
    # the same "oui" again and again is chat answering yes, not a flood
    assert categorize_group(["oui"] * 8 + ["oui depuis 2020", "techniquement oui"]) == "answers"
    # a number next to a word is a meme or a name, not a value
    assert categorize_group(["4 loko", "4loko", "sloubi 1", "sloubi 2"]) != "answers"
    # vote-like numbers alone are votes, short name riffs are not answers
    assert categorize_group(["-20", "-10", "69", "-20", "4000 matches"]) != "answers"
    assert categorize_group(["Hardman", "Die hardman", "Soft hardman", "Elmo"]) != "answers"
    # questions about dates are a question wave, one answer is not a wave
    assert categorize_group(["depuis quand ?", "2019 ?", "hier ?", "6 mois"]) == "questions"
    assert categorize_group(["oui", "oui", "oui", "je pense que le budget est trop serré"]) != (
        "answers"
    )


def test_thanks_are_short_and_open_with_the_thanks() -> None:
    texts = ["@bob Merci pour l'abonnement-cadeau !", "merci pour le sub :D", "merci", "LUL"]
    assert categorize_group(texts) == "thanks"
    end = ["thanks for the stream!", "Thank you for the stream, Ary.", "ty for the stream", "gn"]
    assert categorize_group(end) == "thanks"
    # a thank-you that goes on is about what it goes on about
    long = [
        "merci pour l'explication sur les retraites mais le COR dit le contraire depuis 2020",
        "merci jean mais franchement le budget de la sécu est plus compliqué que ça en vrai",
        "thanks but the second half of the game really drags on compared to the first one",
    ]
    assert categorize_group(long) == "discussion"
    # a word that starts like a thank-you is not one
    assert categorize_group(["typo", "type it", "tyrant", "thanksgiving dinner soon"]) != "thanks"


def test_paste_emotes_are_copypasta() -> None:
    texts = ["copyThis pastaThat", "copyThis pastaThat copyThis", "copyThis pastaThat", "ok"]
    assert categorize_group(texts, known_emotes=frozenset({"copyThis", "pastaThat"})) == "copypasta"


def test_emoticons_are_not_votes():
    from twitchtopics.describe.categories import categorize_group

    assert categorize_group(["D:"] * 5 + ["D: Clap"]) != "votes"
    assert categorize_group(["B", "C.", "b", "A", "B !"]) == "votes"
