"""chat/reactions.py: the one definition of a reaction message, used by the clustering."""

import pytest

from twitchtopics.chat import reactions
from twitchtopics.chat.reactions import REACTIONS, reaction_kind, reaction_kinds
from twitchtopics.clustering import features


def test_clustering_uses_the_chat_rule():
    assert features.reaction_kind is reaction_kind
    assert features.reaction_kinds is reaction_kinds
    assert features.REACTIONS is REACTIONS == ("laughter", "greeting", "plus_one")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("pepeLaugh HYPERCLAP", "laughter"),  # laughter with a clap emote
        ("OMEGA LUL", "laughter"),
        ("+1 +1", "plus_one"),
        ("coucou le chat HeyGuys", "greeting"),
        ("salut <url>", "greeting"),
        ("bonsoir à tous les amis du chat", "greeting"),  # the greeted are part of it
        ("bonjour à toutes et tous", "greeting"),
        ("koukou <mention>", "greeting"),
        ("coucou mes copains de <mention> ntcMug ntcSorcie", "greeting"),
        ("hello dog. hello chat", "greeting"),
        ("o7 chat", "greeting"),
        ("good night everyone", "greeting"),
        ("bonne nuit tout le monde", "greeting"),
        ("massietBonjour", "greeting"),  # a channel emote whose code says hello
        ("hi everyone", "greeting"),
        ("bonjour à tous et bonjour Jean. ça va bien ?", "greeting"),  # how-are-you words
        ("salut tout le monde, ça va le live ?", "greeting"),
        ("hey chat how are you doing", "greeting"),
        ("Oh cokoooYO Ailedeau", "greeting"),  # one interjection before it
        ("et bonsoir !", "greeting"),
        ("<3", "greeting"),  # affection (the hsdogdog3 gold: "love you night night, <3")
        ("<mention> <3", "greeting"),
        ("Love you OhMyDog Night", "greeting"),
        ("ily dog", "greeting"),
        ("love you dog, that was a great play", None),  # a remark
        ("bon ça va, là l'ia ne fait que récupérer des faits", None),  # "ça va" alone
        ("where yo carriers at", None),  # "yo" after a word that is no interjection
        ("ah bah y a plus personne la", None),  # "a plus" inside a sentence
        ("hey how are you going to win with this deck", None),
        ("HI REDDIT", None),  # the clip meme, not an arrival
        ("hello youtube LUL", None),
        ("salut Jean trop content de te voir sur twitch", None),  # a sentence after it
        ("bonjour la constitution dit le contraire", None),
        ("mdr la constitution", None),
        ("haha énorme", None),  # the laugh goes with a remark
    ],
)
def test_reaction_kind(text, kind):
    assert reaction_kind(text) == kind


def test_greeting_tail_limit():
    tail = " ".join(["à"] * reactions.GREETING_TAIL_MAX)
    assert reaction_kind(f"bonsoir {tail}") == "greeting"
    assert reaction_kind(f"bonsoir {tail} à") is None


def test_categories_and_moments_read_the_same_rules():
    """Issue 15: one definition of each chat rule."""
    from twitchtopics.describe import message_flags
    from twitchtopics.moments import signals

    assert message_flags.is_laughter is reactions.is_laughter
    assert message_flags.is_greeting is reactions.is_greeting
    for text in ("mdr KEKW", "bonsoir à tous", "la constitution", "HI REDDIT"):
        assert signals.is_greeting_text(text) == reactions.is_greeting(text)
        if reactions.is_laughter(text):
            assert signals.is_reaction_text(text)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Kappa", "Kappa"),
        ("TriHard TriHard", "TriHard"),
        ("🤔", "🤔"),
        ("FailFish NotLikeThis", "FailFish"),
        (":thinking:", ":thinking:"),
        ("Kappa nice play", None),
        ("la constitution", None),
        ("", None),
    ],
)
def test_emote_key(text, key):
    assert reactions.emote_key(text) == key


def test_each_frequent_emote_is_a_group_of_its_own():
    import numpy as np

    texts = ["Kappa", "Kappa Kappa", "SMOrc", "la constitution", "mdr"]
    inverse = np.array([0, 1, 0, 2, 3, 2, 4, 0])
    kinds, own = features.message_reactions(texts, inverse, np.arange(8.0))
    assert kinds.tolist() == ["emote", "emote", "emote", None, None, None, "laughter", "emote"]
    assert own.tolist() == [0, 0, 0, -1, -1, -1, -1, 0]  # SMOrc twice: too rare for a group


def test_emote_groups_follow_waves_in_order_of_first_appearance():
    """Emote groups are numbered after the copypasta waves, by the emote's first emote-only
    message; a message already in a wave keeps its wave."""
    import numpy as np

    wave = "this is a long copypasta that several chatters paste within seconds ok"
    texts = ["PogChamp", "Kappa", wave, "Kappa Kappa", "la constitution"]
    inverse = np.array([0, 1, 2, 2, 2, 0, 3, 0, 1, 1, 4])
    users = np.arange(len(inverse))
    kinds, own = features.message_reactions(texts, inverse, np.arange(11.0), users)
    assert own[2:5].tolist() == [0, 0, 0] and set(kinds[2:5]) == {"copypasta"}
    assert own.tolist() == [1, 2, 0, 0, 0, 1, 2, 1, 2, 2, -1]  # PogChamp first, then Kappa
    assert kinds[[0, 1, 5, 6]].tolist() == ["emote"] * 4 and kinds[10] is None
