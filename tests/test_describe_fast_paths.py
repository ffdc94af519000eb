"""The describe step's fast paths give what the plain pandas / per-call code gave.

`describe_groups` slices one set of columns per group instead of a DataFrame per group, and
`topic_keywords` remembers tokens and its last token table: each test computes the same thing
the plain way and compares.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from twitchtopics.describe.group import describe_groups, group_positions
from twitchtopics.describe.keywords import topic_keywords


def _table(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 400
    words = ["boss", "musique", "KEKW", "ponceJAM", "le", "jeu", "B", "C", "bob", "génial"]
    texts = [" ".join(rng.choice(words, size=rng.integers(1, 5))) for _ in range(n)]
    times = pd.Series(pd.date_range("2024-05-17 19:00", periods=n, freq="7s", tz="UTC"))
    times[rng.random(n) < 0.1] = pd.NaT
    silhouette = rng.random(n)
    silhouette[rng.random(n) < 0.2] = np.nan
    return pd.DataFrame(
        {
            "time": times,
            "offset_s": np.arange(n) * 7.0,
            "user": [["bob", "ann", "", "zed", "lea"][i % 5] for i in range(n)],
            "text": texts,
            "kind": ["chat"] * (n - 5) + ["system"] * 5,
            "clean": texts,
            "topic": rng.integers(-1, 12, size=n),
            "silhouette": silhouette,
            "centrality": rng.random(n),
        }
    )


def test_group_positions_are_pandas_groups() -> None:
    labels = np.random.default_rng(0).integers(-1, 30, size=1000)
    expected = [
        (int(k), np.asarray(v)) for k, v in pd.Series(labels).groupby(labels).indices.items()
    ]
    got = group_positions(labels)
    assert [k for k, _ in got] == [k for k, _ in expected]
    for (_, a), (_, b) in zip(got, expected, strict=True):
        assert a.tolist() == sorted(b.tolist())
    assert group_positions(np.zeros(0, dtype=np.int64)) == []


def test_group_fields_are_the_per_group_pandas_values() -> None:
    messages = _table()
    topics = describe_groups(messages, frozenset({"KEKW"}), 5)
    clustered = messages[messages["topic"] >= 0]
    assert [t["id"] for t in topics] == sorted(clustered["topic"].unique().tolist())
    for topic in topics:
        group = clustered[clustered["topic"] == topic["id"]]
        silhouette = group["silhouette"].dropna()
        first = group["time"].min()
        assert topic["size"] == len(group)
        assert topic["silhouette"] == (
            round(float(silhouette.mean()), 4) if len(silhouette) else None
        )
        assert topic["first_time"] == (None if pd.isna(first) else first.isoformat())
        assert topic["last_offset_s"] == float(group["offset_s"].max())
        assert topic["users"] == int(group["user"][group["user"] != ""].nunique())


def test_keywords_are_the_same_whatever_the_caches_hold() -> None:
    messages = _table(5)
    args = (messages["clean"].tolist(), messages["topic"].to_numpy())
    users = messages["user"].tolist()
    frozen = topic_keywords(*args, known_emotes=frozenset({"KEKW"}), users=users)
    again = topic_keywords(*args, known_emotes=frozenset({"KEKW"}), users=users)
    plain = topic_keywords(*args, known_emotes={"KEKW"}, users=users)  # a set: nothing cached
    assert frozen == again == plain
    other = topic_keywords(*args, known_emotes=frozenset(), users=users)
    assert other == topic_keywords(*args, known_emotes=set(), users=users)


def test_ranked_row_limit_is_the_full_rankings_prefix() -> None:
    """Sorting only the words at or above the limit-th score keeps every tie with the last."""
    from scipy import sparse

    from twitchtopics.describe.keywords import _ranked_row

    rng = np.random.default_rng(7)
    words = [f"w{i:03d}" for i in range(300)]
    for trial in range(20):
        dense = rng.integers(0, 6, size=(3, len(words))).astype(float) / 4  # many equal scores
        dense[rng.random(dense.shape) < 0.3] = 0.0
        scores = sparse.csr_matrix(dense)
        for row in range(3):
            full = _ranked_row(scores, row, words)
            for limit in (1, 5, 37, 100, 299, 400):
                assert _ranked_row(scores, row, words, limit=limit) == full[:limit], trial


def test_row_values_are_the_rows_stored_values() -> None:
    from scipy import sparse

    from twitchtopics.describe.keywords import _row_values

    rng = np.random.default_rng(11)
    matrix = sparse.random(5, 50, density=0.2, format="csr", random_state=3)
    matrix.data = rng.integers(1, 9, size=matrix.nnz).astype(np.int64)
    matrix.sort_indices()
    dense = matrix.toarray()
    for row in range(5):
        columns = rng.integers(0, 50, size=30).tolist()
        assert _row_values(matrix, row, columns) == [dense[row, c] for c in columns]
    empty = sparse.csr_matrix((2, 4), dtype=np.int64)
    assert _row_values(empty, 1, [0, 3]) == [0, 0]


def _best_phrase_per_message(texts, weights, users, known, must):
    """The label rule counted message by message (before phrases were counted per text)."""
    import math
    from collections import Counter, defaultdict

    from twitchtopics.chat.reaction_tokens import is_laughter_token
    from twitchtopics.describe.labels import (
        MIN_WRITERS,
        _candidates,
        _cut,
        _is_content,
        _join,
        _tokens,
    )

    writers, spellings = defaultdict(set), Counter()
    for i, text in enumerate(texts):
        for gram in sorted(_candidates(_tokens(text, known))):
            key = tuple(t.casefold() for t in gram)
            content = [t for t in key if _is_content(t)]
            if len(set(content)) == len(content) and any(t in must for t in key):
                writers[key].add(users[i] if users[i] else i)
                spellings[(key, gram)] += 1
    need = min(MIN_WRITERS, max(1, len(texts)))
    best = None
    for key, who in writers.items():
        if all(is_laughter_token(t) for t in key):
            continue
        shared = len(who) >= need
        distinct = sorted(set(key))
        if not shared and sum(1 for t in distinct if t in weights) < 2:
            continue
        rank = (int(shared), sum(weights.get(t, 0.0) for t in distinct) * math.sqrt(len(who)))
        rank = (*rank, len(key), key)
        if best is None or rank > best:
            best = rank
    if best is None:
        return None
    shown = max(((n, g) for (k, g), n in spellings.items() if k == best[3]), key=lambda x: x[0])
    return _cut(_join(shown[1]))


def test_best_phrase_counts_each_text_once_as_it_counted_each_message() -> None:
    from twitchtopics.describe.labels import best_phrase

    rng = np.random.default_rng(5)
    vocabulary = ["no", "balls", "Balls", "yogg", "YOGG", "KEKW", "le", "boss", "@bob", "!", "de"]
    for trial in range(60):
        pool = [" ".join(rng.choice(vocabulary, size=rng.integers(1, 7))) for _ in range(6)]
        texts = [str(rng.choice(pool)) for _ in range(int(rng.integers(1, 25)))]
        users = [str(rng.choice(["ann", "bob", "", "zed"])) for _ in texts]
        weights = {"balls": 0.5, "yogg": 0.4, "boss": 0.3, "kekw": 0.2}
        must = set(list(weights)[: int(rng.integers(1, 5))])
        for known in (frozenset({"KEKW"}), {"KEKW"}):
            expected = _best_phrase_per_message(texts, weights, users, known, must)
            got = best_phrase(texts, weights, users=users, known_emotes=known, must=must)
            assert got == expected, (trial, texts)


def test_moderation_offsets_are_the_system_notices() -> None:
    from twitchtopics.describe.tallies import is_moderation, moderation_offsets

    texts = ["bob has been banned", "bob has been banned", "hi", "x was timed out for 600s"]
    kinds = ["chat", "system", "system", "system"]
    offsets = np.array([4.0, 3.0, 2.0, 1.0])
    notices = zip(texts, kinds, offsets, strict=True)
    expected = sorted(o for t, k, o in notices if is_moderation(t, k))
    assert moderation_offsets(texts, kinds, offsets).tolist() == expected
    assert moderation_offsets([], [], np.zeros(0)).tolist() == []


def test_copypasta_waves_ignore_short_texts_between_long_ones() -> None:
    """Short texts never join a wave: the waves of a mix are those of its long texts."""
    from twitchtopics.chat.copypasta import copypasta_waves

    paste = "this is a long paste that chat copies again and again"
    long_texts = [paste, f"@x {paste}", paste + " !", paste]
    mixed = ["KEKW", long_texts[0], "lol", long_texts[1], long_texts[2], "hi", long_texts[3]]
    times = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    users = ["a", "b", "c", "d", "e", "f", "g"]
    waves = copypasta_waves(mixed, times, users)
    alone = copypasta_waves(long_texts, [1.0, 3.0, 4.0, 6.0], ["b", "d", "e", "g"])
    assert waves[[1, 3, 4, 6]].tolist() == alone.tolist() == [0, 0, 0, 0]
    assert waves[[0, 2, 5]].tolist() == [-1, -1, -1]
    assert (copypasta_waves(mixed[:4], times[:4], users[:4]) == -1).all()  # two long texts


def test_categories_are_the_same_with_a_shared_memo() -> None:
    from twitchtopics.describe.categories import categorize_group

    groups = [
        ["KEKW", "KEKW LUL", "", "   "],
        ["+1", "+1", "-1", "+1"],
        ["quel banger", "trop bien la musique", "le boss est dur"],
        ["", None, "\u200b"],
    ]
    memo: dict = {}
    for texts in groups * 2:
        alone = categorize_group(texts, known_emotes=frozenset({"KEKW", "LUL"}))
        shared = categorize_group(texts, known_emotes=frozenset({"KEKW", "LUL"}), memo=memo)
        assert shared == alone


def _typical_order_per_message(texts, centrality, keywords, k, known):
    """`typical_order` as it was: a loop over every message of the group."""
    import importlib
    import math

    r = importlib.import_module("twitchtopics.describe.representatives")  # not the function

    weights = {
        w.casefold(): 1.0 / (1 + rank) for rank, w in enumerate(keywords[: r.KEYWORDS_CONSIDERED])
    }
    total_weight = sum(weights.values()) or 1.0
    forms: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        form = r._form(text if isinstance(text, str) else "", known)
        if form:
            forms.setdefault(form, []).append(i)
    n = max(len(texts), 2)
    near = [r._finite(c) for c in centrality]
    scored = []
    for members in forms.values():
        best = members[0] if len(members) == 1 else max(members, key=lambda i: (near[i], -i))
        words = r._text_words(texts[best], known)
        readable = r._text_readable(texts[best], known)
        coverage = sum(weights.get(w, 0.0) for w in words) / total_weight
        copies = math.log(len(members)) / math.log(n)
        score = near[best] + r.KEYWORD_WEIGHT * coverage + r.COPIES_WEIGHT * copies
        scored.append((0 if readable else 1, -score, best, words))
    return _pick_distinct(scored, k, r._overlap, r.NEAR_DUPLICATE)


def _pick_distinct(scored, k, overlap, near_duplicate):
    """The selection as it was, on every form's readability: readable first, best score
    first, skipping near duplicates of those already chosen."""
    scored.sort(key=lambda row: row[:3])
    chosen: list[int] = []
    chosen_words: list[frozenset[str]] = []
    for _, _, i, words in scored:
        if words and any(overlap(words, other) >= near_duplicate for other in chosen_words):
            continue
        chosen.append(i)
        chosen_words.append(words)
        if k is not None and len(chosen) >= k:
            break
    return chosen


def test_typical_texts_order_groups_as_the_per_message_loop() -> None:
    from twitchtopics.describe.representatives import TypicalTexts, typical_order

    rng = np.random.default_rng(11)
    words = ["le boss", "boss!!", "musique", "KEKW", "ponceJAM", "jeu génial", "B", "", "  ", "bob"]
    n = 3000
    texts = [" ".join(rng.choice(words, size=rng.integers(1, 4))) for _ in range(n)]
    texts[5] = float("nan")  # not a string: never shown
    texts[9] = None
    centrality = rng.choice([0.0, -0.0, 0.5, 0.25, 1.0, np.nan, np.inf], size=n)  # many ties
    groups = rng.integers(0, 150, size=n)
    for known in (frozenset({"ponceJAM"}), {"KEKW"}):
        table = TypicalTexts(texts, centrality, known_emotes=known)
        for g in range(150):
            rows = np.flatnonzero(groups == g)
            keywords = list(rng.choice(["boss", "musique", "jeu", "génial", "kekw"], size=3))
            for k in (1, 5, None):
                texts_g = [texts[i] for i in rows]
                expected = _typical_order_per_message(texts_g, centrality[rows], keywords, k, known)
                assert table.order(rows, keywords=keywords, k=k) == expected
                got = typical_order(
                    texts_g, centrality[rows], keywords=keywords, k=k, known_emotes=known
                )
                assert got == expected
        all_rows = [np.flatnonzero(groups == g) for g in range(-1, 151)]  # two empty groups
        all_keywords = [list(rng.choice(["boss", "jeu", "kekw"], size=2)) for _ in all_rows]
        for k in (2, None):
            expected = [
                _typical_order_per_message(
                    [texts[i] for i in rows], centrality[rows], keywords, k, known
                )
                for rows, keywords in zip(all_rows, all_keywords, strict=True)
            ]
            assert table.orders(all_rows, all_keywords, k=k) == expected
        assert table.orders([], [], k=3) == []
    as_objects = np.array([0.5, "0.25", None, 1], dtype=object)
    assert typical_order(["le boss"] * 2 + ["bob musique"] * 2, as_objects) == (
        _typical_order_per_message(
            ["le boss"] * 2 + ["bob musique"] * 2, as_objects, [], 5, frozenset()
        )
    )


def test_topic_keywords_of_wanted_topics_are_the_same() -> None:
    """`wanted` topics get the keywords they get among all; the others an empty list."""
    from twitchtopics.describe.keywords import topic_keywords

    docs = [
        "le boss est dur",
        "boss trop dur KEKW",
        "quel banger la musique",
        "la musique est folle",
        "musique banger",
        "gg le boss",
        "KEKW KEKW",
        "bonne musique",
    ]
    labels = [0, 0, 1, 1, 1, 0, 2, -1]
    users = ["a", "b", "c", "d", "e", "f", "g", "h"]
    known = frozenset({"KEKW"})
    full = topic_keywords(docs, labels, known_emotes=known, users=users, min_df=1)
    some = topic_keywords(docs, labels, known_emotes=known, users=users, min_df=1, wanted=[1])
    assert some[1] == full[1] and full[1]
    assert some[0] == some[2] == [] and set(some) == set(full)


def test_theme_tables_as_pandas_groupby() -> None:
    """Each theme's size, sorted topics and span, as a groupby per theme gave them."""
    import pandas as pd

    from twitchtopics.describe.themes import _theme_tables

    rng = np.random.default_rng(5)
    n = 400
    frame = pd.DataFrame(
        {
            "theme": rng.choice([0, 2, 3, 7], size=n),
            "topic": rng.integers(-1, 30, size=n),
            "time": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 9999, n), "s"),
            "offset_s": rng.choice([np.nan, 1.5, 20.0, 300.25], size=n),
        }
    )
    frame.loc[frame["theme"] == 3, "time"] = pd.NaT
    got = _theme_tables(frame)
    groups = list(frame.groupby("theme", sort=True))
    assert [t for t, *_ in got] == [int(t) for t, _ in groups]
    for (tid, size, topics, span), (_, group) in zip(got, groups, strict=True):
        assert size == len(group)
        assert topics == sorted(int(t) for t in group["topic"].unique())
        for key, column, reduce in (
            ("first_time", "time", "min"),
            ("last_time", "time", "max"),
            ("first_offset_s", "offset_s", "min"),
            ("last_offset_s", "offset_s", "max"),
        ):
            expected = getattr(group[column], reduce)()
            assert (pd.isna(expected) and pd.isna(span[key])) or span[key] == expected, tid
