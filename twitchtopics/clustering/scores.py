"""How well each message sits in its group, in the space the grouping saw.

`silhouettes` (exact up to `EXACT_SILHOUETTE_MAX` clustered messages, else
`sampled_silhouette`, linear in the number of messages, and bounded: above
`SILHOUETTE_POINTS` messages only a seeded sample of them is scored) and `centrality` (used
to pick representative messages). Outliers (-1) get NaN in both. Silhouettes are a report
number (the printout's "mean silhouette"); they are not worth seconds of a run (issue 17).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EXACT_SILHOUETTE_MAX = 2_000
"""Up to this many clustered messages silhouettes are exact (quadratic: 0.1 s at 2,000, 7 s
at 10,000 on 2 busy cores); above, `sampled_silhouette` estimates them (0.2 s at 10,000,
mean within 0.001 of the exact value on 300 synthetic groups), and the bundle records which
was used."""

SILHOUETTE_POINTS = 50_000
"""Above this many clustered messages, `sampled_silhouette` scores a seeded sample of this
many (the others get NaN, like outliers): a group's mean over dozens of sampled members is
what the report shows, and scoring a million messages cost 40 s on 2 busy cores."""


@dataclass
class SilhouetteResult:
    """Per-message silhouettes (NaN for outliers) and how they were computed."""

    values: np.ndarray
    method: str


def silhouettes(
    features: np.ndarray, labels: np.ndarray, *, exact_max: int = EXACT_SILHOUETTE_MAX
) -> SilhouetteResult:
    """Silhouette of every clustered message in the space the clustering saw.

    Outliers (-1) get NaN and are not scored. Exact (scikit-learn, computed in blocks) up to
    `exact_max` clustered messages; above that `sampled_silhouette`, linear in the number
    of messages. With a single group a silhouette is undefined: NaN.
    """
    labels = np.asarray(labels)
    values = np.full(len(labels), np.nan)
    mask = labels >= 0
    groups = np.unique(labels[mask])
    if len(groups) < 2:
        return SilhouetteResult(values, "undefined (fewer than two groups)")
    points, member_labels = features[mask], labels[mask]
    if mask.sum() <= exact_max:
        from sklearn.metrics import silhouette_samples

        values[mask] = silhouette_samples(points, member_labels, metric="euclidean")
        return SilhouetteResult(values, "exact")
    values[mask] = sampled_silhouette(points, member_labels)
    scored = "" if mask.sum() <= SILHOUETTE_POINTS else f", {SILHOUETTE_POINTS} messages scored"
    return SilhouetteResult(
        values,
        f"sampled ({SAMPLE_PER_GROUP} members per group, {CANDIDATE_GROUPS} nearest groups"
        f"{scored})",
    )


SAMPLE_PER_GROUP = 64
SILHOUETTE_CHUNK = 8192
"""Points measured at once against one group's sample by `sampled_silhouette` (bounds its
memory to chunk x sample distances, 4 MB)."""
CANDIDATE_GROUPS = 8


def sampled_silhouette(
    points: np.ndarray,
    labels: np.ndarray,
    *,
    per_group: int = SAMPLE_PER_GROUP,
    candidates: int = CANDIDATE_GROUPS,
    max_points: int | None = None,
    seed: int = 0,
) -> np.ndarray:
    """An estimate of the exact silhouette, linear in the number of points.

    a(i) is the mean distance to (a seeded sample of at most `per_group` of) the other members
    of i's group, b(i) the smallest mean distance to the sample of another group, searched
    among the `candidates` groups whose centroids are nearest to i itself (a k-d tree over
    the centroids): per point, not per group, because a group spread over the whole stream
    (laughter) has different neighbours at different times. Groups no larger than the sample
    are measured exactly, and with at most `candidates` other groups every group is searched,
    so small inputs get the exact silhouette. Unlike the simplified (centroid) silhouette it
    is not biased upwards: on a real 4,800-message chat its mean is within 0.01 of the exact
    one (tests/test_cluster.py). Above `max_points` (default `SILHOUETTE_POINTS`) points, only
    a seeded sample of that many is scored and the others get NaN. Cost: scored points x
    (candidates + 1) x sample distances, one matrix product per group.
    """
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(seed)
    max_points = SILHOUETTE_POINTS if max_points is None else max_points
    pts = np.asarray(points, dtype=np.float64)
    groups, index = np.unique(labels, return_inverse=True)
    n_groups = len(groups)
    out = np.zeros(len(pts))
    if n_groups < 2:
        return out
    counts = np.bincount(index, minlength=n_groups)
    order = np.argsort(index, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)])
    members = [order[starts[g] : starts[g + 1]] for g in range(n_groups)]
    samples = [
        m if len(m) <= per_group else np.sort(rng.choice(m, per_group, replace=False))
        for m in members
    ]
    centroids = (
        np.stack(
            [
                np.bincount(index, weights=pts[:, j], minlength=n_groups)
                for j in range(pts.shape[1])
            ],
            axis=1,
        )
        / counts[:, None]
    )
    k = min(candidates, n_groups - 1)
    scored = np.arange(len(pts))
    if len(pts) > max_points:  # a seeded sample of the messages gets a value, the rest NaN
        out[:] = np.nan
        scored = np.sort(rng.choice(len(pts), max_points, replace=False))
    own = index[scored]
    if k == n_groups - 1:  # every other group is a candidate
        others = np.broadcast_to(np.arange(n_groups), (len(scored), n_groups))
        others = others[others != own[:, None]].reshape(len(scored), k)
    else:
        _, near = cKDTree(centroids).query(pts[scored], k=k + 1)
        near = np.asarray(near).reshape(len(scored), k + 1)
        drop = near == own[:, None]
        drop[~drop.any(axis=1), -1] = True  # own group not among them: drop the farthest
        others = near[~drop].reshape(len(scored), k)
    squares = (pts**2).sum(axis=1)
    # one matrix product per group: its scored members against its sample (a), then the
    # scored points that have it among their candidates against the same sample (b)
    a = _per_group(pts, squares, scored, own, samples, leave_out=True)
    pair_mean = _per_group(pts, squares, np.repeat(scored, k), others.ravel(), samples)
    b = pair_mean.reshape(len(scored), k).min(axis=1)
    denom = np.maximum(a, b)
    value = np.where(denom > 0, (b - a) / np.where(denom > 0, denom, 1.0), 0.0)
    value[counts[own] == 1] = 0.0  # scikit-learn's convention for a group of one
    out[scored] = value
    return out


def _per_group(
    pts: np.ndarray,
    squares: np.ndarray,
    rows: np.ndarray,
    group: np.ndarray,
    samples: list[np.ndarray],
    *,
    leave_out: bool = False,
) -> np.ndarray:
    """For each pair (rows[i], group[i]), the mean distance of that point to the group's
    sample; the pairs are sorted by group so that each group is one `_mean_distance` call."""
    out = np.empty(len(rows))
    by_group = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[by_group], np.arange(len(samples) + 1))
    for h in np.flatnonzero(np.diff(bounds)):
        chosen = by_group[bounds[h] : bounds[h + 1]]
        out[chosen] = _mean_distance(pts, squares, rows[chosen], samples[h], leave_out=leave_out)
    return out


def _mean_distance(
    pts: np.ndarray,
    squares: np.ndarray,
    rows: np.ndarray,
    sample: np.ndarray,
    *,
    leave_out: bool = False,
) -> np.ndarray:
    """Mean Euclidean distance of each point `pts[rows]` to the points `pts[sample]`, in
    blocks of `SILHOUETTE_CHUNK` rows (one matrix product each); with `leave_out`, a point
    that is in the sample is left out of its own mean."""
    out = np.empty(len(rows))
    ys = pts[sample]
    for start in range(0, len(rows), SILHOUETTE_CHUNK):
        part = rows[start : start + SILHOUETTE_CHUNK]
        sq = squares[part][:, None] + squares[sample][None, :] - 2.0 * pts[part] @ ys.T
        dist = np.sqrt(np.maximum(sq, 0.0))
        count = np.full(len(part), len(sample))
        if leave_out:
            is_self = part[:, None] == sample[None, :]
            dist[is_self] = 0.0
            count = count - is_self.sum(axis=1)
        out[start : start + len(part)] = np.where(
            count > 0, dist.sum(axis=1) / np.maximum(count, 1), 0.0
        )
    return out


def centrality(features: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """How central each clustered message is in its group, 1 = at the centroid, 0 = farthest.

    Used to pick representative messages; NaN for outliers. Linear in the number of messages
    (centroids and each group's farthest distance by bincount / maximum.at).
    """
    labels = np.asarray(labels)
    out = np.full(len(labels), np.nan)
    mask = labels >= 0
    if not mask.any():
        return out
    pts = np.asarray(features, dtype=np.float64)[mask]
    _, index = np.unique(labels[mask], return_inverse=True)
    counts = np.bincount(index).astype(np.float64)
    centres = (
        np.stack([np.bincount(index, weights=pts[:, j]) for j in range(pts.shape[1])], axis=1)
        / counts[:, None]
    )
    dist = np.sqrt(((pts - centres[index]) ** 2).sum(axis=1))
    top = np.zeros(len(counts))
    np.maximum.at(top, index, dist)
    far = top[index]
    out[mask] = np.where(far > 0, 1.0 - dist / np.where(far > 0, far, 1.0), 1.0)
    return out
