"""Average linkage's nearest-neighbour chain compiled with numba, working in place
(`themes._linkage_firsts` on large components).

The same algorithm as scipy's `linkage(..., method="average")` (its `nn_chain`), step for
step and with the same floating-point operations, so the merges and their heights are equal
(tests/test_themes_linkage.py compares the themes). What differs is memory: scipy copies the
condensed distance matrix before merging and checks it for finite values with a boolean
array of the same length, so a component of m moments costs about 2.1 x 8 m^2 / 2 bytes; this
loop updates the matrix it is given. On the 1M-message benchmark log the largest component
holds 16,442 moments: 1.08 GB for the matrix, 2.3 GB with scipy's copies.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def _condensed(n: int, i: int, j: int) -> int:
    if i < j:
        return n * i - (i * (i + 1)) // 2 + (j - i - 1)
    return n * j - (j * (j + 1)) // 2 + (i - j - 1)


@numba.njit(cache=True, nogil=True)
def average_merges(dists, n):  # noqa: ANN001, ANN201 - numba arrays
    """The n - 1 merges (x, y, height) of average linkage over the condensed matrix `dists`
    of n points, in the order the chain finds them; `dists` is overwritten. x < y are row
    indices: after a merge the new cluster is held at y and x is dropped (scipy's convention).
    """
    xs = np.empty(n - 1, dtype=np.int64)
    ys = np.empty(n - 1, dtype=np.int64)
    heights = np.empty(n - 1, dtype=np.float64)
    size = np.ones(n, dtype=np.int64)
    chain = np.empty(n, dtype=np.int64)
    length = 0
    y = 0
    for k in range(n - 1):
        if length == 0:
            length = 1
            for i in range(n):
                if size[i] > 0:
                    chain[0] = i
                    break
        while True:
            x = chain[length - 1]
            if length > 1:
                y = chain[length - 2]
                current = dists[_condensed(n, x, y)]
            else:
                current = np.inf
            for i in range(n):
                if size[i] == 0 or i == x:
                    continue
                d = dists[_condensed(n, x, i)]
                if d < current:
                    current = d
                    y = i
            if length > 1 and y == chain[length - 2]:
                break
            chain[length] = y
            length += 1
        length -= 2
        if x > y:
            x, y = y, x
        nx = size[x]
        ny = size[y]
        xs[k] = x
        ys[k] = y
        heights[k] = current
        size[x] = 0
        size[y] = nx + ny
        for i in range(n):
            ni = size[i]
            if ni == 0 or i == y:
                continue
            dists[_condensed(n, i, y)] = (
                nx * dists[_condensed(n, i, x)] + ny * dists[_condensed(n, i, y)]
            ) / (nx + ny)
    return xs, ys, heights
