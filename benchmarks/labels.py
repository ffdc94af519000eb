"""How readable are the group descriptions? Labels, keywords and categories on real logs.

For every log in ../shared/data/chatlogs (clustered now with --model, or re-described from
bundles made before with --bundles DIR: the same grouping, today's describe code), prints per
log: groups, the share of `discussion` groups, where labels come from (a phrase chatters
wrote, or a fallback: answers, keywords, a message), mean label length in words, the share
of labels that hold the group's best keyword, the share written word for word (case-folded)
by at least two chatters, and the share of emotes among the top-5 keywords with and without
the "emotes do not crowd out words" rule.

    python benchmarks/labels.py --bundles /tmp/bundles
    python benchmarks/labels.py --model static

Skips cleanly (exit 0) when ../shared is absent.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHATLOGS = REPO.parent / "shared" / "data" / "chatlogs"
sys.path.insert(0, str(REPO))  # measure this checkout's code, not another installed copy


def _described(log: Path, args: argparse.Namespace):
    from twitchtopics.bundle import load_bundle
    from twitchtopics.describe.group import describe_groups

    if args.bundles:
        path = Path(args.bundles) / f"{log.name.split('.')[0]}.twitchtopics"
        if not path.is_dir():
            return None
        bundle = load_bundle(path)
        known = frozenset(bundle.meta["stream"].get("emotes") or [])
        return bundle.messages, describe_groups(bundle.messages, known, 10), known
    from twitchtopics.runs import ClusterOptions, cluster_log

    result = cluster_log(log, ClusterOptions(model=args.model, seed=args.seed), save=False)
    return result.messages, result.topics, frozenset(result.meta["stream"].get("emotes") or [])


def _emote_share(topics, known, rule: bool) -> float:
    from twitchtopics.chat.emotes import is_emoji, is_emote
    from twitchtopics.describe.keywords import emotes_not_crowding

    shares = []
    for topic in topics:
        words = [(w, s) for w, s in topic["keywords"]]
        if not rule:  # the c-TF-IDF order, before the rule
            words = sorted(words, key=lambda ws: (-ws[1], ws[0]))
        else:
            words = emotes_not_crowding(sorted(words, key=lambda ws: (-ws[1], ws[0])), known)
        top = [w for w, _ in words[:5]]
        if top:
            shares.append(sum(is_emote(w, known) or is_emoji(w) for w in top) / len(top))
    return sum(shares) / max(1, len(shares))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="static")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--bundles", default=None)
    args = parser.parse_args(argv)
    if not CHATLOGS.is_dir():
        print("skipped: ../shared/data/chatlogs not available")
        return 0
    print(
        f"{'log':<44} {'groups':>6} {'discuss':>7} {'phrase':>6} {'words':>5} "
        f"{'has kw1':>7} {'verbatim':>8} {'emotes top5 before':>18} {'after':>5}"
    )
    for log in sorted(p for p in CHATLOGS.iterdir() if not p.name.startswith("LICENSE")):
        found = _described(log, args)
        if found is None:
            print(f"{log.name:<44} (no bundle)")
            continue
        messages, topics, known = found
        n = max(1, len(topics))
        texts = messages[messages["topic"] >= 0].groupby("topic")
        verbatim = 0
        for topic in topics:
            group = texts.get_group(topic["id"])
            said = group["text"].astype(str).str.strip().str.casefold()
            users = group.loc[said.str.contains(topic["label"].casefold(), regex=False), "user"]
            verbatim += users.nunique() >= 2
        phrase = sum(" / " not in t["label"] and not t["answers"] for t in topics)
        kw1 = sum(
            bool(t["keywords"]) and t["keywords"][0][0].casefold() in t["label"].casefold()
            for t in topics
        )
        words = sum(len(t["label"].split()) for t in topics) / n
        cats = Counter(t["category"] for t in topics)
        print(
            f"{log.name:<44} {len(topics):>6} {cats['discussion'] / n:>7.2f} {phrase / n:>6.2f} "
            f"{words:>5.1f} {kw1 / n:>7.2f} {verbatim / n:>8.2f} "
            f"{_emote_share(topics, known, False):>18.2f} {_emote_share(topics, known, True):>5.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
