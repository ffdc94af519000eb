"""The n-gram features' TF-IDF and truncated SVD, scikit-learn's numbers without scikit-learn.

`sublinear_tfidf` is ``TfidfTransformer(sublinear_tf=True).fit_transform`` and
`truncated_svd` is ``TruncatedSVD(n_components, random_state=...).fit_transform`` (its
randomized algorithm: 5 power iterations normalised by LU, 10 oversamples), the same
operations in the same order, so the same numbers bit for bit (`tests/test_sparse_svd.py`
compares them with scikit-learn's).

Why not scikit-learn's own: importing it cost 0.55 s of every run (`python -c "import
sklearn.decomposition"` over the modules a run loads anyway, 1.15 s against 0.60 s here),
and its SVD multiplies the sparse matrix on one core: scipy's product holds the GIL. Here
the products (13 per SVD, about 1.1 s of the 1.7 s SVD on the 100k benchmark log's 45,530
distinct texts) are compiled loops (`_sparse_jit.csr_times_dense`) that run in row ranges
side by side (`threads.compiled_threads`); each output row is summed by
one thread in scipy's order, so the numbers do not depend on the thread count.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

import numpy as np
import scipy.sparse as sp

POWER_ITERATIONS = 5
"""`TruncatedSVD`'s default `n_iter` (LU-normalised, as its "auto" normaliser picks above 2)."""

OVERSAMPLES = 10
"""`TruncatedSVD`'s default `n_oversamples`: the random range has n_components + 10 columns."""


def sublinear_tfidf(counts: sp.csr_matrix) -> sp.csr_matrix:
    """1 + log(count), times the smoothed idf (log((1 + n) / (1 + df)) + 1), each row scaled
    to unit L2 norm: ``TfidfTransformer(sublinear_tf=True).fit_transform(counts)`` for float
    counts (the n-gram counts are float32). A new matrix in the counts' precision (float64
    for integer counts)."""
    dtype = counts.dtype if counts.dtype in (np.float32, np.float64) else np.float64
    matrix = sp.csr_matrix(counts, dtype=dtype, copy=True)
    n_rows, n_columns = matrix.shape
    df = np.bincount(matrix.indices, minlength=n_columns).astype(dtype, copy=False)
    df += 1.0
    idf = np.full_like(df, fill_value=n_rows + 1, dtype=dtype)
    idf /= df
    np.log(idf, out=idf)
    idf += 1.0
    np.log(matrix.data, matrix.data)
    matrix.data += 1.0
    matrix.data *= idf[matrix.indices]
    _normalize_rows_l2(matrix)
    return matrix


def _normalize_rows_l2(matrix: sp.csr_matrix) -> None:
    """Each row's stored values divided by the row's L2 norm, in place, rows of norm 0 left
    as they are: scikit-learn's `inplace_csr_row_normalize_l2`, which sums the squares (in
    the values' precision) in float64 one after the other, in stored order. numpy's sums
    add in pairs, so the rows are summed here one stored position at a time, over all rows
    that long at once (rows by decreasing length: those still going are a prefix)."""
    lengths = np.diff(matrix.indptr)
    if not len(lengths):
        return
    by_length = np.argsort(-lengths, kind="stable")
    starts = matrix.indptr[:-1][by_length]
    longer_than = np.searchsorted(-lengths[by_length], -np.arange(lengths.max()), side="left")
    totals = np.zeros(len(lengths))
    for position, rows in enumerate(longer_than):
        values = matrix.data[starts[:rows] + position]
        totals[:rows] += values * values
    norms = np.empty(len(lengths))
    norms[by_length] = np.sqrt(totals)
    norms[norms == 0.0] = 1.0
    for lo in range(0, len(lengths), NORMALIZE_ROWS):  # bounded temporaries
        hi = min(lo + NORMALIZE_ROWS, len(lengths))
        entries = slice(matrix.indptr[lo], matrix.indptr[hi])
        matrix.data[entries] = matrix.data[entries] / np.repeat(norms[lo:hi], lengths[lo:hi])


NORMALIZE_ROWS = 20_000
"""Rows scaled at once by `_normalize_rows_l2` (a float64 copy of their values, ~10 MB)."""


def truncated_svd(
    matrix: sp.csr_matrix,
    n_components: int,
    *,
    random_state: int | np.random.RandomState | None = None,
    parts: int | None = None,
) -> np.ndarray:
    """The rows of `matrix` projected on its `n_components` leading right singular vectors
    (signs fixed so each vector's largest loading is positive), found by the randomized
    range finder: ``TruncatedSVD(n_components, random_state=random_state)
    .fit_transform(matrix)``. `random_state` as scikit-learn's (None: numpy's global
    generator). The products are scipy's (one thread), or with `parts` the compiled loops on
    that many threads: the same numbers."""
    import scipy.linalg

    rng = _random_state(random_state)
    n_rows, n_columns = matrix.shape
    if not 2 <= n_components <= n_columns:
        raise ValueError(f"n_components must be from 2 to {n_columns}, not {n_components}")
    pool = ThreadPoolExecutor(parts - 1) if parts is not None and parts > 1 else None
    with pool or nullcontext():
        rows = _SparseProducts(matrix, pool, parts)
        transposed = n_rows < n_columns  # scikit-learn works on the transpose then
        a, a_t = (rows.transposed(), rows) if transposed else (rows, rows.transposed())
        q = rng.normal(size=(a.shape[1], n_components + OVERSAMPLES))
        if matrix.dtype == np.float32:
            q = q.astype(np.float32, copy=False)
        for _ in range(POWER_ITERATIONS):
            q, _ = scipy.linalg.lu(a.times(q), permute_l=True, check_finite=False)
            q, _ = scipy.linalg.lu(a_t.times(q), permute_l=True, check_finite=False)
        q, _ = scipy.linalg.qr(a.times(q), mode="economic", check_finite=False)
        # Q.T @ A, as scipy computes a dense-by-sparse product: (A.T @ Q).T
        u_hat, _, vt = scipy.linalg.svd(a_t.times(q).T, full_matrices=False, lapack_driver="gesdd")
        components = (q @ u_hat)[:, :n_components].T if transposed else vt[:n_components]
        components = _largest_loading_positive(components)
        return rows.times(components.T)


class _SparseProducts:
    """A CSR matrix times dense blocks: scipy's product, or with `parts` the compiled loop
    (`_sparse_jit.csr_times_dense`) with the rows split by stored entries over that many
    threads. `transposed` gives the transpose's products, each of its rows summed in the
    matrix's row order (as scipy's CSC product sums them)."""

    def __init__(
        self, matrix: sp.csr_matrix, pool: ThreadPoolExecutor | None, parts: int | None
    ) -> None:
        self.shape: tuple[int, int] = matrix.shape
        self._matrix, self._pool, self._parts = matrix, pool, parts
        self._bounds = _entry_balanced_bounds(matrix.indptr, parts) if parts else []

    def transposed(self) -> _SparseProducts:
        """The transpose (``tocsc``: each column's entries in row order), same threads."""
        return _SparseProducts(sp.csr_matrix(self._matrix.T), self._pool, self._parts)

    def times(self, block: np.ndarray) -> np.ndarray:
        """matrix @ block, in the precision scipy would use (the two dtypes' common one)."""
        if self._parts is None:
            return np.asarray(self._matrix @ block)
        from twitchtopics.clustering._sparse_jit import csr_times_dense
        from twitchtopics.clustering.threads import in_ranges

        matrix = self._matrix
        dtype = np.result_type(matrix.dtype, block.dtype)
        data = matrix.data.astype(dtype, copy=False)
        block = np.ascontiguousarray(block, dtype=dtype)
        out = np.zeros((self.shape[0], block.shape[1]), dtype=dtype)

        def run(lo: int, hi: int) -> None:
            csr_times_dense(matrix.indptr, matrix.indices, data, block, out, lo, hi)

        in_ranges(self._pool, self._bounds, run)
        return out


def _entry_balanced_bounds(indptr: np.ndarray, parts: int) -> list[tuple[int, int]]:
    """`parts` contiguous row ranges holding about the same number of stored entries (an
    n-gram column's entries range from 2 to most rows)."""
    n_rows = len(indptr) - 1
    targets = np.asarray(indptr[-1], dtype=np.float64) * np.arange(1, parts) / parts
    cuts = np.searchsorted(indptr[1:], targets, side="left") + 1
    bounds = [0, *np.minimum(cuts, n_rows).tolist(), n_rows]
    return [(lo, hi) for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)]


def _largest_loading_positive(components: np.ndarray) -> np.ndarray:
    """Each row's sign flipped so its largest absolute entry is positive (scikit-learn's
    ``svd_flip(u_based_decision=False)``)."""
    largest = np.argmax(np.abs(components), axis=1)
    signs = np.sign(components[np.arange(len(components)), largest])
    components *= signs[:, np.newaxis]
    return components


def _random_state(seed: int | np.random.RandomState | None) -> np.random.RandomState:
    """scikit-learn's `check_random_state`: numpy's global generator for None."""
    if seed is None:
        return np.random.mtrand._rand
    if isinstance(seed, np.random.RandomState):
        return seed
    return np.random.RandomState(seed)


def l2_normalized_rows(matrix: np.ndarray) -> np.ndarray:
    """Each row divided by its L2 norm (rows of norm under 10 float eps left as they are):
    ``sklearn.preprocessing.normalize(matrix)``, in a new float array."""
    dtype = matrix.dtype if matrix.dtype in (np.float32, np.float64) else np.float64
    rows = np.array(matrix, dtype=dtype, copy=True)
    norms = np.sqrt(np.einsum("ij,ij->i", rows, rows))
    norms[norms < 10 * np.finfo(norms.dtype).eps] = 1.0
    rows /= norms[:, None]
    return rows
