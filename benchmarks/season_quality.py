"""The linking check of benchmarks/season.py: is a theme that spans two streams linked, and
are unrelated streams kept apart?

Split check: a real log is cut at the middle of its span into two "streams" (A, B). The
whole log is clustered too; a topic of the whole log with at least `MIN_SIDE` messages on
each side of the cut *spans the cut*. Its A messages mostly fall in one topic of stream A,
its B messages in one topic of B: recall = the share of spanning topics whose A and B
topics end up in the same season theme (reactions and discussion counted apart).

Unrelated check: two streams of different channels and languages in one season; the count of
season themes that contain both (and what they are).
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

CHATLOGS = Path(__file__).resolve().parents[2] / "shared" / "data" / "chatlogs"
SPLIT_LOGS = (
    "fr_twitchdownloader_relative_1699408450.txt",
    "fr_twitchdownloader_relative_chat.txt",
    "en_chatty_hsdogdog3.log",
    "en_raw_irc_admiralbulldog.log",
)
UNRELATED = (
    ("fr_twitchdownloader_relative_1699408450.txt", "en_chatty_hsdogdog3.log"),
    ("fr_twitchdownloader_relative_chat.txt", "en_raw_irc_admiralbulldog.log"),
    ("en_chatty_hsdogdog3.log", "en_raw_irc_admiralbulldog.log"),
)
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


def split_recall(name: str, model: str, work: Path) -> dict:
    import pandas as pd

    from benchmarks.season import write_csv
    from twitchtopics.bundle import load_bundle
    from twitchtopics.runs import ClusterOptions, cluster_log
    from twitchtopics.season import run_season

    rows = chat_rows(name)
    base = pd.Timestamp("2024-01-01 18:00:00", tz="UTC")
    cut_s = (rows[0][0] + rows[-1][0]) / 2
    cut = next(i for i, r in enumerate(rows) if r[0] >= cut_s)
    stem = name.split(".")[0]
    whole = write_csv(work / stem / "whole.csv", rows, base)
    a = write_csv(work / stem / "a.csv", rows[:cut], base)
    b = write_csv(
        work / stem / "b.csv",
        [(o - cut_s, u, t) for o, u, t in rows[cut:]],
        base + pd.Timedelta(seconds=cut_s),
    )
    options = ClusterOptions(model=model)
    full = cluster_log(whole, options, out=work / stem / "whole.twitchtopics").messages
    run = run_season([a, b], work / stem / "season", options, jobs=2, quiet=True)
    streams = {s["bundle"]: i for i, s in enumerate(run.season["streams"])}
    topic_a = load_bundle(work / stem / "season" / "a.twitchtopics").messages["topic"].to_numpy()
    topic_b = load_bundle(work / stem / "season" / "b.twitchtopics").messages["topic"].to_numpy()
    themes = theme_of_topic(run.season)
    categories = {}
    for t in load_bundle(work / stem / "whole.twitchtopics").topics:
        categories[t["id"]] = t.get("category")
    whole_topic = full["topic"].to_numpy()
    found = Counter()
    for topic in sorted(set(whole_topic[whole_topic >= 0].tolist())):
        idx = (whole_topic == topic).nonzero()[0]
        left, right = idx[idx < cut], idx[idx >= cut] - cut
        if len(left) < MIN_SIDE or len(right) < MIN_SIDE:
            continue
        ta = Counter(topic_a[left].tolist()).most_common(1)[0][0]
        tb = Counter(topic_b[right].tolist()).most_common(1)[0][0]
        linked = (
            ta >= 0
            and tb >= 0
            and themes.get((streams["a.twitchtopics"], ta))
            == themes.get((streams["b.twitchtopics"], tb))
        )
        kind = "reactions" if categories.get(topic) in REACTIONS else "discussion"
        found[(kind, "spanning")] += 1
        found[(kind, "linked")] += int(linked)
    cross = sum(1 for t in run.season["themes"] if t["n_streams"] > 1)
    return {"log": name, "found": found, "themes": len(run.season["themes"]), "cross": cross}


def unrelated(pair: tuple[str, str], model: str, work: Path) -> dict:
    from twitchtopics.pipeline import ClusterOptions
    from twitchtopics.season import run_season

    logs = [CHATLOGS / name for name in pair]
    run = run_season(
        logs,
        work / ("-".join(p.split(".")[0] for p in pair)),
        ClusterOptions(model=model),
        jobs=2,
        quiet=True,
    )
    joined = [t for t in run.season["themes"] if t["n_streams"] > 1]
    return {"pair": pair, "themes": len(run.season["themes"]), "joined": joined}


def quality(model: str, root: Path) -> None:
    print(f"\n== linking quality, --model {model}")
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        work = Path(tmp)
        total = Counter()
        for name in SPLIT_LOGS:
            r = split_recall(name, model, work)
            f = r["found"]
            total.update(f)
            print(
                f"split {name}: spanning topics linked: reactions {f['reactions', 'linked']}/"
                f"{f['reactions', 'spanning']}, discussion {f['discussion', 'linked']}/"
                f"{f['discussion', 'spanning']}; {r['themes']} season themes, {r['cross']} in both halves",
                flush=True,
            )
        for kind in ("reactions", "discussion"):
            n = total[kind, "spanning"]
            print(
                f"recall ({kind}): {total[kind, 'linked']}/{n} = {total[kind, 'linked'] / max(n, 1):.2f}"
            )
        for pair in UNRELATED:
            r = unrelated(pair, model, work)
            cats = Counter(t["category"] for t in r["joined"])
            print(
                f"unrelated {pair[0]} + {pair[1]}: {len(r['joined'])} of {r['themes']} season themes "
                f"join them ({dict(cats)}): " + "; ".join(t["label"][:30] for t in r["joined"][:6]),
                flush=True,
            )
