"""`clustering.sparse_svd` gives scikit-learn's TF-IDF, TruncatedSVD and normalize numbers."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from twitchtopics.clustering.sparse_svd import (
    _entry_balanced_bounds,
    l2_normalized_rows,
    sublinear_tfidf,
    truncated_svd,
)


def counts_matrix(rows: int, columns: int, seed: int, dtype: type = np.float32) -> sp.csr_matrix:
    """Counts like the n-gram matrix's: skewed column use, rows in first-seen column order
    (not sorted), one empty row."""
    rng = np.random.default_rng(seed)
    matrix = sp.random(
        rows, columns, density=0.05, format="csr", random_state=seed, dtype=np.float64
    )
    matrix.data = np.ceil(matrix.data * 4)
    matrix = matrix.astype(dtype)
    for i in range(rows):  # unsorted indices within rows
        lo, hi = matrix.indptr[i], matrix.indptr[i + 1]
        order = rng.permutation(hi - lo)
        matrix.indices[lo:hi] = matrix.indices[lo:hi][order]
        matrix.data[lo:hi] = matrix.data[lo:hi][order]
    matrix.data[matrix.indptr[3] : matrix.indptr[4]] = 0.0  # a row of stored zeros
    matrix.has_sorted_indices = False
    return matrix


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sublinear_tfidf_is_scikit_learns(dtype: type) -> None:
    from sklearn.feature_extraction.text import TfidfTransformer

    counts = counts_matrix(300, 120, seed=1, dtype=dtype)
    counts.data[counts.data == 0] = 1  # TF-IDF of real counts: no stored zeros
    expected = TfidfTransformer(sublinear_tf=True).fit_transform(counts)
    got = sublinear_tfidf(counts)
    assert got.dtype == expected.dtype
    assert np.array_equal(got.indptr, expected.indptr)
    assert np.array_equal(got.indices, expected.indices)
    assert np.array_equal(got.data, expected.data)


@pytest.mark.parametrize(("rows", "columns"), [(400, 150), (120, 400)])
@pytest.mark.parametrize("parts", [None, 1, 3])
def test_truncated_svd_is_scikit_learns(rows: int, columns: int, parts: int | None) -> None:
    """Both of scikit-learn's orientations (it transposes a matrix with fewer rows than
    columns), with scipy's products and the compiled ones on one thread and three."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfTransformer

    counts = counts_matrix(rows, columns, seed=rows)
    counts.data[counts.data == 0] = 1
    matrix = TfidfTransformer(sublinear_tf=True).fit_transform(counts)
    expected = TruncatedSVD(n_components=30, random_state=7).fit_transform(matrix)
    got = truncated_svd(sp.csr_matrix(matrix), 30, random_state=7, parts=parts)
    assert got.dtype == expected.dtype
    assert np.array_equal(got, expected)


def test_truncated_svd_without_seed_draws_from_numpys_global_generator() -> None:
    from sklearn.decomposition import TruncatedSVD

    matrix = counts_matrix(200, 90, seed=4)
    np.random.seed(11)
    expected = TruncatedSVD(n_components=10).fit_transform(matrix)
    np.random.seed(11)
    assert np.array_equal(truncated_svd(matrix, 10), expected)


def test_truncated_svd_checks_the_component_count() -> None:
    with pytest.raises(ValueError, match="n_components"):
        truncated_svd(counts_matrix(50, 20, seed=2), 21)


def test_l2_normalized_rows_is_scikit_learns() -> None:
    from sklearn.preprocessing import normalize

    rng = np.random.default_rng(5)
    for dtype in (np.float32, np.float64, np.int64):
        matrix = (rng.normal(size=(60, 9)) * 10).astype(dtype)
        matrix[7] = 0
        got = l2_normalized_rows(matrix)
        expected = normalize(matrix)
        assert got.dtype == expected.dtype
        assert np.array_equal(got, expected)
        assert got is not matrix


def test_entry_balanced_bounds_cover_every_row_once() -> None:
    indptr = np.array([0, 50, 51, 52, 53, 100, 100, 180])
    for parts in (1, 2, 3, 9):
        bounds = _entry_balanced_bounds(indptr, parts)
        assert len(bounds) == parts
        assert bounds[0][0] == 0 and bounds[-1][1] == len(indptr) - 1
        assert all(a[1] == b[0] for a, b in zip(bounds[:-1], bounds[1:], strict=True))
        assert all(lo <= hi for lo, hi in bounds)
    assert _entry_balanced_bounds(indptr, 2) == [(0, 5), (5, 7)]  # 100 and 80 entries


def test_small_logs_text_features_import_neither_scikit_learn_nor_numba() -> None:
    """The n-gram features of a small log (below the compiled loops' size) load neither
    scikit-learn (0.55 s to import) nor numba (a compile on a fresh machine)."""
    import subprocess
    import sys

    code = (
        "import sys, numpy as np\n"
        "from twitchtopics.clustering.features import text_features\n"
        "texts = [f'message {i} about topic {i % 7} ponceJAM' for i in range(300)]\n"
        "emb = np.random.default_rng(0).normal(size=(300, 8)).astype(np.float32)\n"
        "out = text_features(emb, texts, random_state=0)\n"
        "assert out.shape[0] == 300 and out.shape[1] > 8, out.shape\n"
        "print(sorted(m for m in ('sklearn', 'numba') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr[-2000:]
