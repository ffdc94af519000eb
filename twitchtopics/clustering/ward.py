"""Ward agglomeration on a connectivity graph: scikit-learn's `ward_tree`, made fast.

scikit-learn's structured `ward_tree` keeps its merge candidates in a Python heap of
(inertia, i, j) tuples whose members are numpy scalars; every heap comparison then goes
through numpy's scalar machinery. On 21,908 real chat messages (admiralbulldog) 637,000
heap pops took 16 of the 28 s of the whole tree. Here the same algorithm runs with plain
Python floats and ints in the heap (the same values, so the same merges in the same order:
tests/test_cluster.py checks the tree against scikit-learn's), which makes the tree several
times faster; the moments and the Ward distances of new candidates are computed by
scikit-learn's own compiled helpers, as in `ward_tree`.

Large inputs run the same loop compiled with numba (`twitchtopics.clustering._ward_jit`):
on a million messages the Python loop was 176 of 230 s of clustering (benchmarks/
cluster_speed.py). Below `JIT_MIN_POINTS` the Python loop is kept: numba's import and
one-time compile would cost a first run more than the loop takes.
"""

from __future__ import annotations

import warnings
from heapq import heapify, heappop, heappush

import numpy as np

JIT_MIN_POINTS = 15_000
"""From this many points `ward_tree` runs the numba loop. Measured on 10,000 real messages
(static model, 2 cores shared with other jobs): the Python loop 6.5 s, the numba one 0.5 s
(12x), plus 0.7 s to import numba and, once per machine (on-disk cache), 24 s to compile
on that loaded machine. Below 15,000 points a first run would pay more for the compile
than the loop costs; the README demo and single streams of a season stay under it."""

POOL_JIT_MIN_POINTS = 2_000
"""From this many points the numba loop runs in a process that clusters many logs (a
season's or `cluster --jobs` worker, after `prefer_compiled_loop`): there the compile is paid
once per machine and numba's import and load (~1 s) once per process, and every later tree
is ~12x faster. In the 100-stream season (8,700 messages a stream) the Python loop was 13 %
of a stream's time (profile of 8 streams: 16.9 of 128 s). Below 2,000 points the Python loop
takes under 0.5 s, so a worker given only small logs never loads numba."""

COMPILED_JIT_MIN_POINTS = 4_000
"""From this many points a single run takes the numba loop when a previous run on this
machine left it compiled in numba's on-disk cache (`_compiled_on_disk`): then what it costs
is numba's import and the cache's load, ~1 s in a fresh process here, against the Python
loop's 0.5 s at 2,000 random points, 1.6 s at 5,000 and 3.8 s at 10,000 (numba 1.0-1.1 s at
each; 2 cores, load 2)."""

_jit_min_points = JIT_MIN_POINTS


def _compiled_on_disk() -> bool:
    """Whether numba's cache holds the compiled merge loop: its index file under
    $NUMBA_CACHE_DIR when that is set (numba then looks nowhere else), else beside the module
    (numba's default place). An index left by an older source only makes numba compile once
    more; the merges are the same either way."""
    import os
    from pathlib import Path

    pattern = "_ward_jit.ward_merges-*.nbi"
    custom = os.environ.get("NUMBA_CACHE_DIR")
    if custom:
        return Path(custom).is_dir() and any(Path(custom).rglob(pattern))
    return any((Path(__file__).parent / "__pycache__").glob(pattern))


def takes_compiled_loop(n_samples: int) -> bool:
    """The numba loop from `_jit_min_points` (`JIT_MIN_POINTS`, or `POOL_JIT_MIN_POINTS` in a
    worker), or from `COMPILED_JIT_MIN_POINTS` once it is compiled on this machine."""
    if n_samples >= _jit_min_points:
        return True
    return n_samples >= COMPILED_JIT_MIN_POINTS and _compiled_on_disk()


def prefer_compiled_loop() -> None:
    """Run the numba loop from `POOL_JIT_MIN_POINTS` in this process (a worker that clusters
    many logs). The merges are the same either way (tests/test_cluster.py)."""
    global _jit_min_points
    _jit_min_points = POOL_JIT_MIN_POINTS


def ward_tree(X: np.ndarray, connectivity: object) -> tuple[np.ndarray, int, np.ndarray]:
    """(children, n_leaves, distances) of Ward's merge tree of `X` under `connectivity` (a
    sparse n x n graph), exactly as `sklearn.cluster.ward_tree(X, connectivity=...,
    return_distance=True)` returns them. A graph in several pieces is joined first, as
    scikit-learn does (with its warning silenced: the callers' graphs are connected).

    scikit-learn is imported only here, on the Python loop's path (and by `_jit_tree` for a
    graph in pieces): the numba loop needs none of it, and importing it cost ~0.55 s of a
    24 s run on the 100k benchmark log."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X.reshape(-1, 1)
    n_samples, n_features = X.shape
    if takes_compiled_loop(n_samples):
        return _jit_tree(X, connectivity)
    from sklearn.cluster import _hierarchical_fast as _hierarchical
    from sklearn.cluster._agglomerative import _fix_connectivity

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        connectivity, _ = _fix_connectivity(X, connectivity, affinity="euclidean")
    n_nodes = 2 * n_samples - 1
    A: list[list[int]] = []
    coord_row: list[int] = []
    coord_col: list[int] = []
    for ind, row in enumerate(connectivity.rows):
        A.append(row)
        lower = [i for i in row if i < ind]
        coord_row.extend([ind] * len(lower))
        coord_col.extend(lower)
    rows = np.array(coord_row, dtype=np.intp)
    cols = np.array(coord_col, dtype=np.intp)
    moments_1 = np.zeros(n_nodes)
    moments_1[:n_samples] = 1
    moments_2 = np.zeros((n_nodes, n_features))
    moments_2[:n_samples] = X
    inertia = np.empty(len(rows), dtype=np.float64)
    _hierarchical.compute_ward_dist(moments_1, moments_2, rows, cols, inertia)
    heap = list(zip(inertia.tolist(), coord_row, coord_col, strict=True))
    heapify(heap)
    parent = np.arange(n_nodes, dtype=np.intp)
    used = bytearray(b"\x01") * n_nodes
    children = np.empty((n_nodes - n_samples, 2), dtype=np.intp)
    distances = np.empty(n_nodes - n_samples)
    not_visited = np.empty(n_nodes, dtype=bool)
    for k in range(n_samples, n_nodes):
        while True:
            inert, i, j = heappop(heap)
            if used[i] and used[j]:
                break
        parent[i] = parent[j] = k
        children[k - n_samples] = (j, i)  # scikit-learn's order (reversed pairs)
        used[i] = used[j] = 0
        distances[k - n_samples] = inert
        moments_1[k] = moments_1[i] + moments_1[j]
        moments_2[k] = moments_2[i] + moments_2[j]
        new_cols: list[int] = []
        not_visited.fill(True)
        not_visited[k] = False
        _hierarchical._get_parents(A[i], new_cols, parent, not_visited)
        _hierarchical._get_parents(A[j], new_cols, parent, not_visited)
        for col in new_cols:
            A[col].append(k)
        A.append(new_cols)
        if not new_cols:
            continue
        col_arr = np.array(new_cols, dtype=np.intp)
        row_arr = np.full(len(new_cols), k, dtype=np.intp)
        ini = np.empty(len(new_cols), dtype=np.float64)
        _hierarchical.compute_ward_dist(moments_1, moments_2, row_arr, col_arr, ini)
        for value, col in zip(ini.tolist(), new_cols, strict=True):
            heappush(heap, (value, k, col))
    return children, n_samples, np.sqrt(2.0 * distances)


def _jit_tree(X: np.ndarray, connectivity: object) -> tuple[np.ndarray, int, np.ndarray]:
    """`ward_tree` through the numba loop (`_ward_jit.ward_merges`). The graph is made
    symmetric in CSR (scikit-learn's LIL conversion took ~10 s per 50,000 points and holds
    the same entries); a graph in several pieces is joined by scikit-learn's own fix."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    from twitchtopics.clustering._ward_jit import ward_merges

    graph = sp.csr_matrix(connectivity)
    graph = (graph + graph.T).tocsr()
    if connected_components(graph)[0] > 1:
        from sklearn.cluster._agglomerative import _fix_connectivity

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            graph = sp.csr_matrix(_fix_connectivity(X, connectivity, affinity="euclidean")[0])
    graph.sort_indices()
    indptr = np.asarray(graph.indptr, dtype=np.int64)
    indices = np.asarray(graph.indices, dtype=np.int64)
    children, inertias = ward_merges(np.ascontiguousarray(X), indptr, indices)
    return children.astype(np.intp), len(X), np.sqrt(2.0 * inertias)
