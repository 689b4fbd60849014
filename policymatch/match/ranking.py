"""Scoring pairs from their features: the :class:`Ranker` interface and the hand-weighted default.

A ranker maps a feature matrix to one score per pair; higher is better. The matcher then puts
every pair with an unmet hard condition (verdict 不符合) below every other pair whatever the
score, so a learned ranker cannot undo the eligibility rules.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from policymatch.match.features import FEATURE_NAMES

if TYPE_CHECKING:
    from policymatch.settings import Settings

logger = logging.getLogger(__name__)
HAND = "hand"

# Retrieval relevance (in [0, 1]) dominates; the structured evidence moves an item by a few
# tenths at most, enough to reorder near neighbours and to sink what cannot apply.
DEFAULT_WEIGHTS: dict[str, float] = {
    "relevance": 1.0,
    "region_same": 0.06,
    "region_contained": 0.04,
    "region_national": 0.0,
    "region_outside": -1.0,
    "region_unknown": -0.02,
    "beneficiary_fit": 0.06,
    "qualification_fit": 0.08,
    "industry_fit": 0.05,
    "need_fit": 0.2,
    "met": 0.01,
    "unmet_hard": -0.5,
    "unmet_soft": -0.05,
    "unknown": -0.01,
    "is_support_measure": 0.1,
    "amount_log": 0.01,
    "expired": -0.3,
}


@runtime_checkable
class Ranker(Protocol):
    """Turns pair features into scores."""

    name: str

    def score(self, features: np.ndarray, names: Sequence[str] = FEATURE_NAMES) -> np.ndarray:
        """Score pairs.

        Args:
            features: ``(n_pairs, len(names))`` float64, see :func:`~policymatch.match.features.feature_matrix`.
            names: The feature of each column.

        Returns:
            ``(n_pairs,)`` float64, higher is better.
        """
        ...


class HandWeightedRanker:
    """A linear score with weights written by hand (or read from a tuned file).

    Args:
        weights: Weight per feature name; features not named weigh 0.
    """

    name = "hand-weighted"

    def __init__(self, weights: Mapping[str, float] | None = None) -> None:
        self.weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
        unknown = set(self.weights) - set(FEATURE_NAMES)
        if unknown:
            raise ValueError(f"weights for unknown features: {sorted(unknown)}")

    def score(self, features: np.ndarray, names: Sequence[str] = FEATURE_NAMES) -> np.ndarray:
        """Weighted sum of the features; see :meth:`Ranker.score`."""
        return np.asarray(features, dtype=np.float64) @ self._vector(names)

    def contributions(self, features: Mapping[str, float]) -> dict[str, float]:
        """Each weighted feature's share of one pair's score (non-zero ones only)."""
        shares = {name: weight * features.get(name, 0.0) for name, weight in self.weights.items()}
        return {name: value for name, value in shares.items() if value}

    def _vector(self, names: Sequence[str]) -> np.ndarray:
        return np.array([self.weights.get(name, 0.0) for name in names], dtype=np.float64)


def default_ranker(settings: Settings | None = None) -> Ranker:
    """The ranker ``full`` uses unless one is passed in.

    ``settings.ranker`` (``$POLICYMATCH_RANKER``) chooses: ``hand`` the hand-weighted score, a
    path a model file written by ``policymatch ranker train``; unset, the model shipped in
    ``policymatch/match/data/ranker.json`` (the hand-weighted score if it is missing).

    Raises:
        InputError: The named model file is missing or malformed.
    """
    from policymatch.match import learned

    if settings is None:
        from policymatch.settings import get_settings

        settings = get_settings()
    choice = (settings.ranker or "").strip()
    if choice == HAND:
        return HandWeightedRanker()
    if choice:
        return learned.load_ranker(choice)
    shipped = learned.shipped_ranker()
    if shipped is None:
        logger.warning("no shipped ranker model: using the hand-weighted score")
        return HandWeightedRanker()
    return shipped
