"""Fusion math on tiny fixtures, every expected number worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from policymatch.match.fusion import convex, minmax, normalise, ranks, rrf, zscore


def test_ranks_best_first_ties_share_the_best_rank():
    assert ranks(np.array([0.2, 0.9, 0.2, 0.5])).tolist() == [3, 1, 3, 2]


def test_rrf_of_two_retrievers_by_hand():
    # bm25 ranks: d0=1, d1=3, d2=4, d3=2; dense ranks: d0=4, d1=1, d2=2, d3=3
    bm25 = np.array([3.0, 1.0, 0.0, 2.0])
    dense = np.array([0.1, 0.9, 0.5, 0.3])
    fused = rrf([bm25, dense], k=60)
    expected = [1 / 61 + 1 / 64, 1 / 63 + 1 / 61, 1 / 64 + 1 / 62, 1 / 62 + 1 / 63]
    np.testing.assert_allclose(fused, expected)
    # 0.032266 > 0.032018 > 0.032002 > 0.031754
    assert np.argsort(-fused).tolist() == [1, 0, 3, 2]


def test_rrf_k_damps_the_lead_of_the_top_rank():
    first, second = rrf([np.array([2.0, 1.0])], k=1)
    assert (first, second) == pytest.approx((1 / 2, 1 / 3))
    first, second = rrf([np.array([2.0, 1.0])], k=60)
    assert first - second == pytest.approx(1 / 61 - 1 / 62)


def test_rrf_tied_items_get_equal_scores():
    fused = rrf([np.array([1.0, 1.0, 0.0]), np.array([0.5, 0.5, 0.9])], k=60)
    assert fused[0] == fused[1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[2] == pytest.approx(1 / 63 + 1 / 61)


def test_minmax_and_zscore():
    np.testing.assert_allclose(minmax(np.array([2.0, 4.0, 6.0])), [0.0, 0.5, 1.0])
    np.testing.assert_allclose(minmax(np.array([3.0, 3.0])), [0.0, 0.0])
    # mean 2, population std sqrt(2/3) = 0.816497
    np.testing.assert_allclose(
        zscore(np.array([1.0, 2.0, 3.0])), [-1.224745, 0.0, 1.224745], atol=1e-6
    )
    np.testing.assert_allclose(zscore(np.array([5.0, 5.0, 5.0])), [0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="unknown normalisation"):
        normalise(np.array([1.0]), "softmax")  # type: ignore[arg-type]


def test_convex_combination_of_minmax_scores_by_hand():
    bm25 = np.array([0.0, 5.0, 10.0])  # -> 0, 0.5, 1
    dense = np.array([0.9, 0.5, 0.1])  # -> 1, 0.5, 0
    np.testing.assert_allclose(convex([bm25, dense], [0.3, 0.7]), [0.7, 0.5, 0.3])
    # weights are scaled to sum to one
    np.testing.assert_allclose(convex([bm25, dense], [3, 7]), [0.7, 0.5, 0.3])
    np.testing.assert_allclose(convex([bm25, dense], [1, 0]), [0.0, 0.5, 1.0])


def test_convex_with_zscore():
    a = np.array([1.0, 2.0, 3.0])  # -> -1.224745, 0, 1.224745
    b = np.array([3.0, 3.0, 6.0])  # mean 4, std sqrt(2) -> -0.707107, -0.707107, 1.414214
    fused = convex([a, b], [0.5, 0.5], norm="zscore")
    np.testing.assert_allclose(fused, [-0.965926, -0.353553, 1.319479], atol=1e-6)


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="differ in length"):
        rrf([np.zeros(3), np.zeros(4)])
    with pytest.raises(ValueError, match="2 weights for 1"):
        convex([np.zeros(3)], [0.5, 0.5])
    with pytest.raises(ValueError, match="non-negative"):
        convex([np.zeros(2), np.ones(2)], [-1, 2])
    with pytest.raises(ValueError, match="no score arrays"):
        rrf([])
