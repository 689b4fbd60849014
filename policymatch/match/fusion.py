"""Fusing the scores of several retrievers over the same items.

Every function takes score arrays aligned on the same items (row ``i`` of each array is item
``i``); higher is better. Reciprocal rank fusion needs no tuning; the convex combination of
normalised scores takes a weight per retriever, tuned on labelled data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from scipy.stats import rankdata

Normalisation = Literal["minmax", "zscore"]
RRF_K = 60


def ranks(scores: np.ndarray) -> np.ndarray:
    """1-based ranks, best first; tied scores share the best rank of their group.

    >>> ranks(np.array([0.2, 0.9, 0.2])).tolist()
    [2.0, 1.0, 2.0]
    """
    return rankdata(-np.asarray(scores, dtype=np.float64), method="min")


def rrf(score_arrays: Sequence[np.ndarray], k: int = RRF_K) -> np.ndarray:
    """Reciprocal rank fusion: ``sum_r 1 / (k + rank_r(i))`` for each item ``i``.

    Args:
        score_arrays: One ``(n,)`` array per retriever, aligned on the same items.
        k: Damping constant; 60 as in Cormack et al. (2009).

    Returns:
        ``(n,)`` float64 fused scores.
    """
    arrays = _aligned(score_arrays)
    fused = np.zeros(arrays[0].shape[0], dtype=np.float64)
    for scores in arrays:
        fused += 1.0 / (k + ranks(scores))
    return fused


def minmax(scores: np.ndarray) -> np.ndarray:
    """Scale to [0, 1]; a constant array (no information) maps to zeros."""
    values = np.asarray(scores, dtype=np.float64)
    if values.size == 0:
        return values
    low, high = float(values.min()), float(values.max())
    if high - low <= 1e-12:
        return np.zeros_like(values)
    return (values - low) / (high - low)


def zscore(scores: np.ndarray) -> np.ndarray:
    """Centre on the mean and divide by the standard deviation; constant -> zeros."""
    values = np.asarray(scores, dtype=np.float64)
    if values.size == 0:
        return values
    spread = float(values.std())
    if spread <= 1e-12:
        return np.zeros_like(values)
    return (values - values.mean()) / spread


def normalise(scores: np.ndarray, how: Normalisation = "minmax") -> np.ndarray:
    """Apply :func:`minmax` or :func:`zscore` by name."""
    if how == "minmax":
        return minmax(scores)
    if how == "zscore":
        return zscore(scores)
    raise ValueError(f"unknown normalisation {how!r}; use 'minmax' or 'zscore'")


def convex(
    score_arrays: Sequence[np.ndarray], weights: Sequence[float], norm: Normalisation = "minmax"
) -> np.ndarray:
    """Weighted sum of normalised scores, the weights scaled to sum to 1.

    Args:
        score_arrays: One ``(n,)`` array per retriever, aligned on the same items.
        weights: One non-negative weight per retriever.
        norm: How each array is normalised before weighting.

    Returns:
        ``(n,)`` float64 fused scores.
    """
    arrays = _aligned(score_arrays)
    if len(weights) != len(arrays):
        raise ValueError(f"{len(weights)} weights for {len(arrays)} score arrays")
    w = np.asarray(weights, dtype=np.float64)
    if (w < 0).any() or w.sum() <= 0:
        raise ValueError(f"weights must be non-negative and not all zero, got {list(weights)}")
    w = w / w.sum()
    fused = np.zeros(arrays[0].shape[0], dtype=np.float64)
    for weight, scores in zip(w, arrays, strict=True):
        fused += weight * normalise(scores, norm)
    return fused


def _aligned(score_arrays: Sequence[np.ndarray]) -> list[np.ndarray]:
    arrays = [np.asarray(a, dtype=np.float64).ravel() for a in score_arrays]
    if not arrays:
        raise ValueError("no score arrays to fuse")
    sizes = {a.shape[0] for a in arrays}
    if len(sizes) != 1:
        raise ValueError(f"score arrays differ in length: {sorted(sizes)}")
    return arrays
