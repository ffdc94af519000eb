"""Scores of a clustering against hand labels, and of keywords against the log.

Conventions of the gold labels (../shared/data/gold/README.md): outliers (-1) count as
singletons, `none` rows are left out, coverage is the share of labelled messages not left
as outliers.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np


def outliers_as_singletons(labels: Sequence[int]) -> np.ndarray:
    """Each -1 becomes its own group, numbered after the real ones."""
    out = np.asarray(labels, dtype=np.int64).copy()
    mask = out < 0
    base = out.max() + 1 if (~mask).any() else 0
    out[mask] = base + np.arange(mask.sum())
    return out


def bcubed(truth: Sequence, predicted: Sequence[int]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 (Amigo et al. 2009), outliers as singletons."""
    truth_arr = np.asarray(truth)
    pred = outliers_as_singletons(predicted)
    n = len(pred)
    if n == 0:
        return 0.0, 0.0, 0.0
    pair = Counter(zip(truth_arr.tolist(), pred.tolist(), strict=True))
    truth_sizes = Counter(truth_arr.tolist())
    pred_sizes = Counter(pred.tolist())
    precision = sum(c * c / pred_sizes[p] for (_, p), c in pair.items()) / n
    recall = sum(c * c / truth_sizes[t] for (t, _), c in pair.items()) / n
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def coverage(predicted: Sequence[int]) -> float:
    """Share of messages placed in a group (not left as outliers)."""
    pred = np.asarray(predicted)
    return float((pred >= 0).mean()) if len(pred) else 0.0


def score_against_gold(truth: Sequence, predicted: Sequence[int]) -> dict[str, float]:
    """ARI, NMI, B-cubed P/R/F1 and coverage; outliers as singletons."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    singles = outliers_as_singletons(predicted)
    p, r, f = bcubed(truth, predicted)
    return {
        "ari": float(adjusted_rand_score(truth, singles)),
        "nmi": float(normalized_mutual_info_score(truth, singles)),
        "bcubed_p": p,
        "bcubed_r": r,
        "bcubed_f1": f,
        "coverage": coverage(predicted),
    }


def npmi_coherence(
    topics: Iterable[Sequence[str]], documents: Sequence[Iterable[str]], top_n: int = 10
) -> float:
    """Mean NPMI of keyword pairs, co-occurrence counted per document of the log itself.

    A pair never seen together scores -1; the mean is over all pairs of all topics.
    """
    doc_sets = [set(doc) for doc in documents]
    n_docs = len(doc_sets)
    if n_docs == 0:
        return float("nan")
    vocab = {w for topic in topics for w in list(topic)[:top_n]}
    postings: dict[str, set[int]] = {w: set() for w in vocab}
    for i, doc in enumerate(doc_sets):
        for w in doc & vocab:
            postings[w].add(i)
    scores = []
    for topic in topics:
        words = [w for w in list(topic)[:top_n] if postings.get(w)]
        for i, a in enumerate(words):
            for b in words[i + 1 :]:
                joint = len(postings[a] & postings[b]) / n_docs
                if joint == 0:
                    scores.append(-1.0)
                    continue
                pa, pb = len(postings[a]) / n_docs, len(postings[b]) / n_docs
                pmi = math.log(joint / (pa * pb))
                denom = -math.log(joint)
                scores.append(pmi / denom if denom > 0 else 1.0)
    return float(np.mean(scores)) if scores else float("nan")


def topic_diversity(
    topics: Sequence[Sequence[str]], top_groups: int = 25, top_n: int = 10
) -> float:
    """Share of unique words among the keywords of the first `top_groups` groups."""
    words = [w for topic in list(topics)[:top_groups] for w in list(topic)[:top_n]]
    return len(set(words)) / len(words) if words else float("nan")
