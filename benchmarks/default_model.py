"""Which embedder should be the default? B³ F1 on every dev window, several seeds (issue 17).

Issue 17's rule: the default is the fastest model whose B³ F1 on every dev window is within
0.02 of the best model's there. One seed is not enough to tell: on the same code and model,
B³ F1 moves by up to 0.033 on a window from one `--seed` to another (MiniLM on hsdogdog3,
3 December), so each model is scored by its mean over several seeds.

    python benchmarks/default_model.py                       # static, minilm; seeds 0 1 2 7 42
    python benchmarks/default_model.py --models static minilm --seeds 0 1 2

Give the models fastest first (`static` embeds about 100x faster than `minilm`, see README
"Speed"): the first one within `--margin` of the best on every window is the answer. Each run
is twitchtopics on the whole log through the CLI's code path, scored as `quality.py` scores it.
Skips cleanly (exit 0) when ../shared is absent.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import quality  # noqa: E402

MARGIN = 0.02
"""Issue 17: "within noise (±0.02 B³ F1) of the best"."""


def gold_ready(log_path: Path, gold_path: Path) -> tuple[np.ndarray, list[str], list[set[str]]]:
    """The window's labelled messages (rows in `index` order), their labels, and the log's
    token sets for NPMI, as `quality.py` builds them."""
    from twitchtopics.readers import read_log

    gold = quality.read_gold(gold_path)
    messages = read_log(log_path).messages.sort_values("index").reset_index(drop=True)
    lines = quality.line_numbers(log_path, messages)
    line_to_idx = {int(line): i for i, line in enumerate(lines) if line > 0}
    missing = [line for line in gold if line not in line_to_idx]
    if missing:
        raise SystemExit(f"{gold_path.name}: no message found at lines {missing[:5]}")
    keep = [(line_to_idx[line], label) for line, label in sorted(gold.items()) if label != "none"]
    docs = [quality.doc_tokens(t) for t in messages["text"].tolist()]
    return np.array([i for i, _ in keep]), [label for _, label in keep], docs


def theme_scores(result, gold_idx: np.ndarray, gold_labels: list[str]) -> dict:
    """The window scored at the theme level: each message's theme instead of its moment."""
    from twitchtopics.clustering.metrics import score_against_gold

    labels = quality.labels_with_kinds(result.messages, "theme")
    return score_against_gold(gold_labels, labels[gold_idx])


def window_name(log_path: Path) -> str:
    return log_path.stem.split("_")[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["static", "minilm"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 7, 42])
    parser.add_argument("--margin", type=float, default=MARGIN)
    args = parser.parse_args(argv)
    pairs = quality.gold_windows() if quality.GOLD.is_dir() else []
    if not pairs:
        print("skipped: ../shared/data/gold not available")
        return 0
    f1: dict[tuple[str, str], list[float]] = {}
    ari: dict[tuple[str, str], list[float]] = {}
    theme_f1: dict[tuple[str, str], list[float]] = {}
    precision: dict[tuple[str, str], list[float]] = {}
    recall: dict[tuple[str, str], list[float]] = {}
    for log_path, gold_path in pairs:
        gold_idx, gold_labels, docs = gold_ready(log_path, gold_path)
        window = window_name(log_path)
        for model in args.models:
            for seed in args.seeds:
                run, result = quality.twitchtopics_run(log_path, model, seed)
                scores = quality.score(run, gold_idx, gold_labels, docs)
                themes = theme_scores(result, gold_idx, gold_labels)
                f1.setdefault((model, window), []).append(scores["bcubed_f1"])
                ari.setdefault((model, window), []).append(scores["ari"])
                theme_f1.setdefault((model, window), []).append(themes["bcubed_f1"])
                precision.setdefault((model, window), []).append(scores["bcubed_p"])
                recall.setdefault((model, window), []).append(scores["bcubed_r"])
                print(
                    f"{window:<16} {model:<10} seed {seed:<4} B3 F1 {scores['bcubed_f1']:.3f}"
                    f"  ARI {scores['ari']:.3f}  themes: B3 F1 {themes['bcubed_f1']:.3f}"
                    f"  ARI {themes['ari']:.3f}  {run.seconds:6.1f} s",
                    flush=True,
                )
    windows = [window_name(log_path) for log_path, _ in pairs]
    print(f"\nmean over seeds {' '.join(map(str, args.seeds))}: B3 F1 (ARI); min-max B3 F1")
    print(f"{'model':<10} " + " ".join(f"{w:>26}" for w in windows))
    for model in args.models:
        cells = []
        for w in windows:
            values = f1[(model, w)]
            cells.append(
                f"{statistics.mean(values):.3f} ({statistics.mean(ari[(model, w)]):.3f}) "
                f"{min(values):.3f}-{max(values):.3f}"
            )
        print(f"{model:<10} " + " ".join(f"{c:>26}" for c in cells))
    print("mean B3 precision / recall (how mixed the groups are / how split):")
    for model in args.models:
        cells = [
            f"{statistics.mean(precision[(model, w)]):.3f} / "
            f"{statistics.mean(recall[(model, w)]):.3f}"
            for w in windows
        ]
        print(f"{model:<10} " + " ".join(f"{c:>26}" for c in cells))
    print("themes (the moments joined by `clustering.themes`), mean B3 F1:")
    for model in args.models:
        means = [statistics.mean(theme_f1[(model, w)]) for w in windows]
        print(f"{model:<10} " + " ".join(f"{m:>26.3f}" for m in means))
    best = {w: max(statistics.mean(f1[(m, w)]) for m in args.models) for w in windows}
    for model in args.models:
        gaps = {w: statistics.mean(f1[(model, w)]) - best[w] for w in windows}
        worst = min(gaps.values())
        verdict = "within" if worst >= -args.margin else "NOT within"
        print(
            f"{model}: {verdict} {args.margin} of the best on every window "
            f"(largest gap {max(0.0, -worst):.3f}, on {min(gaps, key=gaps.get)})"
        )
    chosen = next(
        (
            m
            for m in args.models
            if all(statistics.mean(f1[(m, w)]) >= best[w] - args.margin for w in windows)
        ),
        None,
    )
    print(f"default by issue 17's rule (models given fastest first): {chosen}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
