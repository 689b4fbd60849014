"""The push direction as ``policymatch push`` ships it, for evaluation.

The eval's other push figures read the matcher's pair scores by column: they include BM25 and
the per-view dense features, which a campaign never computes. This module instead scores every
(enterprise, item) pair of a labelled set through :class:`~policymatch.match.batch.BatchScorer`
exactly as a campaign does: :meth:`~BatchScorer.score` (relevance bound and the rules'
prefilter), then :meth:`~BatchScorer.judge` (eligibility, features, ranker) for every pair the
prefilter keeps, only the verdicts a campaign lists by default, and a policy record stands for
its items by an enterprise's best listed item. A campaign judges fewer pairs (only those whose
bound can still enter a list) but, the bound never being below the judged score, its lists are
the same as judging them all, so the run here is what a campaign over these enterprises lists.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from policymatch.embed.base import Embedder
from policymatch.evaluation.runs import Hit, Run, order_hits
from policymatch.match.index import PolicyIndex
from policymatch.profile.models import EnterpriseProfile
from policymatch.push.models import DEFAULT_VERDICTS
from policymatch.push.topn import SCORE_DECIMALS

if TYPE_CHECKING:
    from policymatch.match.batch import BatchScorer
    from policymatch.match.learned import LinearRanker
    from policymatch.match.ranking import HandWeightedRanker

logger = logging.getLogger(__name__)

CHUNK_SIZE = 512  # enterprises scored at once; the labelled sets hold a few hundred


def campaign_scorer(
    index: PolicyIndex,
    embedder: Embedder,
    *,
    as_of: dt.date | None = None,
    ignore_validity: bool = False,
    ranker: HandWeightedRanker | LinearRanker | None = None,
) -> BatchScorer:
    """The scorer a campaign builds (prefilter on), over ``index``.

    Args:
        index: The evaluated records' index (the eval matcher's ``index``).
        embedder: The embedder that built it.
        as_of: Day validity and ages are judged on; None is today.
        ignore_validity: Judge every item as in force, as the eval's ``--ignore-validity``:
            the scorer sees cards without their end dates (the index itself is not changed).
        ranker: None for the ranker ``policymatch push`` uses by default.
    """
    from policymatch.match.batch import BatchScorer

    if ignore_validity:
        index = _in_force(index)
    return BatchScorer(index, embedder, as_of=as_of, ranker=ranker, use_prefilter=True)


def campaign_push_run(
    scorer: BatchScorer,
    profiles: Sequence[EnterpriseProfile],
    item_to_record: dict[str, str],
    *,
    k: int | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Run:
    """Rank enterprises per policy record as a push campaign over ``profiles`` would.

    Args:
        scorer: From :func:`campaign_scorer`.
        profiles: The enterprises (each scored against every item).
        item_to_record: ``{item_id: record_id}``; items the index lacks are skipped.
        k: Enterprises kept per record (all listed ones when None).
        chunk_size: Enterprises scored per :meth:`~BatchScorer.score` call.

    Returns:
        ``{record_id: [Hit(enterprise_id, score, best item), ...]}`` best first (score rounded
        as campaigns round it, ties by enterprise id); an enterprise the prefilter or the
        verdict rules out of every item of a record is not on that record's list.
    """
    item_ids = scorer.known_items(list(item_to_record))
    if len(item_ids) < len(item_to_record):
        logger.warning("%d items not in the index", len(item_to_record) - len(item_ids))
    best: dict[str, dict[str, Hit]] = {}
    profiles = list(profiles)
    for start in range(0, len(profiles), chunk_size):
        chunk = profiles[start : start + chunk_size]
        scores = scorer.score(chunk, item_ids)
        for j, item_id in enumerate(item_ids):
            rows = np.flatnonzero(scores.possible[:, j])
            if not len(rows):
                continue
            judged = scorer.judge(item_id, [chunk[r] for r in rows], scores.relevance[rows, j])
            listed = best.setdefault(item_to_record[item_id], {})
            for match in judged:
                if match.verdict not in DEFAULT_VERDICTS:
                    continue
                score = round(float(match.score), SCORE_DECIMALS)
                current = listed.get(match.enterprise_id)
                # equal scores: the smaller item id explains the record, as aggregate_to_records
                if (
                    current is None
                    or score > current.score
                    or (score == current.score and item_id < (current.item_id or ""))
                ):
                    listed[match.enterprise_id] = Hit(match.enterprise_id, score, item_id, match)
    run: Run = {}
    for record_id in sorted(best):
        ordered = order_hits(best[record_id].values())
        run[record_id] = ordered if k is None else ordered[:k]
    return run


def _in_force(index: PolicyIndex) -> PolicyIndex:
    """A shallow copy of ``index`` whose cards carry no end date, so nothing is expired."""
    view = copy.copy(index)
    view.cards = {
        item_id: card.model_copy(update={"valid_until": None, "apply_end": None})
        for item_id, card in index.cards.items()
    }
    return view
