"""The linking check of benchmarks/season.py: is what spans two streams linked, and are unrelated
streams kept apart?

Split check: a real log is cut at the middle of its span into two "streams" (A, B), and the
whole log is clustered too. A group of the whole log (a *theme*, `topics.json`'s themes, or a
*topic*) with at least `MIN_SIDE` messages on each side of the cut *spans the cut*; its A
messages mostly fall in one theme of stream A, its B messages in one theme of B. Recall = the
share of spanning groups whose A and B themes end up in the same season theme (reactions and
discussion counted apart). Precision: of the season themes holding themes of both halves, how
many hold, on each side, a theme whose messages are mostly of one same theme of the whole log.

Unrelated check: the eight distinct real logs (five English, three French channels) clustered
once, then every pair of streams of different channels linked as a two-stream season (27
pairs, the client's linking step on the workers' summaries, as `season` runs it): the season
themes that join the two streams, by kind, for streams of other languages and of the same one.
Reactions may rightly join (the same emotes, "LUL", "+1" in both chats); discussion should not.
"""

from __future__ import annotations

import itertools
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np

CHATLOGS = Path(__file__).resolve().parents[2] / "shared" / "data" / "chatlogs"
SPLIT_LOGS = (
    "fr_twitchdownloader_relative_1699408450.txt",
    "fr_twitchdownloader_relative_chat.txt",
    "en_chatty_hsdogdog3.log",
    "en_raw_irc_admiralbulldog.log",
)
DISTINCT = (
    "en_chatty_hsdogdog3.log",
    "en_raw_irc_admiralbulldog.log",
    "en_tcd_irc_0511875486.tcd",
    "en_twitch_api_v5_1087079172.json",
    "en_twitch_archiver_gql_2040989125.json.gz",
    "fr_csv_samueletienne.csv",
    "fr_twitchdownloader_relative_1699408450.txt",
    "fr_twitchdownloader_relative_chat.txt",
)
SAME_CHANNEL = {frozenset(DISTINCT[-2:])}
"""Two episodes of one channel's show: linking them is right, so they are no unrelated pair."""
MIN_SIDE = 5
REACTIONS = {"laughter", "emotes", "reactions", "spam", "greetings", "votes", "commands"}


def chat_rows(name: str):
    from twitchtopics.readers import read_log

    chat = read_log(CHATLOGS / name).messages
    chat = chat[chat["kind"].isin(["chat", "action"])]
    return list(zip(chat["offset_s"].astype(float), chat["user"], chat["text"], strict=True))


def theme_of_topic(season: dict) -> dict[tuple[int, int], int]:
    """(stream index, topic id) -> season theme id."""
    return {
        (e["stream"], t): theme["id"]
        for theme in season["themes"]
        for e in theme["streams"]
        for t in e["topics"]
    }


def _groups(bundle) -> tuple[np.ndarray, np.ndarray, dict[int, str | None]]:
    """Per message: its topic and its theme (-1 outside any); each theme's main category."""
    topic = bundle.messages["topic"].to_numpy()
    of_topic = {int(t["id"]): int(t["id"]) + 1_000_000 for t in bundle.topics}  # own theme
    category = {int(t["id"]): t.get("category") for t in bundle.topics}
    theme_category: dict[int, str | None] = {}
    for theme in bundle.themes or []:
        for t in theme.get("topics") or []:
            of_topic[int(t)] = int(theme["id"])
    for t, th in of_topic.items():
        theme_category.setdefault(th, category.get(t))
    theme = np.array([of_topic.get(int(t), -1) if t >= 0 else -1 for t in topic])
    return topic, theme, theme_category


def _majority(values: np.ndarray) -> int:
    values = values[values >= 0]
    return Counter(values.tolist()).most_common(1)[0][0] if len(values) else -1


def split_run(name: str, model: str, work: Path) -> dict:
    """Cut the log, cluster the whole log and the two halves (a season of two streams)."""
    import pandas as pd

    from benchmarks.season import write_csv
    from twitchtopics.bundle import load_bundle
    from twitchtopics.runs import ClusterOptions, cluster_log
    from twitchtopics.season import run_season

    rows = chat_rows(name)
    base = pd.Timestamp("2024-01-01 18:00:00", tz="UTC")
    cut_s = (rows[0][0] + rows[-1][0]) / 2
    cut = next(i for i, r in enumerate(rows) if r[0] >= cut_s)
    folder = work / name.split(".")[0]
    whole = write_csv(folder / "whole.csv", rows, base)
    a = write_csv(folder / "a.csv", rows[:cut], base)
    b = write_csv(
        folder / "b.csv",
        [(o - cut_s, u, t) for o, u, t in rows[cut:]],
        base + pd.Timedelta(seconds=cut_s),
    )
    options = ClusterOptions(model=model)
    cluster_log(whole, options, out=folder / "whole.twitchtopics")
    run = run_season([a, b], folder / "season", options, jobs=2, quiet=True)
    return {
        "records": run.records,
        "cut": cut,
        "whole": _groups(load_bundle(folder / "whole.twitchtopics")),
        "halves": [_groups(load_bundle(folder / "season" / f"{s}.twitchtopics")) for s in "ab"],
    }


def split_check(split: dict) -> Counter:
    """Recall and precision of linking the two halves (`split_run`) with the current rules."""
    from twitchtopics.season.build import build_season

    season = build_season(split["records"])
    index = {s["bundle"]: i for i, s in enumerate(season["streams"])}
    sides = [index["a.twitchtopics"], index["b.twitchtopics"]]
    w_topic, w_theme, w_category = split["whole"]
    halves, cut = split["halves"], split["cut"]
    ranges = [slice(0, cut), slice(cut, len(w_topic))]
    season_of = theme_of_topic(season)

    def season_theme(side: int, stream_theme: int) -> int | None:
        topic = halves[side][0][halves[side][1] == stream_theme]
        return season_of.get((sides[side], int(topic[0]))) if len(topic) else None

    found: Counter = Counter()
    for level, whole_of in (("themes", w_theme), ("topics", w_topic)):
        for group in sorted(set(whole_of[whole_of >= 0].tolist())):
            parts = [halves[s][1][whole_of[ranges[s]] == group] for s in (0, 1)]
            if min(len(p) for p in parts) < MIN_SIDE:
                continue
            a_theme, b_theme = (_majority(p) for p in parts)
            topic_category = w_category.get(int(w_theme[whole_of == group][0]))
            kind = "reactions" if topic_category in REACTIONS else "discussion"
            found[level, kind, "spanning"] += 1
            found[level, kind, "linked"] += int(
                a_theme >= 0
                and b_theme >= 0
                and season_theme(0, a_theme) == season_theme(1, b_theme)
            )
    # precision: season themes holding themes of both halves
    majority = [
        {
            int(t): _majority(w_theme[ranges[s]][halves[s][1] == t])
            for t in set(halves[s][1][halves[s][1] >= 0].tolist())
        }
        for s in (0, 1)
    ]
    for theme in season["themes"]:
        by_side = {e["stream"]: e["topics"] for e in theme["streams"]}
        if not all(s in by_side for s in sides):
            continue
        wholes = []
        for s in (0, 1):
            topic, stream_theme, _ = halves[s]
            ids = {int(th) for th in stream_theme[np.isin(topic, by_side[sides[s]])] if th >= 0}
            wholes.append({majority[s][t] for t in ids} - {-1})
        kind = "reactions" if theme["category"] in REACTIONS else "discussion"
        found["both", kind] += 1
        found["both ok", kind] += int(bool(wholes[0] & wholes[1]))
    found["season themes"] = len(season["themes"])
    return found


def distinct_run(model: str, work: Path) -> dict:
    """The eight distinct logs clustered as one season: each stream's record by log name."""
    from twitchtopics.runs import ClusterOptions
    from twitchtopics.season import run_season

    logs = [str(CHATLOGS / name) for name in DISTINCT]
    run = run_season(logs, work / "distinct", ClusterOptions(model=model), jobs=2, quiet=True)
    return {Path(r["log"]).name: r for r in run.records if r.get("status") != "failed"}


def unrelated_check(record: dict) -> Counter:
    """Season themes joining two streams of different channels, over every such pair, with
    the current rules; and those of the eight as one season."""
    from twitchtopics.season.build import build_season

    joined: Counter = Counter()
    for a, b in itertools.combinations(DISTINCT, 2):
        if frozenset((a, b)) in SAME_CHANNEL or a not in record or b not in record:
            continue
        language = "same language" if a[:2] == b[:2] else "other language"
        joined[language, "pairs"] += 1
        for theme in build_season([record[a], record[b]])["themes"]:
            if theme["n_streams"] > 1:
                kind = "reactions" if theme["category"] in REACTIONS else "discussion"
                joined[language, kind] += 1
    eight = build_season(list(record.values()))["themes"]
    joined["eight", "themes"] = len(eight)
    for theme in eight:
        if theme["n_streams"] > 1:
            kind = "reactions" if theme["category"] in REACTIONS else "discussion"
            joined["eight", kind] += 1
    return joined


def quality(model: str, root: Path, thresholds: list[float] | None = None) -> None:
    """Print the checks; with `thresholds`, once per meaning threshold (the same bundles)."""
    from twitchtopics.season import linking

    print(f"\n== linking quality, --model {model}")
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        work = Path(tmp)
        splits = {name: split_run(name, model, work) for name in SPLIT_LOGS}
        distinct = distinct_run(model, work)
        default = linking.MEANING_THRESHOLD
        try:
            for threshold in thresholds or [default]:
                linking.MEANING_THRESHOLD = threshold
                print(
                    f"\n-- meaning threshold {threshold}"
                    + (" (default)" if threshold == default else "")
                )
                report(splits, distinct)
        finally:
            linking.MEANING_THRESHOLD = default


def report(splits: dict, distinct: dict) -> None:
    total: Counter = Counter()
    for name, split in splits.items():
        f = split_check(split)
        total.update(f)
        print(
            f"split {name}: linked across the cut: themes "
            + ", ".join(
                f"{k} {f['themes', k, 'linked']}/{f['themes', k, 'spanning']}"
                for k in ("discussion", "reactions")
            )
            + "; topics "
            + ", ".join(
                f"{k} {f['topics', k, 'linked']}/{f['topics', k, 'spanning']}"
                for k in ("discussion", "reactions")
            )
            + f"; {f['season themes']} season themes, of those in both halves right: "
            + ", ".join(
                f"{k} {f['both ok', k]}/{f['both', k]}" for k in ("discussion", "reactions")
            ),
            flush=True,
        )
    for level in ("themes", "topics"):
        print(
            f"recall, {level} spanning the cut: "
            + ", ".join(
                f"{k} {total[level, k, 'linked']}/{total[level, k, 'spanning']} = "
                f"{total[level, k, 'linked'] / max(total[level, k, 'spanning'], 1):.2f}"
                for k in ("discussion", "reactions")
            )
        )
    print(
        "season themes holding both halves that hold one theme of the whole log: "
        + ", ".join(
            f"{k} {total['both ok', k]}/{total['both', k]}" for k in ("discussion", "reactions")
        )
    )
    joined = unrelated_check(distinct)
    for language in ("other language", "same language"):
        print(
            f"unrelated streams ({joined[language, 'pairs']} pairs of different channels, "
            f"{language}): season themes joining the two: discussion "
            f"{joined[language, 'discussion']}, reactions {joined[language, 'reactions']}",
            flush=True,
        )
    print(
        f"the eight distinct logs as one season: {joined['eight', 'themes']} season themes, "
        f"in more than one stream: discussion {joined['eight', 'discussion']}, reactions "
        f"{joined['eight', 'reactions']}"
    )
