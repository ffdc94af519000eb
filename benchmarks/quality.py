"""Topic quality against hand labels: twitchtopics vs vanilla BERTopic vs the seed's recipe.

For each gold window in ../shared/data/gold/, cluster the WHOLE log with each pipeline (in
this process, on the same MiniLM embeddings) and score the window's labelled messages:
ARI, NMI, B-cubed P/R/F1 (outliers as singletons), coverage, number of groups, the grain
(groups holding 3+ of the window's labelled messages / gold labels with 3+ messages),
seconds, plus NPMI coherence of the top-10 keywords (on the log itself) and topic diversity.
Every log format is read (IRC and Chatty logs: gold line numbers are matched to messages).

    python benchmarks/quality.py                 # all gold windows, all pipelines
    python benchmarks/quality.py --only twitchtopics --model static

Messages that twitchtopics does not cluster because of their kind (commands, bots, system
notices) are scored as one group per kind: the tool tells the user what they are.
Skips cleanly (exit 0) when ../shared is absent.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
GOLD = SHARED / "gold"
CHATLOGS = SHARED / "chatlogs"
TOKEN = re.compile(r"[\w+']+")
LOG_SUFFIXES = {".txt", ".log", ".json", ".csv", ".tcd", ".gz"}
MATCH_LOOKAHEAD = 5000
"""Lines searched ahead of the previous match for a message's own line (IRC and Chatty logs
interleave server lines, joins and notices with the messages)."""
GRAIN_MIN = 3
"""The grain column counts groups (and gold labels) with at least this many messages in the
window: smaller ones are noise a reader does not see as a topic (issue 11)."""


@dataclass
class Run:
    """One pipeline's labels for every message of the log, its keywords and its time."""

    name: str
    labels: np.ndarray
    keywords: list[list[str]]
    seconds: float


def gold_windows() -> list[tuple[Path, Path]]:
    """(log, gold csv) pairs found in ../shared/data/gold."""
    pairs = []
    for gold in sorted(GOLD.glob("*.gold.csv")):
        stem = gold.name.removesuffix(".gold.csv")
        logs = sorted(p for p in CHATLOGS.glob(stem + ".*") if p.suffix in LOG_SUFFIXES)
        if logs:
            pairs.append((logs[0], gold))
    return pairs


def read_gold(path: Path) -> dict[int, str]:
    """1-based line number -> label."""
    with open(path, encoding="utf-8") as handle:
        return {int(row["line"]): row["label"] for row in csv.DictReader(handle)}


def line_numbers(log_path: Path, messages) -> np.ndarray:
    """1-based line of each message (rows in `index` order).

    One message per non-empty line (TwitchDownloader text): the n-th such line. Otherwise
    (IRC, Chatty: server lines, joins and notices between messages) each message is matched to
    the next line, after the previous message's, that holds its user and the start of its text.
    """
    lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    nonempty = [i + 1 for i, line in enumerate(lines) if line.strip()]
    if len(nonempty) == len(messages):
        return np.asarray(nonempty)
    lowered = [line.lower() for line in lines]
    out = np.zeros(len(messages), dtype=np.int64)
    pos = 0
    for i, (user, text) in enumerate(zip(messages["user"], messages["text"], strict=True)):
        probe_text, probe_user = str(text).strip().lower()[:40], str(user).lower()
        for j in range(pos, min(len(lines), pos + MATCH_LOOKAHEAD)):
            if probe_text in lowered[j] and probe_user in lowered[j]:
                out[i], pos = j + 1, j + 1
                break
    return out


def labelled_window(log_path: Path, gold_path: Path):
    """The log's messages (rows in `index` order), the rows of the window's labelled messages
    and their labels (`none` rows left out). Exits with one line when a gold line matches no
    message."""
    from twitchtopics.readers import read_log

    gold = read_gold(gold_path)
    messages = read_log(log_path).messages.sort_values("index").reset_index(drop=True)
    lines = line_numbers(log_path, messages)
    line_to_idx = {int(line): i for i, line in enumerate(lines) if line > 0}
    missing = [line for line in gold if line not in line_to_idx]
    if missing:
        raise SystemExit(f"{gold_path.name}: no message found at lines {missing[:5]}")
    keep = [(line_to_idx[line], label) for line, label in sorted(gold.items()) if label != "none"]
    return messages, np.array([i for i, _ in keep]), [label for _, label in keep]


def vanilla_bertopic(texts: list[str], embeddings: np.ndarray, seed: int) -> Run:
    """BERTopic's defaults (UMAP 5-d, HDBSCAN min cluster size 10, no time) on raw texts."""
    from bertopic import BERTopic
    from hdbscan import HDBSCAN
    from umap import UMAP

    began = time.perf_counter()
    umap_model = UMAP(
        n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed
    )
    hdbscan_model = HDBSCAN(
        min_cluster_size=10,
        metric="euclidean",
        cluster_selection_method="eom",
        prediction_data=True,
    )
    model = BERTopic(umap_model=umap_model, hdbscan_model=hdbscan_model)
    labels, _ = model.fit_transform(texts, embeddings)
    keywords = [[w for w, _ in model.get_topic(t)] for t in sorted(set(labels)) if t >= 0]
    return Run("vanilla BERTopic", np.asarray(labels), keywords, time.perf_counter() - began)


def seed_recipe(texts: list[str], embeddings: np.ndarray, offsets: np.ndarray, seed: int) -> Run:
    """The seed: UMAP 10-d nn=100 min_dist=0.99 cosine, + seconds/600, HDBSCAN 5/1/eps 0.5."""
    from bertopic import BERTopic
    from bertopic.cluster import BaseCluster
    from bertopic.dimensionality import BaseDimensionalityReduction
    from hdbscan import HDBSCAN
    from umap import UMAP

    began = time.perf_counter()
    reduced = UMAP(
        n_neighbors=100, n_components=10, min_dist=0.99, metric="cosine", random_state=seed
    ).fit_transform(embeddings)
    features = np.hstack([reduced, (offsets / 600.0).reshape(-1, 1)])
    labels = HDBSCAN(min_cluster_size=5, min_samples=1, cluster_selection_epsilon=0.5).fit_predict(
        features
    )
    model = BERTopic(umap_model=BaseDimensionalityReduction(), hdbscan_model=BaseCluster())
    model.fit_transform(texts, np.zeros((len(texts), 1)), y=labels)
    keywords = [[w for w, _ in model.get_topic(t)] for t in sorted(set(labels)) if t >= 0]
    return Run("seed recipe", np.asarray(labels), keywords, time.perf_counter() - began)


def twitchtopics_run(log_path: Path, model: str | None, seed: int) -> tuple[Run, object]:
    """twitchtopics with its defaults, through the CLI's code path (without writing a bundle)."""
    from twitchtopics.runs import ClusterOptions, cluster_log

    began = time.perf_counter()
    result = cluster_log(log_path, ClusterOptions(model=model, seed=seed), save=False)
    seconds = time.perf_counter() - began
    labels = labels_with_kinds(result.messages, "topic")
    keywords = [[w for w, _ in t["keywords"]] for t in result.topics]
    return Run("twitchtopics", labels, keywords, seconds), result


def labels_with_kinds(messages, column: str) -> np.ndarray:
    """`column` (topic or theme) per message in `index` order, with the non-clustered kinds
    (commands, bots, system notices) as one group per kind after the real groups."""
    messages = messages.sort_values("index")
    labels = messages[column].to_numpy().copy()
    base = labels.max() + 1 if len(labels) else 0
    kinds = messages["kind"].to_numpy()
    for offset, kind in enumerate(("command", "bot", "system")):
        labels[(labels < 0) & (kinds == kind)] = base + offset
    return labels


def score(run: Run, gold_idx: np.ndarray, gold_labels: list[str], docs: list[set[str]]) -> dict:
    from twitchtopics.clustering.metrics import npmi_coherence, score_against_gold, topic_diversity

    scores = score_against_gold(gold_labels, run.labels[gold_idx])
    scores["groups"] = int(len(set(run.labels[run.labels >= 0])))
    scores["grain"] = groups_of_at_least(run.labels[gold_idx], GRAIN_MIN)
    scores["seconds"] = run.seconds
    scores["npmi"] = npmi_coherence(run.keywords, docs)
    scores["diversity"] = topic_diversity(run.keywords)
    return scores


def groups_of_at_least(labels: np.ndarray, size: int) -> int:
    """Groups (outliers excluded) holding at least `size` of the given messages."""
    labels = np.asarray(labels)
    _, counts = np.unique(labels[labels >= 0], return_counts=True)
    return int((counts >= size).sum())


def doc_tokens(text: str) -> set[str]:
    return set(TOKEN.findall(text.lower())) | set(TOKEN.findall(text))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["vanilla", "seed", "twitchtopics"], action="append")
    parser.add_argument(
        "--model",
        default=None,
        help="embedding model for twitchtopics (default: its default model)",
    )
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    pairs = gold_windows() if GOLD.is_dir() else []
    if not pairs:
        print("skipped: ../shared/data/gold not available")
        return 0
    from twitchtopics.embed.embedders import EmbeddingCache, embed_texts, load_embedder

    wanted = set(args.only or ["vanilla", "seed", "twitchtopics"])
    if wanted & {"vanilla", "seed"}:
        from twitchtopics.errors import MissingExtraError
        from twitchtopics.extras import require

        try:
            require("bertopic", "the vanilla BERTopic and seed recipe pipelines")
        except MissingExtraError as exc:
            raise SystemExit(f"{exc} (or run with --only twitchtopics)") from None
    embedder = None
    header = f"{'log (window)':<28} {'pipeline':<18} {'ARI':>6} {'NMI':>6} {'B3 P':>6} {'B3 R':>6} {'B3 F1':>6} {'cover':>6} {'groups':>6} {'grain':>8} {'NPMI':>6} {'div':>5} {'sec':>6}"
    print(header)
    print("-" * len(header))
    for log_path, gold_path in pairs:
        messages, gold_idx, gold_labels = labelled_window(log_path, gold_path)
        texts = messages["text"].tolist()
        docs = [doc_tokens(t) for t in texts]
        offsets = messages["offset_s"].to_numpy(dtype=float)
        runs = []
        if wanted & {"vanilla", "seed"}:
            embedder = embedder or load_embedder("minilm")  # the anchors' usual model
            embeddings = embed_texts(texts, embedder, cache=EmbeddingCache())
            if "vanilla" in wanted:
                runs.append(vanilla_bertopic(texts, embeddings, args.seed))
            if "seed" in wanted:
                runs.append(seed_recipe(texts, embeddings, offsets, args.seed))
        if "twitchtopics" in wanted:
            runs.append(twitchtopics_run(log_path, args.model, args.seed)[0])
        window = f"{log_path.stem.split('_')[-1]}"
        start, end = offsets[gold_idx].min(), offsets[gold_idx].max()
        label = f"{window} ({int(start // 60)}-{int(end // 60)} min)"
        gold_grain = groups_of_at_least(np.unique(gold_labels, return_inverse=True)[1], GRAIN_MIN)
        for run in runs:
            s = score(run, gold_idx, gold_labels, docs)
            print(
                f"{label:<28} {run.name:<18} {s['ari']:6.3f} {s['nmi']:6.3f} {s['bcubed_p']:6.3f} {s['bcubed_r']:6.3f} "
                f"{s['bcubed_f1']:6.3f} {s['coverage']:6.2f} {s['groups']:6d} {s['grain']:>3d}/{gold_grain:<4d} {s['npmi']:6.3f} {s['diversity']:5.2f} {s['seconds']:6.1f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
