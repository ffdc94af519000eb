"""Issue 12 on the real logs in ../shared: clean keywords everywhere, a real vote's tally.

Keyword rules do not depend on how groups are formed, so the groups here are cheap ones
(slices of each log's chat) and no model is loaded: every real log is read and described in
a few minutes on two cores. Two grains: ten-minute slices, and one-minute slices, the size of
real moments, where case duplicates show: with keywords not case-folded
(``keywords._fold`` returning the word as is) the one-minute slices of five logs hold one
("Kappa" / "kappa", "Clap" / "clap", "chatGPT" / "chatgpt", "PepeLaugh" / "pepeLaugh") and
the ten-minute ones none; with bare numbers kept, the first log fails at once.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from twitchtopics.describe import answer_tally, categorize_group, is_bare_number
from twitchtopics.describe.group import describe_groups
from twitchtopics.pipeline import normalized_texts
from twitchtopics.readers import read_log

pytestmark = pytest.mark.slow
SLICE_S = 600.0
GRAINS_S = (60.0, 600.0)


def _sliced(path_or_log, slice_s: float = SLICE_S):
    """The log's messages as a bundle table whose groups are `slice_s` slices of its chat."""
    log = read_log(path_or_log) if isinstance(path_or_log, Path) else path_or_log
    messages = log.messages.copy()
    known = frozenset(log.info.emotes)
    chat = messages["kind"].isin(["chat", "action"]).to_numpy()
    topic = (messages["offset_s"].to_numpy() // slice_s).astype(int)
    messages["topic"] = np.where(chat, topic, -1)
    messages["clean"] = normalized_texts(messages["text"], known)
    messages["silhouette"] = np.nan
    messages["centrality"] = np.nan
    return messages, known


def test_no_case_duplicate_or_bare_number_keyword_on_the_real_logs(shared_chatlogs) -> None:
    logs = sorted(p for p in shared_chatlogs.iterdir() if not p.name.startswith("LICENSE"))
    assert len(logs) >= 10
    checked = 0
    for path in logs:
        log = read_log(path)  # once for both grains
        for grain in GRAINS_S:
            messages, known = _sliced(log, grain)
            for topic in describe_groups(messages, known, 10):
                words = [w for w, _ in topic["keywords"]]
                where = (path.name, grain, words)
                assert len({w.casefold() for w in words}) == len(words), where
                if not topic["answers"]:
                    assert not any(is_bare_number(w) for w in words), where
                assert topic["label"] and len(topic["representatives"]) <= 5
                checked += 1
    assert checked > 1000


def test_a_real_vote_is_tallied(shared_chatlogs) -> None:
    # AdmiralBulldog's chat rates something from 1 to 10 at 1:10-1:14 into the stream
    messages, known = _sliced(shared_chatlogs / "en_raw_irc_admiralbulldog.log")
    window = messages[(messages["offset_s"] >= 4200) & (messages["offset_s"] < 4440)]
    answers = answer_tally(window["text"].tolist(), known_emotes=known)
    ratings = [(answer, n) for answer, n in answers if str(answer).isdigit()]
    assert [a for a, _ in ratings[:2]] == ["8", "9"], answers[:8]
    assert len(ratings) >= 5 and all(n >= 20 for _, n in ratings[:5])  # a 1-10 rating
    counts = [n for _, n in answers]
    assert counts == sorted(counts, reverse=True)  # most frequent first
    short = window[window["text"].str.strip().str.fullmatch(r"\d{1,2}")]
    assert categorize_group(short["text"].tolist(), known_emotes=known) == "votes"
