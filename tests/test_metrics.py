import math

import numpy as np
import pytest

from twitchtopics.clustering.metrics import (
    bcubed,
    coverage,
    npmi_coherence,
    outliers_as_singletons,
    score_against_gold,
    topic_diversity,
)


def test_outliers_become_singletons():
    assert outliers_as_singletons([0, -1, 1, -1]).tolist() == [0, 2, 1, 3]
    assert outliers_as_singletons([-1, -1]).tolist() == [0, 1]


def test_bcubed_perfect_and_lumped():
    truth = ["a", "a", "b", "b"]
    assert bcubed(truth, [0, 0, 1, 1]) == (1.0, 1.0, 1.0)
    p, r, f = bcubed(truth, [0, 0, 0, 0])
    assert (p, r) == (0.5, 1.0)
    assert f == pytest.approx(2 / 3)


def test_bcubed_outliers_hurt_recall_not_precision():
    p, r, _ = bcubed(["a", "a", "a", "a"], [-1, -1, -1, -1])
    assert p == 1.0 and r == 0.25


def test_score_against_gold():
    scores = score_against_gold(["a", "a", "b", "b"], [0, 0, 1, -1])
    assert scores["coverage"] == 0.75
    assert 0 < scores["ari"] < 1
    assert scores["bcubed_p"] == 1.0
    assert coverage([]) == 0.0


def test_npmi_and_diversity():
    docs = [["pâtes", "riz"], ["pâtes", "riz"], ["psg", "om"], ["psg", "om"]]
    assert npmi_coherence([["pâtes", "riz"]], docs) == pytest.approx(1.0)
    assert npmi_coherence([["pâtes", "psg"]], docs) == -1.0
    assert math.isnan(npmi_coherence([["x"]], []))
    assert topic_diversity([["a", "b"], ["a", "c"]]) == 0.75
    assert np.isnan(topic_diversity([]))
