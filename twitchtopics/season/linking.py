"""Link the themes of a season's streams into season themes, from their summaries alone.

Two units (themes, or topics for bundles without themes) of the season are linked when

* **by meaning**: the cosine of their centroids, each minus its own stream's mean centroid,
  is at least `MEANING_THRESHOLD`, each is among the other's `NEIGHBOURS` nearest units, and
  the two groups they would join keep an average cosine of at least `GROUP_THRESHOLD`.
  Centring matters: raw MiniLM centroids of chat all look alike (cosines of 0.6-0.9 between
  unrelated groups), and a stream's own groups look even more alike (its language, channel
  words, emotes); mutual nearest neighbours and the average stop a generic unit or a chain
  of look-alikes from gathering everything;
* **by text** (reactions and copypastas, whose meaning is their words): both are in a
  textual category (`TEXTUAL_CATEGORIES`) and their most frequent texts overlap by at least
  `TEXT_THRESHOLD` (the sum over shared texts of the smaller share of each unit's top texts).

Season themes are the connected groups of linked units. Where the bundles have themes (one
per meaning within a stream, by the clusterer), two units of one stream are never linked
directly: the stream already decided they differ. Topic-level bundles link within a stream
too, so a joke that came back an hour later is one season theme.

Thresholds come from benchmarks/season_quality.py (four real logs each cut in two: the
whole log's themes spanning the cut must link; 27 pairs of streams of different channels must
not merge); see README "Seasons" for the counts.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

MEANING_THRESHOLD = 0.65
"""Centred cosine a meaning link needs. Measured with benchmarks/season_quality.py (split
logs, --model static): the units of a theme spanning the cut are mostly near-copies (54 of the
59 discussion pairs above 0.55 are above 0.65; those below 0.45, 26 of 93, are halves the
streams' clusterings cut differently, which no threshold links without merging unrelated
talk), while joins of unrelated channels crowd in 0.55-0.65: raising 0.55 to 0.65 cut the
discussion themes joining two unrelated streams from 23 to 10 (other language) and from 51 to
26 (same language) and lost 2 of 93 discussion and 2 of 77 reaction links."""
GROUP_THRESHOLD = 0.55
"""Average centred cosine two groups must keep to join (all pairs of their units, those of one
stream included: that is what stops one generic unit from gathering a stream's themes).
Counting only pairs of different streams linked 2 fewer discussion themes and merged more
unrelated ones on the same check."""
TEXT_THRESHOLD = 0.5
NEIGHBOURS = 10
MIN_UNITS_FOR_OWN_MEAN = 5
BLOCK_ROWS = 1024
"""Rows of the similarity matrix computed at once: 1024 x 30,000 float32 = 120 MB."""

TEXTUAL_CATEGORIES = frozenset(
    {"laughter", "emotes", "reactions", "spam", "greetings", "votes", "commands"}
)
KEYWORDS = 8


class UnionFind:
    """Connected groups of linked units."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def link_units(
    stream_of: np.ndarray,
    centroids: np.ndarray | None,
    texts: list[list[list[Any]]],
    categories: list[str | None],
    *,
    same_stream: bool,
) -> np.ndarray:
    """Season theme index of each unit (0-based, in order of each group's first unit).

    `stream_of[u]` is unit u's stream; `centroids` one row per unit (zero rows: no centroid);
    `texts[u]` its `[text, count]` pairs; `same_stream` allows links inside a stream.

    Text links join units outright. Meaning links are taken strongest first, and join two
    groups only when their *average* centred cosine (all pairs of their units, computed from
    the groups' summed vectors) still passes `GROUP_THRESHOLD`: average linkage restricted to
    the nearest-neighbour links, so that a chain of pairwise-similar units cannot glue
    unrelated subjects into one season theme."""
    n = len(stream_of)
    groups = UnionFind(n)
    for i, j in text_links(stream_of, texts, categories, same_stream=same_stream):
        groups.union(i, j)
    if centroids is not None and n > 1:
        x = centred(centroids, stream_of)
        sums = {i: x[i].astype(np.float64) for i in range(n)}
        sizes = {i: 1 for i in range(n)}
        for i in range(n):  # text-linked groups start with their summed vectors
            root = groups.find(i)
            if root != i:
                sums[root] = sums[root] + sums.pop(i)
                sizes[root] += sizes.pop(i)
        for _sim, i, j in meaning_links(stream_of, x, same_stream=same_stream):
            a, b = groups.find(i), groups.find(j)
            if a == b:
                continue
            average = float(sums[a] @ sums[b]) / (sizes[a] * sizes[b])
            if average < GROUP_THRESHOLD:
                continue
            groups.union(a, b)
            keep, gone = (a, b) if groups.find(a) == a else (b, a)
            sums[keep] = sums[keep] + sums.pop(gone)
            sizes[keep] += sizes.pop(gone)
    roots = [groups.find(i) for i in range(n)]
    index: dict[int, int] = {}
    return np.array([index.setdefault(r, len(index)) for r in roots], dtype=np.int64)


def centred(centroids: np.ndarray, stream_of: np.ndarray | None = None) -> np.ndarray:
    """Unit rows minus the mean row of their own stream (of the whole set without
    `stream_of`; a stream of fewer than `MIN_UNITS_FOR_OWN_MEAN` units, whose mean would be
    its groups themselves, uses the season's), renormalised; rows without a centroid stay 0.

    A stream's groups share its language, its channel's words and emotes: after removing
    only the season's mean, the 100 discussion groups of one real stream here were all each
    other's neighbours and linked into one theme of 68 % of its chat; removing each stream's
    own mean leaves what sets a group apart within its stream, which is what recurs."""
    x = np.asarray(centroids, dtype=np.float32).copy()
    present = np.linalg.norm(x, axis=1) > 0
    if not present.any():
        return x
    season_mean = x[present].mean(axis=0)
    groups = np.zeros(len(x), dtype=np.int64) if stream_of is None else np.asarray(stream_of)
    for stream in np.unique(groups[present]):
        rows = present & (groups == stream)
        own = rows.sum() >= MIN_UNITS_FOR_OWN_MEAN
        x[rows] -= x[rows].mean(axis=0) if own else season_mean
    x[~present] = 0.0
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms > 0, norms, 1.0)


def meaning_links(
    stream_of: np.ndarray, x: np.ndarray, *, same_stream: bool
) -> list[tuple[float, int, int]]:
    """(cosine, i, j) of mutual nearest units (i < j) whose centred cosine passes the
    threshold, strongest first; `x` = `centred(centroids)`.

    Blocked exact search with torch's `topk` (numpy's argpartition took 9 of the 15 s of
    linking 9,200 units here; topk a fraction of a second)."""
    import torch

    n = len(x)
    if n < 2:
        return []
    k = min(NEIGHBOURS, n - 1)
    xt = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    streams = torch.from_numpy(np.asarray(stream_of, dtype=np.int64))
    found_i, found_j, found_s = [], [], []
    for start in range(0, n, BLOCK_ROWS):
        stop = min(start + BLOCK_ROWS, n)
        sims = xt[start:stop] @ xt.T
        local = torch.arange(stop - start)
        sims[local, local + start] = -torch.inf
        if not same_stream:
            sims[streams[start:stop, None] == streams[None, :]] = -torch.inf
        values, neighbours = torch.topk(sims, k, dim=1)
        keep = values >= MEANING_THRESHOLD
        rows = (local + start)[:, None].expand(-1, k)
        found_i.append(rows[keep].numpy())
        found_j.append(neighbours[keep].numpy())
        found_s.append(values[keep].numpy())
    i, j, sim = (np.concatenate(a) for a in (found_i, found_j, found_s))
    forward = i * n + j
    mutual = (i < j) & np.isin(forward, j * n + i)
    i, j, sim = i[mutual], j[mutual], sim[mutual]
    order = np.lexsort((j, i, -sim))
    return list(zip(sim[order].tolist(), i[order].tolist(), j[order].tolist(), strict=True))


def text_links(
    stream_of: np.ndarray,
    texts: list[list[list[Any]]],
    categories: list[str | None],
    *,
    same_stream: bool,
) -> list[tuple[int, int]]:
    """Pairs (i < j) of textual units whose most frequent texts overlap enough."""
    shares: dict[int, dict[str, float]] = {}
    holders: dict[str, list[int]] = {}
    for u, (pairs, category) in enumerate(zip(texts, categories, strict=True)):
        if category not in TEXTUAL_CATEGORIES or not pairs:
            continue
        total = float(sum(n for _, n in pairs))
        shares[u] = {str(t): n / total for t, n in pairs}
        for text in shares[u]:
            holders.setdefault(text, []).append(u)
    overlap: Counter = Counter()
    for text, units in holders.items():
        for a in range(len(units)):
            for b in range(a + 1, len(units)):
                i, j = units[a], units[b]
                if same_stream or stream_of[i] != stream_of[j]:
                    overlap[(i, j)] += min(shares[i][text], shares[j][text])
    return sorted(pair for pair, value in overlap.items() if value >= TEXT_THRESHOLD - 1e-9)


def merged_keywords(units: list[dict[str, Any]]) -> list[list[Any]]:
    """The season theme's keywords: each unit's c-TF-IDF scores weighted by its messages."""
    weight: Counter = Counter()
    total = sum(max(int(u["messages"]), 1) for u in units)
    for unit in units:
        for word, score in unit.get("keywords") or []:
            weight[str(word)] += float(score) * max(int(unit["messages"]), 1) / total
    ranked = sorted(weight.items(), key=lambda item: (-item[1], item[0]))[:KEYWORDS]
    return [[word, round(score, 4)] for word, score in ranked]
