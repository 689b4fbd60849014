"""What a campaign needs from matching: score a chunk at once, then judge the few survivors.

The real implementation is :class:`policymatch.match.batch.BatchScorer`; tests may plug in
their own. A campaign stays exact (the same top-N as judging every pair) as long as a judged
score never exceeds the pair's relevance, which the campaign uses as an upper bound to skip
pairs that cannot enter a full list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from policymatch.match.batch import ChunkScores
from policymatch.match.results import Match
from policymatch.profile.models import EnterpriseProfile
from policymatch.settings import Settings


class ChunkScorer(Protocol):
    """Scores enterprises against policy items in bulk and judges chosen pairs in full."""

    def fingerprint(self) -> str:
        """Changes when the index, the model or the as-of date change (part of the resume key)."""
        ...

    def known_items(self, item_ids: Sequence[str]) -> list[str]:
        """The ids among ``item_ids`` this scorer can score, in the given order."""
        ...

    def score(self, profiles: Sequence[EnterpriseProfile], item_ids: Sequence[str]) -> ChunkScores:
        """Vectorised relevance and prefilter of every profile against every item."""
        ...

    def judge(
        self, item_id: str, profiles: Sequence[EnterpriseProfile], relevance: np.ndarray
    ) -> list[Match]:
        """Full eligibility, verdict and reasons for ``profiles`` against one item.

        Args:
            item_id: The item.
            profiles: Enterprises to judge.
            relevance: ``(len(profiles),)`` their relevance from :meth:`score`.

        Returns:
            One Match per profile, in order, with ``score <= relevance``.
        """
        ...


# A picklable callable that builds a scorer where it runs (the driver, or each Ray actor).
ScorerFactory = Callable[[], ChunkScorer]

__all__ = ["ChunkScorer", "ChunkScores", "IndexScorerFactory", "ScorerFactory"]


@dataclass(frozen=True)
class IndexScorerFactory:
    """Builds a :class:`~policymatch.match.batch.BatchScorer` from an index folder, where it runs.

    Picklable, so each Ray actor loads the index (from shared storage) and its own embedder.

    Attributes:
        index_dir: The index folder (or the symlink ``policymatch index`` swaps).
        settings: Embedder choice and cache folder; None reads the worker's own environment.
        as_of: Day validity is judged on; None is today.
        use_prefilter: False when 不符合 pairs are to be listed too.
    """

    index_dir: Path
    settings: Settings | None = None
    as_of: dt.date | None = None
    use_prefilter: bool = True

    def __call__(self) -> ChunkScorer:
        from policymatch.match.batch import BatchScorer

        return BatchScorer.load(
            self.index_dir, self.settings, as_of=self.as_of, use_prefilter=self.use_prefilter
        )
