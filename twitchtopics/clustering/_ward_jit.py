"""Structured Ward's merge loop compiled with numba, for large inputs (`ward.ward_tree`).

The same algorithm as scikit-learn's `ward_tree` with a connectivity graph, step for step:
a heap of (inertia, i, j) candidates with lazy deletion, each merge's new candidates being
the current clusters of the two merged clusters' neighbours, their Ward inertia computed
with the same floating-point operations as scikit-learn's `compute_ward_dist`. The heap
here is a plain binary heap over arrays; its pops follow the same total order as Python's
tuples (inertia, then i, then j) over the same set of entries, so the merges and distances
are equal to scikit-learn's (tests/test_cluster.py compares them).

What differs is only bookkeeping that cannot change a result: the heap's entries are rows
(inertia, i, j) of one float64 array (one cache line per entry read: the heap is mostly
stale entries and its pops were the loop's cost; ids are exact in float64 far beyond any
log), neighbour lists are linked lists in flat arrays, "visited in this merge" is a stamp
instead of a cleared mask, and the walk to a node's current cluster compresses its path.

Compiled once per machine (`cache=True`): numba's compile (~2-4 s here) is why
`ward.ward_tree` keeps its Python loop for small inputs (`ward.JIT_MIN_POINTS`).
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def _less(v1: float, a1: float, b1: float, v2: float, a2: float, b2: float) -> bool:
    """Python's tuple order on (inertia, i, j)."""
    if v1 != v2:
        return v1 < v2
    if a1 != a2:
        return a1 < a2
    return b1 < b2


@numba.njit(cache=True, nogil=True)
def _sift_down(heap, pos, size):  # noqa: ANN001, ANN202 - numba arrays
    v, a, b = heap[pos, 0], heap[pos, 1], heap[pos, 2]
    while True:
        child = 2 * pos + 1
        if child >= size:
            break
        right = child + 1
        if right < size and _less(
            heap[right, 0],
            heap[right, 1],
            heap[right, 2],
            heap[child, 0],
            heap[child, 1],
            heap[child, 2],
        ):
            child = right
        if not _less(heap[child, 0], heap[child, 1], heap[child, 2], v, a, b):
            break
        heap[pos, 0], heap[pos, 1], heap[pos, 2] = heap[child, 0], heap[child, 1], heap[child, 2]
        pos = child
    heap[pos, 0], heap[pos, 1], heap[pos, 2] = v, a, b


@numba.njit(cache=True, nogil=True)
def _ward_dist(m1, m2, row, col):  # noqa: ANN001, ANN202 - numba arrays
    """scikit-learn's `compute_ward_dist` for one pair, the same operations in the same order."""
    n = (m1[row] * m1[col]) / (m1[row] + m1[col])
    pa = 0.0
    for f in range(m2.shape[1]):
        pa += (m2[row, f] / m1[row] - m2[col, f] / m1[col]) ** 2
    return pa * n


@numba.njit(cache=True, nogil=True)
def ward_merges(X, indptr, indices):  # noqa: ANN001, ANN201 - numba arrays
    """(children, inertias) of structured Ward on points `X` (float64, n x f) whose symmetric
    connected graph is the CSR (`indptr`, `indices`); scikit-learn's merge order."""
    n, n_features = X.shape
    n_nodes = 2 * n - 1
    m1 = np.zeros(n_nodes)
    m1[:n] = 1.0
    m2 = np.zeros((n_nodes, n_features))
    m2[:n] = X
    # neighbour lists as linked lists: head[node] -> entry; nbr[entry], nxt[entry]
    capacity = max(16, 2 * len(indices))
    nbr = np.empty(capacity, dtype=np.int64)
    nxt = np.empty(capacity, dtype=np.int64)
    head = np.full(n_nodes, -1, dtype=np.int64)
    used_entries = 0
    # heap of (value, i, j): the graph's lower triangle first
    heap_cap = max(16, len(indices))
    heap = np.empty((heap_cap, 3))
    size = 0
    for row in range(n):
        for p in range(indptr[row + 1] - 1, indptr[row] - 1, -1):
            col = indices[p]
            nbr[used_entries] = col
            nxt[used_entries] = head[row]
            head[row] = used_entries
            used_entries += 1
            if col < row:
                heap[size, 0] = _ward_dist(m1, m2, row, col)
                heap[size, 1] = row
                heap[size, 2] = col
                size += 1
    for pos in range(size // 2 - 1, -1, -1):
        _sift_down(heap, pos, size)
    parent = np.arange(n_nodes)
    used = np.ones(n_nodes, dtype=np.bool_)
    stamp = np.full(n_nodes, -1, dtype=np.int64)
    children = np.empty((n - 1, 2), dtype=np.int64)
    inertias = np.empty(n - 1)
    new_cols = np.empty(n_nodes, dtype=np.int64)
    for k in range(n, n_nodes):
        while True:  # pop until both ends are live clusters
            inert, i, j = heap[0, 0], int(heap[0, 1]), int(heap[0, 2])
            size -= 1
            heap[0, 0], heap[0, 1], heap[0, 2] = heap[size, 0], heap[size, 1], heap[size, 2]
            if size > 0:
                _sift_down(heap, 0, size)
            if used[i] and used[j]:
                break
        parent[i] = k
        parent[j] = k
        children[k - n, 0] = j  # scikit-learn's order (reversed pairs)
        children[k - n, 1] = i
        used[i] = False
        used[j] = False
        inertias[k - n] = inert
        m1[k] = m1[i] + m1[j]
        for f in range(n_features):
            m2[k, f] = m2[i, f] + m2[j, f]
        stamp[k] = k
        n_new = 0
        for source in (i, j):
            entry = head[source]
            while entry >= 0:
                node = nbr[entry]
                root = node
                while parent[root] != root:
                    root = parent[root]
                while parent[node] != root:  # compress the walked path
                    up = parent[node]
                    parent[node] = root
                    node = up
                if stamp[root] != k:
                    stamp[root] = k
                    new_cols[n_new] = root
                    n_new += 1
                entry = nxt[entry]
        if used_entries + 2 * n_new > capacity:
            capacity = 2 * (used_entries + 2 * n_new)
            nbr2 = np.empty(capacity, dtype=np.int64)
            nxt2 = np.empty(capacity, dtype=np.int64)
            nbr2[:used_entries] = nbr[:used_entries]
            nxt2[:used_entries] = nxt[:used_entries]
            nbr, nxt = nbr2, nxt2
        if size + n_new > heap_cap:
            heap_cap = 2 * (size + n_new)
            heap2 = np.empty((heap_cap, 3))
            heap2[:size] = heap[:size]
            heap = heap2
        for t in range(n_new):
            col = new_cols[t]
            nbr[used_entries] = k  # A[col].append(k)
            nxt[used_entries] = head[col]
            head[col] = used_entries
            used_entries += 1
            nbr[used_entries] = col  # A[k] = new_cols
            nxt[used_entries] = head[k]
            head[k] = used_entries
            used_entries += 1
            # push (inertia, k, col) and sift it up
            v = _ward_dist(m1, m2, k, col)
            pos = size
            size += 1
            fk, fc = float(k), float(col)
            while pos > 0:
                up = (pos - 1) // 2
                if not _less(v, fk, fc, heap[up, 0], heap[up, 1], heap[up, 2]):
                    break
                heap[pos, 0], heap[pos, 1], heap[pos, 2] = heap[up, 0], heap[up, 1], heap[up, 2]
                pos = up
            heap[pos, 0], heap[pos, 1], heap[pos, 2] = v, fk, fc
    return children, inertias
