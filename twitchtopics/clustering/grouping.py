"""Grouping messages in the reduced space: Ward on a kNN time graph cut by a separation test
(the default), or HDBSCAN (the seed's density clustering, for comparison), and the label
post-processing both share: merging adjacent groups that say the same thing, dropping small
groups, renumbering by first appearance.

Every function here is deterministic given its inputs; `TimeAwareClusterer`
(`twitchtopics.clustering.clusterer`) chooses the inputs and composes them.
"""

from __future__ import annotations

import numpy as np

SEPARATION = 7.0
"""The grain. Ward joins the two groups whose merge adds the least within-group variance; its
merge distance sqrt(2 n1 n2 / (n1 + n2)) * |c1 - c2| is sqrt(2) x the two-sample t statistic
of the difference of their centres, with distances in UMAP's layout unit (UMAP places points
at a fixed scale, spread 1, whatever the log, so one unit means the same everywhere). The
tree is cut wherever that statistic exceeds this value: two groups stay apart when what they
say (and when) differs by more than SEPARATION standard errors. More messages give more
evidence, so a busy chat is cut finer and a quiet one coarser, with no count of groups or of
messages per group. Measured on the four gold windows (benchmarks/quality.py, B3 F1
1699408450 / chat / hsdogdog3 / admiralbulldog): 5.0 gave 0.438 / 0.433 / 0.532 / 0.632,
6.5 0.434 / 0.448 / 0.536 / 0.629, 7.0 0.436 / 0.457 / 0.535 / 0.630, 9.0 0.439 / 0.458 /
0.529 / 0.629: a plateau; 7 keeps the grain within 0.7-1.2x the gold's on all four."""


MIN_MOMENT = 3
"""Default smallest group of the Ward method: one or two messages are no topic."""

MERGE_SIMILARITY = 0.98
"""Adjacent groups whose text centroids are at least this cosine-similar are one topic."""

MERGE_GAP_SCALES = 4.0
"""...when the silence between them is at most this many time scales."""

WARD_BLOCK_SIZE = 40_000
"""Above this many messages Ward runs on consecutive time blocks of about this size."""


def separation_threshold(separation: float) -> float:
    """Ward merge distance above which groups stay apart: sqrt(2) x `separation` (see
    `SEPARATION`; the unit is UMAP's layout unit)."""
    return float(np.sqrt(2.0) * separation)


def auto_min_cluster_size(n_messages: int) -> int:
    """HDBSCAN's smallest group, scaled to the log's size: 5 for small logs, more for big ones
    (the Ward method's is `MIN_MOMENT`: its grain comes from `SEPARATION`)."""
    return int(max(5, min(100, round(n_messages / 400))))


def ward_groups(
    features: np.ndarray, *, threshold: float, graph_neighbors: int, has_time: bool
) -> np.ndarray:
    """Ward agglomeration on a kNN graph + time neighbours, cut where groups differ by more
    than `separation` standard errors (`threshold`: see `separation_threshold`). With
    `has_time`, the last column of `features` is the time feature.

    Long logs are cut into time blocks of about `WARD_BLOCK_SIZE` messages, at the
    quietest moment near each nominal cut, and each block is clustered on its own with the
    log's threshold: groups last minutes (the time scale is seconds to minutes), so a block
    boundary almost never splits one, and the cost stays linear in the number of messages.
    """
    n = len(features)
    if n < 3:
        return np.zeros(n, dtype=np.int64)
    if not has_time or n <= WARD_BLOCK_SIZE:
        return ward_block(features, threshold, graph_neighbors, has_time=has_time)
    order = np.argsort(features[:, -1], kind="stable")
    labels = np.empty(n, dtype=np.int64)
    base = 0
    for block in time_blocks(features[order, -1], WARD_BLOCK_SIZE):
        members = order[block]
        part = ward_block(features[members], threshold, graph_neighbors, has_time=has_time)
        labels[members] = part + base
        base += int(part.max()) + 1
    return labels


def ward_block(
    features: np.ndarray, threshold: float, graph_neighbors: int, *, has_time: bool
) -> np.ndarray:
    """Ward on one block's `knn_time_graph`, its tree cut at `threshold` (`cut_tree`)."""
    if len(features) < 3:
        return np.zeros(len(features), dtype=np.int64)
    import warnings

    from sklearn.cluster import ward_tree

    graph = knn_time_graph(features, graph_neighbors, has_time=has_time)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # components joined: said in the docs
        children, _, n_leaves, _, distances = ward_tree(
            features, connectivity=graph, return_distance=True
        )
    return cut_tree(children, distances, n_leaves, threshold)


def hdbscan_groups(
    features: np.ndarray,
    *,
    min_cluster_size: int,
    min_samples: int | None = None,
    cluster_selection_epsilon: float = 0.0,
    cluster_selection_method: str = "eom",
) -> tuple[np.ndarray, np.ndarray]:
    """HDBSCAN's labels (-1 = outlier) and membership probabilities; all outliers when there
    are fewer than `min_cluster_size` messages."""
    n = len(features)
    if n < min_cluster_size:
        return np.full(n, -1, dtype=np.int64), np.zeros(n)
    import hdbscan

    model = hdbscan.HDBSCAN(
        min_cluster_size=min_cluster_size,
        min_samples=min_samples,
        cluster_selection_epsilon=cluster_selection_epsilon,
        cluster_selection_method=cluster_selection_method,
        core_dist_n_jobs=1,
    )
    model.fit(features)
    return model.labels_.astype(np.int64), model.probabilities_.astype(np.float64)


def cut_tree(
    children: np.ndarray, distances: np.ndarray, n_leaves: int, threshold: float
) -> np.ndarray:
    """Flat groups of a merge tree: from the top, every merge at a distance above `threshold`
    is undone; the nodes reached that merged at or below it are the groups.

    Top-down, because Ward on a connectivity graph is not monotone: a merge can be cheaper
    than one below it, and then the whole subtree is one group. Several roots (a graph in
    pieces) are each cut the same way. Ids follow the tree's order (renumbered later).
    """
    m = len(children)
    group = np.full(n_leaves + m, -1, dtype=np.int64)
    next_id = 0
    for i in range(m - 1, -1, -1):
        g = group[n_leaves + i]
        if g < 0 and distances[i] <= threshold:
            g = next_id
            next_id += 1
        if g >= 0:
            group[children[i]] = g
    leaves = group[:n_leaves]
    free = np.flatnonzero(leaves < 0)
    leaves[free] = next_id + np.arange(len(free))
    return leaves


def time_blocks(times: np.ndarray, size: int) -> list[slice]:
    """Cut sorted times into consecutive slices of about `size`, each cut at the widest gap
    between messages within a tenth of `size` of the nominal position."""
    n = len(times)
    n_blocks = max(1, int(round(n / size)))
    cuts = [0]
    for b in range(1, n_blocks):
        nominal = b * n // n_blocks
        lo, hi = max(cuts[-1] + 1, nominal - size // 10), min(n - 1, nominal + size // 10)
        if hi <= lo:
            continue
        gaps = np.diff(times[lo - 1 : hi])
        cuts.append(lo + int(np.argmax(gaps)))
    cuts.append(n)
    return [slice(a, b) for a, b in zip(cuts[:-1], cuts[1:], strict=True) if b > a]


def knn_time_graph(features: np.ndarray, k: int, *, has_time: bool) -> object:
    """Symmetric sparse connectivity: each point's k nearest neighbours in `features`, plus its
    predecessor and successor in time (the last column) when there is a time feature, so the
    graph has one component and a topic can grow along the chat.

    Without time, components left apart are joined by a chain in feature order (Ward's merge
    cost still decides; the chain only makes the graph connected).
    """
    import scipy.sparse as sp
    from sklearn.neighbors import kneighbors_graph

    n = len(features)
    graph = kneighbors_graph(features, min(k, n - 1), include_self=False)
    order = np.argsort(features[:, -1] if has_time else features[:, 0], kind="stable")
    chain = sp.coo_matrix((np.ones(n - 1), (order[:-1], order[1:])), shape=(n, n)).tocsr()
    graph = graph + chain
    return (graph + graph.T).tocsr()


def merge_adjacent_groups(
    labels: np.ndarray,
    text: np.ndarray,
    offsets_s: np.ndarray,
    *,
    min_similarity: float,
    max_gap_s: float,
    rows: np.ndarray | None = None,
) -> np.ndarray:
    """Join groups that say the same thing and touch in time.

    `text` holds one row per message, or, with `rows`, one row per distinct text and
    `rows[i]` is message i's row (so the per-message matrix, gigabytes on a million
    messages, is never built). Two groups merge when the cosine of their text centroids
    (mean of their messages' rows) is at least
    `min_similarity` and the silence between their time spans is at most `max_gap_s`
    (overlapping spans have gap 0). Most similar pairs first; centroids and spans are updated
    as groups merge, so a chain of merges never joins groups that no longer qualify.
    Outliers (-1) stay. Labels come back as the smallest original label of each merged set.
    """
    labels = np.asarray(labels, dtype=np.int64)
    mask = labels >= 0
    if mask.sum() == 0:
        return labels.copy()
    groups, index = np.unique(labels[mask], return_inverse=True)
    g = len(groups)
    if g < 2:
        return labels.copy()
    import scipy.sparse as sp

    text = np.asarray(text, dtype=np.float64)
    times = np.asarray(offsets_s, dtype=np.float64)[mask]
    member_rows = (np.arange(len(labels)) if rows is None else np.asarray(rows))[mask]
    membership = sp.csr_matrix(
        (np.ones(len(member_rows)), (index, member_rows)), shape=(g, len(text))
    )
    sums = np.asarray(membership @ text)
    lo = np.full(g, np.inf)
    hi = np.full(g, -np.inf)
    np.minimum.at(lo, index, times)
    np.maximum.at(hi, index, times)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    unit = sums / np.where(norms > 0, norms, 1.0)
    order = np.argsort(lo, kind="stable")
    candidates: list[tuple[float, int, int]] = []
    # time-adjacent pairs only: a group's span against the spans that start before it ends
    for pos, a in enumerate(order):
        for b in order[pos + 1 :]:
            if lo[b] - hi[a] > max_gap_s:
                break
            sim = float(unit[a] @ unit[b])
            if sim >= min_similarity:
                candidates.append((-sim, int(min(a, b)), int(max(a, b))))
    if not candidates:
        return labels.copy()
    candidates.sort()
    parent = np.arange(g)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = int(parent[x])
        return x

    for _, a, b in candidates:
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        ua = sums[ra] / (np.linalg.norm(sums[ra]) or 1.0)
        ub = sums[rb] / (np.linalg.norm(sums[rb]) or 1.0)
        gap = max(0.0, max(lo[ra], lo[rb]) - min(hi[ra], hi[rb]))
        if float(ua @ ub) < min_similarity or gap > max_gap_s:
            continue
        keep, gone = min(ra, rb), max(ra, rb)
        parent[gone] = keep
        sums[keep] += sums[gone]
        lo[keep] = min(lo[keep], lo[gone])
        hi[keep] = max(hi[keep], hi[gone])
    roots = np.array([find(i) for i in range(g)])
    out = labels.copy()
    out[mask] = groups[roots[index]]
    return out


def drop_small_groups(labels: np.ndarray, min_size: int) -> np.ndarray:
    """Groups with fewer than `min_size` messages become outliers (-1)."""
    labels = np.asarray(labels, dtype=np.int64)
    out = labels.copy()
    mask = labels >= 0
    if not mask.any():
        return out
    groups, counts = np.unique(labels[mask], return_counts=True)
    small = groups[counts < min_size]
    out[np.isin(labels, small)] = -1
    return out


def renumber_by_first_appearance(labels: np.ndarray, order: np.ndarray | None = None) -> np.ndarray:
    """Give groups ids 0, 1, 2... in order of their first message (outliers stay -1).

    `order` is the time order of messages; by default the labels are already in time order.
    Linear in the number of messages (one `np.unique`), whatever the number of groups.
    """
    labels = np.asarray(labels, dtype=np.int64)
    sequence = labels if order is None else labels[np.asarray(order)]
    out = np.full(len(labels), -1, dtype=np.int64)
    mask = labels >= 0
    if not mask.any():
        return out
    kept = sequence[sequence >= 0]
    groups, first = np.unique(kept, return_index=True)
    rank = np.empty(len(groups), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(groups))
    out[mask] = rank[np.searchsorted(groups, labels[mask])]
    return out
