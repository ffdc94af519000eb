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
        ("bonsoir à tous les amis du chat", None),  # more than GREETING_TAIL_MAX tokens after
        ("mdr la constitution", None),
    ],
)
def test_reaction_kind(text, kind):
    assert reaction_kind(text) == kind


def test_greeting_tail_limit():
    tail = " ".join(["à"] * reactions.GREETING_TAIL_MAX)
    assert reaction_kind(f"bonsoir {tail}") == "greeting"
    assert reaction_kind(f"bonsoir {tail} à") is None
