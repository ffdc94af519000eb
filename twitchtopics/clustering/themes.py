"""Themes: what chat kept coming back to, as sets of moments (the fine groups).

A moment is a group of the time-aware clustering: one burst, one wave, one joke at one time.
A theme joins the moments that say the same thing whatever their time: a debate that chat
picks up again and again over half an hour, criticism of one player across a match.

Moments are compared by their centre in the reduced text space (UMAP of the text features,
without the time coordinate). Two moments belong to one theme when their centres are within
`THEME_DISTANCE` of each other, under average linkage (the mean distance between every pair
of moments of the two themes), which keeps a chain of slightly different moments from
drifting into one theme. No count of themes is set: it follows how many different things
chat says. Reaction moments (laughter, greetings, "+1") are already one group per kind over
the whole log, so each stays its own theme.
"""

from __future__ import annotations

import numpy as np

THEME_DISTANCE = 0.5
"""UMAP layout units (the scale UMAP gives every log). Measured on the gold windows, scoring
themes against the hand labels (B3 F1 / ARI, 1699408450 / chat / hsdogdog3): 0.5 kept the
moments' quality (0.421 / 0.466 / 0.539 F1) with half as many groups; 1.0 already mixed
unrelated talk on slow chat (ARI 0.28 / 0.19, against 0.45 / 0.34 at 0.5)."""

JIT_MIN_ROWS = 4_000
"""Components from this many moments are linked in place by the numba loop (`_average_jit`):
scipy's copies of a 4,000-row condensed matrix are ~130 MB, and numba's one-time compile
(~1.5 s, cached on disk) is not worth paying below that. Real logs of a few hours are far
below it (largest component: 55 moments on hsdogdog3's 14k messages, 20 on gql's); the
1M-message benchmark log's largest has 16,442 moments."""


def moment_centres(labels: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group ids (>= 0, sorted) and each group's centre in `points` (one row per message)."""
    labels = np.asarray(labels, dtype=np.int64)
    mask = labels >= 0
    ids, index = np.unique(labels[mask], return_inverse=True)
    pts = np.asarray(points, dtype=np.float64)[mask]
    counts = np.bincount(index, minlength=len(ids)).astype(np.float64)
    centres = np.zeros((len(ids), pts.shape[1]))
    np.add.at(centres, index, pts)
    centres /= np.maximum(counts, 1)[:, None]
    return ids, centres


def group_themes(
    labels: np.ndarray,
    points: np.ndarray,
    *,
    standalone: np.ndarray | None = None,
) -> np.ndarray:
    """Theme id of every message (-1 where its label is -1).

    `labels` are the moments of the messages, `points` the messages' reduced text coordinates
    (no time). `standalone`, optional, is a boolean per message: the moments holding such
    messages (reaction groups) are themes of their own. Theme ids follow the first
    appearance of their first moment in `labels`' order (time order in the pipeline).
    """
    labels = np.asarray(labels, dtype=np.int64)
    themes = np.full(len(labels), -1, dtype=np.int64)
    ids, centres = moment_centres(labels, points)
    if len(ids) == 0:
        return themes
    alone = np.zeros(len(ids), dtype=bool)
    if standalone is not None:
        alone[np.unique(np.searchsorted(ids, labels[(labels >= 0) & standalone]))] = True
    joinable = np.flatnonzero(~alone)
    theme_of = np.arange(len(ids))
    if len(joinable) >= 2:
        theme_of[joinable] = joinable[_average_linkage(centres[joinable], THEME_DISTANCE)]
    member = labels >= 0
    themes[member] = theme_of[np.searchsorted(ids, labels[member])]
    return _renumber_in_order(themes)


def _average_linkage(centres: np.ndarray, threshold: float) -> np.ndarray:
    """For each row, the index of the first row of its cluster under average linkage cut at
    `threshold` (deterministic: scipy's linkage on a condensed distance matrix).

    Average linkage joins two clusters only when their mean pairwise distance is at most
    `threshold`, so at least one pair across them is that close: every cluster lies inside
    one connected component of the graph "centres within `threshold`". Each component gets
    its own linkage, which gives the same clusters as one linkage over all rows without the
    full distance matrix (a 1M-message log has ~40k moments: 6.4 GB and 76 s for that
    matrix, measured with benchmarks/cluster_speed.py).
    """
    if threshold <= 0 or len(centres) < 2:
        return np.arange(len(centres))
    first = np.arange(len(centres), dtype=np.int64)
    for rows in _close_components(centres, threshold):
        if len(rows) >= 2:
            first[rows] = rows[_linkage_firsts(centres[rows], threshold)]
    return first


def _close_components(centres: np.ndarray, threshold: float) -> list[np.ndarray]:
    """Row indices (ascending) of each connected component of "within `threshold`"."""
    from scipy.spatial import cKDTree

    pairs = cKDTree(centres).query_pairs(threshold, output_type="ndarray")
    component = _components(len(centres), pairs[:, 0], pairs[:, 1])
    order = np.argsort(component, kind="stable")
    bounds = np.flatnonzero(np.diff(component[order])) + 1
    return np.split(order, bounds)


def _linkage_firsts(centres: np.ndarray, threshold: float) -> np.ndarray:
    """`_average_linkage` on one component: scipy's linkage cut at `threshold`, or from
    `JIT_MIN_ROWS` rows the same linkage compiled in place (`_average_jit`)."""
    if len(centres) >= JIT_MIN_ROWS:
        return _in_place_linkage_firsts(centres, threshold)
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import pdist

    flat = fcluster(linkage(pdist(centres), method="average"), t=threshold, criterion="distance")
    return _first_rows(flat)


def _in_place_linkage_firsts(centres: np.ndarray, threshold: float) -> np.ndarray:
    """`_linkage_firsts` with one condensed matrix and no copy of it.

    scipy sorts the chain's merges by height and relabels them, then `fcluster` cuts the
    tree at `threshold`. The clusters this gives are the connected components of the merges
    (x, y) whose height is at most `threshold`, whatever their order, so no tree is built.
    """
    from scipy.spatial.distance import pdist

    from twitchtopics.clustering._average_jit import average_merges

    xs, ys, heights = average_merges(pdist(centres), len(centres))
    keep = heights <= threshold
    return _first_rows(_components(len(centres), xs[keep], ys[keep]))


def _components(n: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """The connected component of each of `n` points, joined by the edges (rows[k], cols[k])."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def _first_rows(labels: np.ndarray) -> np.ndarray:
    """For each row, the first row holding the same label."""
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    return first[inverse].astype(np.int64)


def _renumber_in_order(values: np.ndarray) -> np.ndarray:
    from twitchtopics.clustering.grouping import renumber_by_first_appearance

    return renumber_by_first_appearance(values)
