"""Grouping messages in the reduced space: Ward on a kNN time graph cut by a separation test
(the default), or HDBSCAN (the seed's density clustering, for comparison), and the label
post-processing both share: merging adjacent groups that say the same thing, dropping small
groups, renumbering by first appearance.

Every function here is deterministic given its inputs; `TimeAwareClusterer`
(`twitchtopics.clustering.clusterer`) chooses the inputs and composes them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

SEPARATION = 1.0
"""The grain, part 1: how far apart (in UMAP's layout unit) two groups' centres must be to
stay apart, for two single messages. Ward joins the two groups whose merge adds the least
within-group variance; its merge distance is sqrt(n_eff) x |c1 - c2|, with
n_eff = 2 n1 n2 / (n1 + n2) the groups' effective size, i.e. sqrt(2) x the two-sample t
statistic of their difference. A t statistic alone (the cut before, at 7 standard errors)
cuts a topic into more pieces the more messages it has: on busy chat, laughter and one
debate came out as dozens of slices, on slow chat unrelated talk shared groups. Here the
merge distance is divided by n_eff ** `SIZE_EXPONENT`, so the cut compares
|c1 - c2| / n_eff ** 0.2 with sqrt(2) x SEPARATION: the gap two groups need grows slowly with
their size, the grain follows what chat says, not how much it says. Measured on the four
gold windows (benchmarks/quality.py and /tmp sweeps over cached UMAP layouts, seeds 42 and
1, MiniLM): B3 F1 1699408450 / chat / hsdogdog3 / admiralbulldog 0.471 / 0.458 / 0.552 /
0.624 (seed 42) and 0.457 / 0.472 / 0.565 / 0.626 (seed 1), against 0.440 / 0.447 / 0.523 /
0.624 and 0.428 / 0.454 / 0.529 / 0.623 with the t statistic at 7; 0.9 and 1.1 within
0.03 of 1.0 everywhere but chat at 0.9 (0.411-0.458, too fine), 1.2 drops hsdogdog3's ARI
below 0.47. UMAP's layout has a fixed scale (spread 1) whatever the log, so the unit means
the same everywhere."""

SIZE_EXPONENT = 0.7
"""See `SEPARATION`. 0 is the t statistic (finer with more messages), 0.5 the plain
distance between centres; 0.6-0.75 scored within 0.02 of each other on the gold windows,
0.5 and below lost 0.01-0.03 B3 F1 on every window, 0.8 and above joined unrelated groups
(hsdogdog3 ARI 0.08-0.47)."""

MAX_SEPARATION = 14.0
"""The grain, part 2: two groups whose centres differ by more than this many standard errors
(the t statistic of `SEPARATION`) stay apart whatever their size. Dividing by n_eff makes
the merges of big groups look cheap; without this bound a merge of two large mixtures near
the top of the tree, whose centres both sit near the log's mean, could keep a whole block
as one group (hsdogdog3 fell to 12 groups and ARI 0.08 at SEPARATION 1.2). 14 (= 2 x the
previous cut) changed nothing where the tree was not collapsing; 28 let it collapse."""

MIN_MOMENT = 3
"""Default smallest group of the Ward method: one or two messages are no topic."""

MERGE_SIMILARITY = 0.98
"""Adjacent groups whose text centroids are at least this cosine-similar are one topic."""

MERGE_GAP_SCALES = 4.0
"""...when the silence between them is at most this many time scales."""

WARD_BLOCK_SIZE = 40_000
"""Above this many messages Ward runs on consecutive time blocks of about this size."""


def merge_scores(
    children: np.ndarray,
    distances: np.ndarray,
    n_leaves: int,
    *,
    separation: float = SEPARATION,
    size_exponent: float = SIZE_EXPONENT,
    max_separation: float = MAX_SEPARATION,
) -> np.ndarray:
    """Each Ward merge's distance as a multiple of what keeps two groups apart (> 1: apart).

    `distances` are Ward's merge distances d = sqrt(n_eff) |c1 - c2|; a merge scores
    max(d / (separation n_eff ** size_exponent), d / (sqrt(2) max_separation)), i.e. the
    larger of |c1 - c2| / (separation n_eff ** (size_exponent - 1/2)) and the t statistic /
    max_separation (see `SEPARATION`, `SIZE_EXPONENT`, `MAX_SEPARATION`).
    """
    m = len(children)
    size = np.ones(n_leaves + m)
    for i, (a, b) in enumerate(children.tolist()):  # children come before their parent
        size[n_leaves + i] = size[a] + size[b]
    n1, n2 = size[children[:, 0]], size[children[:, 1]]
    n_eff = 2.0 * n1 * n2 / (n1 + n2)
    root2 = np.sqrt(2.0)
    return np.maximum(
        distances / (separation * n_eff**size_exponent),
        distances / (root2 * max_separation),
    )


def auto_min_cluster_size(n_messages: int) -> int:
    """HDBSCAN's smallest group, scaled to the log's size: 5 for small logs, more for big ones
    (the Ward method's is `MIN_MOMENT`: its grain comes from `SEPARATION`)."""
    return int(max(5, min(100, round(n_messages / 400))))


def ward_groups(
    features: np.ndarray, *, separation: float, graph_neighbors: int, has_time: bool
) -> np.ndarray:
    """Ward agglomeration on a kNN graph + time neighbours, cut where groups stay apart
    (`merge_scores` with `separation`, see `SEPARATION`). With `has_time`, the last column of
    `features` is the time feature.

    Long logs are cut into time blocks of about `WARD_BLOCK_SIZE` messages, at the
    quietest moment near each nominal cut, and each block is clustered on its own with the
    log's separation: groups last minutes (the time scale is seconds to minutes), so a block
    boundary almost never splits one, and the cost stays linear in the number of messages.
    """
    n = len(features)
    if n < 3:
        return np.zeros(n, dtype=np.int64)
    if not has_time or n <= WARD_BLOCK_SIZE:
        return ward_block(features, separation, graph_neighbors, has_time=has_time)
    order = np.argsort(features[:, -1], kind="stable")
    blocks = [order[block] for block in time_blocks(features[order, -1], WARD_BLOCK_SIZE)]

    def cluster(members: np.ndarray) -> np.ndarray:
        return ward_block(features[members], separation, graph_neighbors, has_time=has_time)

    labels = np.empty(n, dtype=np.int64)
    base = 0
    for members, part in zip(blocks, _side_by_side(cluster, blocks), strict=True):
        labels[members] = part + base
        base += int(part.max()) + 1
    return labels


def _side_by_side(
    cluster: Callable[[np.ndarray], np.ndarray], blocks: list[np.ndarray]
) -> list[np.ndarray]:
    """Each time block's labels, in block order; the blocks on `compiled_threads` threads.

    Ward's compiled merge loop holds no GIL, and blocks share nothing, so each block's
    labels are the same wherever it runs. On the 100k benchmark log's two blocks (39,415 and
    32,048 messages) their merge loops took 0.84 s one after the other."""
    from twitchtopics.clustering.threads import compiled_threads

    threads = min(compiled_threads(), len(blocks))
    if threads < 2:
        return [cluster(members) for members in blocks]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(threads, thread_name_prefix="ward") as pool:
        return list(pool.map(cluster, blocks))


def ward_block(
    features: np.ndarray, separation: float, graph_neighbors: int, *, has_time: bool
) -> np.ndarray:
    """Ward on one block's `knn_time_graph`, its tree cut where `merge_scores` exceed 1
    (`cut_tree`)."""
    if len(features) < 3:
        return np.zeros(len(features), dtype=np.int64)
    from twitchtopics.clustering.ward import ward_tree

    graph = knn_time_graph(features, graph_neighbors, has_time=has_time)
    children, n_leaves, distances = ward_tree(features, graph)
    scores = merge_scores(children, distances, n_leaves, separation=separation)
    return cut_tree(children, scores, n_leaves, 1.0)


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

    The neighbours are `nearest_others` (a KD tree in scipy), the sets scikit-learn's
    `kneighbors_graph(features, k, include_self=False)` found before, without importing
    scikit-learn (~0.55 s of a 24 s run); entries are 1, as there (`ward_tree` reads only
    which entries exist).
    """
    import scipy.sparse as sp

    n = len(features)
    k = min(k, n - 1)
    neighbours = nearest_others(features, k)
    indptr = np.arange(0, n * k + 1, k)
    graph = sp.csr_matrix((np.ones(n * k), neighbours.ravel(), indptr), shape=(n, n))
    order = np.argsort(features[:, -1] if has_time else features[:, 0], kind="stable")
    chain = sp.coo_matrix((np.ones(n - 1), (order[:-1], order[1:])), shape=(n, n)).tocsr()
    graph = graph + chain
    return (graph + graph.T).tocsr()


def nearest_others(features: np.ndarray, k: int) -> np.ndarray:
    """(n, k) indices: each point's k nearest other points (Euclidean distance), exactly;
    among points at the same distance as the k-th, the lower indices.

    Why a tie rule: exact duplicates (same text in the same second: same layout coordinates
    and time) put several points at one distance, and which of them a KD tree returns depends
    on how it was built. On the 100k benchmark log's two Ward blocks (39,415 and 32,048
    messages, 6 features, k 15) 1,454 and 1,200 points had a tie at their k-th neighbour
    (none at distance 0: duplicate groups had at most 13 members), and scipy's tree and
    scikit-learn's had picked different members for 958 and 820 points (this rule: 915
    and 669); the neighbour distances were the same everywhere. The picks did not change a
    bundle (benchmarks/same_bundles.py on that log, admiralbulldog and 1699408450): copies
    of one point, at most k + 1 of them, are all among each other's neighbours, so Ward
    merges them first at zero cost, and an edge to any copy is then an edge to their group.
    The rule makes the graph independent of how the tree was built and of `knn_threads`
    (each point's query is its own).

    Measured on the 39,415-message block (2 cores, another run beside it): `knn_time_graph`
    took 0.225 s with scikit-learn's `kneighbors_graph` (its KD tree, one thread) and
    0.11-0.20 s with this search (0.14 s of it scipy's query, 0.04 s the ties); its first
    call in a fresh process, imports included, 1.0-1.15 s before and 0.3-0.43 s now. With
    20,000 copies of one point among 40,000 (no time column) 1.35 s against 2.73 s.
    """
    from scipy.spatial import cKDTree

    from twitchtopics.clustering.neighbors import knn_threads

    points = np.asarray(features, dtype=np.float64)
    n = len(points)
    if k >= n - 1:  # every other point
        others = np.tile(np.arange(n), (n, 1))
        return others[~np.eye(n, dtype=bool)].reshape(n, n - 1)[:, :k]
    tree = cKDTree(points)
    distances, found = tree.query(points, k + 2, workers=knn_threads())
    nearest = _without_self(found[:, : k + 1])
    tied = np.flatnonzero(distances[:, k] == distances[:, k + 1])
    if len(tied):
        nearest[tied] = _lowest_indices_on_ties(points, tied, distances[tied, k], k)
    return nearest


def _without_self(found: np.ndarray) -> np.ndarray:
    """Each row's k + 1 nearest points less the point itself (its own row number)."""
    n, width = found.shape
    keep = found != np.arange(n)[:, None]
    keep[keep.all(axis=1), -1] = False  # itself not found: more than k + 1 copies, a tie
    return found[keep].reshape(n, width - 1)


def _lowest_indices_on_ties(
    points: np.ndarray, rows: np.ndarray, radius: np.ndarray, k: int
) -> np.ndarray:
    """For `rows` whose k-th and (k+1)-th nearest others are at the same distance (`radius`):
    every point within that distance (a little widened, so that rounding keeps none out),
    ranked by exact squared distance, then index; the first k.

    The search runs over the distinct points, each standing for at most its k + 1
    lowest-indexed copies (more can never rank among the k): a text repeated 20,000 times
    with no time column would otherwise put 20,000 candidates in every such row's ball.
    """
    from scipy.spatial import cKDTree

    distinct, copy_of = np.unique(points, axis=0, return_inverse=True)
    copy_of = copy_of.reshape(-1)
    by_copy = np.argsort(copy_of, kind="stable")  # copies of each distinct point, by index
    first = np.searchsorted(copy_of[by_copy], np.arange(len(distinct)))
    counts = np.diff(np.append(first, len(points)))
    balls = cKDTree(distinct).query_ball_point(
        points[rows], np.maximum(radius * (1.0 + 1e-9), 1e-150), workers=1
    )
    sizes = np.fromiter((len(ball) for ball in balls), dtype=np.int64, count=len(rows))
    owner = np.repeat(np.arange(len(rows)), sizes)
    near = np.concatenate([np.asarray(ball, dtype=np.int64) for ball in balls])
    taken = np.minimum(counts[near], k + 1)
    owner, near = np.repeat(owner, taken), np.repeat(near, taken)
    within = np.arange(len(near)) - np.repeat(np.cumsum(taken) - taken, taken)
    candidate = by_copy[first[near] + within]
    other = candidate != rows[owner]
    owner, candidate = owner[other], candidate[other]
    squared = ((points[candidate] - points[rows[owner]]) ** 2).sum(axis=1)
    order = np.lexsort((candidate, squared, owner))
    starts = np.searchsorted(owner[order], np.arange(len(rows)))
    return candidate[order][starts[:, None] + np.arange(k)]


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
    candidates = _similar_adjacent_pairs(unit, lo, hi, min_similarity, max_gap_s)
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


MATMUL_SLACK = 1e-9
"""How far below `min_similarity` a cosine computed for a whole block of groups at once may be
and still be checked pair by pair: a block product sums in another order than one dot
product, so its last bits may differ (by ~1e-16 for unit vectors); each pair kept is scored
again by the dot product the pair loop used, so the candidates and their order are the same."""


def _similar_adjacent_pairs(
    unit: np.ndarray, lo: np.ndarray, hi: np.ndarray, min_similarity: float, max_gap_s: float
) -> list[tuple[float, int, int]]:
    """(-cosine, a, b) of every pair of groups a < b whose spans are at most `max_gap_s` apart
    (a group's span against the spans that start, in start order, before it ends + the gap)
    and whose cosine is at least `min_similarity`, in the order the pairs are met.

    Each group's later-starting neighbours are scored with one matrix-vector product, not one
    dot product per pair (the pair loop was 14.6 of 157 s profiled grouping 1M messages)."""
    order = np.argsort(lo, kind="stable")
    starts = lo[order]
    candidates: list[tuple[float, int, int]] = []
    for pos, a in enumerate(order.tolist()):
        end = _first_start_after(starts, pos + 1, hi[a], max_gap_s)
        if end <= pos + 1:
            continue
        later = order[pos + 1 : end]
        rough = unit[later] @ unit[a]
        for b in later[rough >= min_similarity - MATMUL_SLACK].tolist():
            sim = float(unit[a] @ unit[b])
            if sim >= min_similarity:
                candidates.append((-sim, min(a, b), max(a, b)))
    return candidates


def _first_start_after(starts: np.ndarray, begin: int, end_time: float, max_gap_s: float) -> int:
    """The first position from `begin` on whose start is more than `max_gap_s` after
    `end_time` (`starts` ascending), by the same subtraction the pair loop tested."""
    at = int(np.searchsorted(starts, end_time + max_gap_s, side="right"))
    at = max(at, begin)
    while at < len(starts) and not starts[at] - end_time > max_gap_s:
        at += 1
    while at > begin and starts[at - 1] - end_time > max_gap_s:
        at -= 1
    return at


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
