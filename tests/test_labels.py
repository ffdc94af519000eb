"""Issue 12: labels, typical representatives, clean keywords, tallies, moderation, printout."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from twitchtopics.chat.kinds import classify_kind
from twitchtopics.cli import cli
from twitchtopics.describe import (
    answer_tally,
    categorize_group,
    format_answers,
    group_label,
    is_bare_number,
    is_moderation,
    is_readable,
    moderation_after,
    representatives,
    topic_keywords,
    typical_order,
)
from twitchtopics.describe.keywords import emotes_not_crowding
from twitchtopics.report.printout import format_groups
from twitchtopics.safe_output import safe_line

# --- keywords --------------------------------------------------------------------------------


def _words(found) -> list[str]:
    return [w for w, _ in found]


def test_keywords_fold_case_and_show_the_most_frequent_spelling() -> None:
    docs = ["PogChamp what a play", "pogchamp play", "PogChamp PogChamp", "PogChamp nice"]
    docs += ["totally different words here", "other stuff entirely"]
    found = topic_keywords(docs, [0, 0, 0, 0, 1, 1], known_emotes={"PogChamp"})
    assert _words(found[0]).count("PogChamp") == 1
    assert "pogchamp" not in _words(found[0])


def test_keywords_drop_bare_numbers_unless_the_group_is_a_tally() -> None:
    docs = ["9000 damage dealt", "9000 damage wow", "1973 damage", "1973 again damage"] * 2
    docs += ["something else", "else again"]
    labels = [0] * 8 + [1, 1]
    assert not any(is_bare_number(w) for w in _words(topic_keywords(docs, labels)[0]))
    assert "9000" in _words(topic_keywords(docs, labels, tally_topics={0})[0])
    assert is_bare_number("650") and is_bare_number("2-1") and not is_bare_number("+1")
    assert not is_bare_number("ff7")


def test_keywords_drop_a_chatters_name_unless_others_write_it() -> None:
    # "zorglub" is a chatter; only he writes his name in group 0, four others in group 1
    docs = ["zorglub here again", "zorglub says hi", "zorglub is back"]
    users = ["zorglub"] * 3
    docs += [f"zorglub is a legend {i}" for i in range(4)]
    users += ["ann", "bob", "cid", "dan"]
    labels = [0, 0, 0, 1, 1, 1, 1]
    found = topic_keywords(docs, labels, users=users)
    assert "zorglub" not in _words(found[0])
    assert "zorglub" in _words(found[1])


def test_emotes_do_not_crowd_out_words_but_are_kept() -> None:
    ranked = [("KEKW", 1.0), ("LUL", 0.9), ("OMEGALUL", 0.8), ("boss", 0.7), ("dur", 0.6)]
    out = _words(emotes_not_crowding(ranked, {"KEKW", "LUL", "OMEGALUL"}))
    assert out == ["KEKW", "boss", "LUL", "dur", "OMEGALUL"]
    only_emotes = [("KEKW", 1.0), ("LUL", 0.9)]
    assert _words(emotes_not_crowding(only_emotes, {"KEKW", "LUL"})) == ["KEKW", "LUL"]


# --- representatives --------------------------------------------------------------------------


def test_readable_means_two_real_words() -> None:
    for text in (
        "OOF",
        "CCCC",
        "le s",
        "Moskau Moskau",
        "@streamer hiho",
        "KEKW KEKW",
        "HAHAHAH XDDD",
        "https://clips.twitch.tv/SmilingAbnegateCardDendiFace",
        "www.example.com/some-great-page lol",
    ):
        assert not is_readable(text, {"KEKW"}), text
    assert is_readable("quel banger cette musique")
    assert is_readable("regarde ce clip https://clips.twitch.tv/SmilingAbnegate")


def test_representatives_carry_the_keywords_before_a_central_aside() -> None:
    texts = [
        "cc tlm vous allez bi1 ?",  # most central, says nothing of the group
        "les centrales nucléaires ont raison",
        "OOF",
        "centrales à charbon, quelle raison ?",
        "les centrales nucléaires ont raison !",  # near duplicate of the second
    ]
    centrality = [1.0, 0.6, 0.99, 0.5, 0.59]
    reps = representatives(texts, centrality, k=3, keywords=["centrales", "raison"])
    assert reps[0] == "les centrales nucléaires ont raison"
    assert "centrales à charbon, quelle raison ?" in reps[:2]
    assert sum("nucléaires" in r for r in reps) == 1
    assert reps[-1] in ("cc tlm vous allez bi1 ?", "OOF")


def test_typical_order_is_deterministic_and_handles_nan() -> None:
    texts = ["alpha beta", "gamma delta", "epsilon zeta"]
    order = typical_order(texts, [np.nan, np.nan, np.nan], k=None)
    assert order == [0, 1, 2]
    assert typical_order(texts, [0.1, 0.9, np.nan], k=1) == [1]
    with pytest.raises(ValueError):
        typical_order(texts, [0.1], k=1)


# --- labels ---------------------------------------------------------------------------------


def test_label_is_a_phrase_from_the_messages() -> None:
    texts = [
        "no balls no yogg",
        "NO BALLS NO YOGG",
        "no balls no yogg dog",
        "yogg please",
        "just play yogg",
    ]
    users = ["a", "b", "c", "d", "e"]
    label = group_label(texts, [("yogg", 1.0), ("balls", 0.8)], users=users)
    assert label.casefold() == "no balls no yogg"
    assert 2 <= len(label.split()) <= 6


def test_label_falls_back_on_answers_then_keywords() -> None:
    assert group_label(["B", "C", "b"], [], answers=[["B", 2], ["C", 1]]) == "B / C"
    assert group_label(["x1", "y2"], [("alpha", 1.0), ("beta", 0.5)]) == "alpha / beta"
    assert group_label([], [], category="laughter") == "laughter"
    # a phrase repeating one word is no label
    texts = ["massietDab massietDab", "massietDab massietDab"]
    assert group_label(texts, [("massietDab", 1.0)]) != "massietDab massietDab"


def test_a_label_from_the_typical_message_names_no_chatter() -> None:
    typical = "@SimplyNemo il y en a qui y croient ! la preuve le lundi matin"
    label = group_label(["a", "b"], [], typical=typical)
    assert "@" not in label and "croient" in label and len(label.split()) <= 6
    assert group_label(["a"], [], typical="@Redmewon c'est le plan") == "c'est le plan"
    assert group_label(["a"], [], typical="@x @y", category="discussion") == "discussion"


def test_a_group_without_keywords_or_content_words_is_labelled_by_what_it_says() -> None:
    texts = ["@ana Yep", "AH NON", "ah non", "Bof", "*", "@bob Hein !", "ah non"]
    label = group_label(texts, [], typical="@ana Yep", category="reactions")
    assert label == "AH NON / Yep / Bof"
    assert group_label(["*", "@x"], [], category="reactions") == "reactions"


# --- tallies and moderation -------------------------------------------------------------------


def test_answer_tally_case_folds_and_ranks() -> None:
    texts = ["B"] * 149 + ["C"] * 143 + ["A"] * 74 + ["b"] * 48 + ["c !"] * 2 + ["KEKW"] * 9
    texts += ["a long sentence that is no answer at all"]
    answers = answer_tally(texts, known_emotes={"KEKW"})
    assert answers[:3] == [["B", 197], ["C", 145], ["A", 74]]
    assert format_answers(answers) == "B 197 · C 145 · A 74"
    assert categorize_group(texts[:400]) == "votes"


def test_moderation_notices_and_counts_after_a_group() -> None:
    assert is_moderation("troll has been timed out for 600s", "system")
    assert is_moderation("BAN: rwyekmfqumbx (600s)", "system")
    assert is_moderation("troll has been banned", "system")
    assert not is_moderation("troll has been banned", "chat")  # someone typing it
    assert not is_moderation("bob subscribed with Prime", "system")
    bans = np.array([5.0, 50.0, 70.0, 200.0, 1000.0])
    assert moderation_after(np.array([0.0, 30.0]), bans) == 3  # 5, 50, 70 within 60 s
    assert moderation_after(np.array([150.0]), bans) == 1
    assert moderation_after(np.array([]), bans) == 0


def test_donation_and_alert_bots_are_bots() -> None:
    text = "Zed a fait un don de 100€ ! Soutenez vous aussi Jean sur uTip : https://utip.io/x"
    assert classify_kind("uTipBot", text) == "bot"
    assert classify_kind("StreamlabsAlerts", "Thanks for the tip!") == "bot"


# --- printout -------------------------------------------------------------------------------


_WORDS = [a + b for a in ("red", "blue", "green", "gold", "grey", "pink") for b in "abcdefgh"]


def _printout_inputs(n: int = 40):
    messages = pd.DataFrame(
        {
            "index": range(n),
            "time": pd.NaT,
            "offset_s": np.arange(n, dtype=float) * 10,
            "user": [f"u{i % 7}" for i in range(n)],
            "text": [
                f"the boss fight {_WORDS[i]} {_WORDS[i + 1][::-1]} {_WORDS[i + 2].upper()}x "
                "is hard \x1b[31m"
                for i in range(n)
            ],
            "kind": "chat",
            "topic": 0,
            "silhouette": 0.5,
            "centrality": np.linspace(0, 1, n),
        }
    )
    topics = [
        {
            "id": 0,
            "label": "boss fight",
            "size": n,
            "users": 7,
            "category": "discussion",
            "keywords": [["boss", 1.0], ["fight", 0.5]],
            "answers": [],
            "moderation": 2,
            "silhouette": 0.5,
        }
    ]
    meta = {
        "stream": {"tz": None},
        "params": {"include": ["chat", "action"]},
        "counts": {
            "read": n,
            "considered": n,
            "clustered": n,
            "outliers": 0,
            "groups": 1,
            "mean_silhouette": 0.5,
            "by_kind": {"chat": n},
        },
    }
    return messages, topics, meta


def test_printout_is_short_led_by_the_label_and_escapes_control_characters() -> None:
    messages, topics, meta = _printout_inputs()
    out = format_groups(messages, topics, meta)
    lines = out.splitlines()
    assert lines[0].startswith("#0 \u201cboss fight\u201d \u00b7 discussion \u00b7 40 messages")
    assert "keywords: boss / fight" in out and "2 bans/timeouts" in out
    group = out.split("\n\n")[0].splitlines()
    assert len(group) <= 10
    assert sum("the boss fight" in line for line in group) == 5
    assert "... 35 more" in out
    assert "\x1b" not in out and "silhouette moyenne" not in out
    assert "0.50" not in "\n".join(group)  # no per-message scores by default
    everything = format_groups(messages, topics, meta, top=None, scores=True)
    assert sum("the boss fight" in line for line in everything.splitlines()) == 40
    assert "mean silhouette: 0.50" in everything
    assert safe_line("a\nb\x07 c\x1b[2J") == "a b c"


def test_cli_top_accepts_all_and_rejects_words() -> None:
    runner = CliRunner()
    bad = runner.invoke(cli, ["cluster", "x.txt", "--top", "many"])
    assert bad.exit_code != 0 and "'all'" in bad.output and "Traceback" not in bad.output
    helped = runner.invoke(cli, ["cluster", "--help"])
    assert "--scores" in helped.output and "centrality" in helped.output


def test_words_the_whole_stream_types_alone_are_reactions_not_answers() -> None:
    from twitchtopics.describe.group import recurring_reactions

    rows = []
    for minute in range(0, 60, 2):  # "Krappa" alone, all stream long, by many chatters
        rows += [(minute * 60.0 + i, f"user{minute + i}", "Krappa") for i in range(3)]
    rows += [(1800.0 + i, f"quiz{i}", "Napoléon") for i in range(12)]  # one quiz moment
    rows += [(float(m * 120), f"yes{m}", "yes") for m in range(30)]  # no capital: a word
    messages = pd.DataFrame(rows, columns=["offset_s", "user", "text"])
    assert recurring_reactions(messages) == frozenset({"Krappa"})


def test_a_missing_text_is_no_one_typing_the_last_word() -> None:
    """A message without text (NaN in a table handed to the describe step) types nothing: it
    once read the last distinct text (`pd.factorize` gives missing values the code -1), so
    missing texts from many chatters over the stream made that text a recurring reaction."""
    from twitchtopics.describe.group import recurring_reactions

    rows = [(float(m * 600), "one_chatter", "Krappa") for m in range(6)]  # one chatter only
    rows += [(float(m * 300 + 7), f"user{m}", None) for m in range(12)]  # texts missing
    messages = pd.DataFrame(rows, columns=["offset_s", "user", "text"])
    assert recurring_reactions(messages) == frozenset()


def test_themes_get_headings_and_labels_and_old_bundles_need_none() -> None:
    from twitchtopics.describe.group import label_themes

    messages, topics, meta = _printout_inputs()
    messages["theme"] = 0
    messages["clean"] = messages["text"]
    themes = [
        {
            "id": 0,
            "label": "boss / fight",
            "size": 40,
            "keywords": [["boss", 1.0], ["fight", 0.8]],
            "topics": [0],
            "first_offset_s": 0.0,
            "last_offset_s": 390.0,
        }
    ]
    labelled = label_themes(messages, themes, frozenset())
    assert labelled[0]["label"].casefold().startswith("the boss fight")
    out = format_groups(messages, [{**topics[0], "theme": 0}], meta, themes=labelled)
    assert out.startswith("==================== THEME 0: the boss fight")
    assert "1 moment \u00b7 0:00:00-0:06:30" in out.splitlines()[0]
    assert label_themes(messages.drop(columns="theme"), themes, frozenset()) == themes


def test_a_group_of_repeated_punctuation_is_labelled_by_it() -> None:
    """A "?" wave or a "-" / "+" vote names itself, not its category."""
    texts = ["?", "@ana ?", "???", "-", "?", "@bob"]
    assert group_label(texts, [], category="reactions") == "? / ??? / -"
    assert group_label(["-", "+", "=", "+"], [], category="discussion") == "+ / - / ="
    assert group_label(["?", "!", "@x"], [], category="reactions") == "reactions"  # none repeats


def test_in_text_never_turns_away_a_text_holding_the_word() -> None:
    """`_in_text` may say yes wrongly, never no: a word it does not find in the text is none
    of the text's tokens (best_phrase skips the text on its word)."""
    from twitchtopics.describe.labels import _in_text, _text_words

    texts = [
        "Quel BANGER ponceJAM",
        "ǅemal ΣΊΣΥΦΟΣ straße",
        "voir https://clips.twitch.tv/AbcDef c'est fou",
        "@Bob salut\u200bà toi",
        "Cafe\u0301 crème",
        "l'eau d'ici, qu'il dit !",
        "",
    ]
    known = frozenset({"ponceJAM"})
    for text in texts:
        words = _text_words(text, known)
        for word in words - {"|"}:  # a link's or mention's break: best_phrase checks it apart
            assert _in_text({word}, text), (word, text)
    assert not _in_text({"banger"}, "rien à voir")
