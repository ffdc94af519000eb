"""The exact kNN's two compiled loops: each row's k largest scores, and candidates' exact
similarities.

`top_k_rows`: each row's k largest scores, nearest first, ties to the lower column.
`neighbors._numpy_knn` took 0.9 of its 1.5 s in `np.argpartition` on 6,212 distinct texts
(the 10k benchmark log): introselect on every row of a 6,212-column block. Here one pass per
row keeps a sorted list of the k best seen so far; most values fail the first comparison.
The order is total (score descending, then column ascending), so the result is the same as
`neighbors._ranked_top_k`'s in numpy (`tests/test_neighbors.py` compares them).

Used where Ward takes numba.

`reranked`: the k best of each point's bfloat16 candidates by float32 similarity
(`neighbors.exact_knn`'s re-ranking), each similarity summed in a fixed order (16 running
sums, then added in order), so the same on every machine and thread count. torch's gather
of every candidate's vector, batched product and top-k took 1.5 of the search's 7.6 s on
45,530 distinct texts (the 100k benchmark log); this loop about 0.4 s on one core.

Compiled once per machine (`cache=True`).
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def top_k_rows(score: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(columns int64, scores) of each row's `k` largest scores (k <= columns), sorted by
    score descending, equal scores by column ascending."""
    rows, n = score.shape
    columns = np.empty((rows, k), dtype=np.int64)
    values = np.empty((rows, k), dtype=score.dtype)
    for r in range(rows):
        best = values[r]
        where = columns[r]
        held = 0
        for j in range(n):
            held = _keep(best, where, held, score[r, j], j)
    return columns, values


@numba.njit(cache=True, nogil=True)
def _keep(best: np.ndarray, where: np.ndarray, held: int, value: float, index: int) -> int:
    """Insert (`value`, `index`) into the sorted `best` / `where` (the `held` best so far, at
    most len(best)) when it ranks among them: by value descending, equal values by index
    ascending. Returns how many are held after."""
    k = len(best)
    if held == k and not (value > best[k - 1] or (value == best[k - 1] and index < where[k - 1])):
        return held
    pos = held if held < k else k - 1
    while pos > 0 and (
        best[pos - 1] < value or (best[pos - 1] == value and where[pos - 1] > index)
    ):
        best[pos] = best[pos - 1]
        where[pos] = where[pos - 1]
        pos -= 1
    best[pos] = value
    where[pos] = index
    return held + 1 if held < k else held


LANES = 16


@numba.njit(cache=True, nogil=True)
def reranked(
    points: np.ndarray, first: int, candidates: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Of each row's candidates, the `k` with the largest float32 similarity to point
    `first + i` (the point itself first), by similarity descending, equal ones by index
    ascending: (indices int64, similarities float32). Each similarity is summed over
    `LANES` running sums, added in order at the end."""
    rows, c = candidates.shape
    dim = points.shape[1]
    whole = dim - dim % LANES
    indices = np.empty((rows, k), dtype=np.int64)
    values = np.empty((rows, k), dtype=np.float32)
    acc = np.empty(LANES, dtype=np.float32)
    for i in range(rows):
        x = points[first + i]
        best = values[i]
        where = indices[i]
        held = 0
        for j in range(c):
            other = candidates[i, j]
            if other == first + i:
                total = np.float32(np.inf)
            else:
                y = points[other]
                for lane in range(LANES):
                    acc[lane] = 0.0
                for base in range(0, whole, LANES):
                    for lane in range(LANES):
                        acc[lane] += x[base + lane] * y[base + lane]
                total = np.float32(0.0)
                for lane in range(LANES):
                    total += acc[lane]
                for q in range(whole, dim):
                    total += x[q] * y[q]
            held = _keep(best, where, held, total, other)
    return indices, values
