"""Metrics by name with ranx, over graded labels, in both directions.

ranx counts a label as relevant when its grade is >= 1 (its default ``rel_lvl=1``): precision,
recall, MAP and MRR treat grade 1 and grade 2 alike; nDCG uses the grades as linear gains.
Queries with no label of grade >= 1 are left out (they have nothing to find) and counted apart.
"""

from __future__ import annotations

import logging
import math
import warnings

from policymatch.evaluation.datasets import Qrels
from policymatch.evaluation.runs import Run, ranx_dict

logger = logging.getLogger(__name__)

MATCH_METRICS = ("ndcg@10", "precision@5", "recall@20", "recall@50", "map", "mrr")
# A campaign reads the first few enterprises of each policy, so push adds shallow cut-offs to
# the match metrics (a reader of metrics.json finds the same names in both directions).
PUSH_METRICS = (
    "ndcg@10",
    "precision@5",
    "precision@10",
    "precision@20",
    "recall@5",
    "recall@10",
    "recall@20",
    "recall@50",
    "map",
    "mrr",
)
BASELINE = "bm25"


def judged_queries(qrels: Qrels) -> Qrels:
    """Qrels of the queries that have something to find (a label of grade >= 1)."""
    return {
        query_id: dict(labels)
        for query_id, labels in sorted(qrels.items())
        if any(grade >= 1 for grade in labels.values())
    }


def push_qrels(qrels: Qrels) -> Qrels:
    """Transpose labels for the push direction: ``{policy_id: {enterprise_id: grade}}``.

    Only policies with at least one grade-1 or grade-2 label are kept.
    """
    columns: Qrels = {}
    for enterprise_id, labels in qrels.items():
        for policy_id, grade in labels.items():
            columns.setdefault(policy_id, {})[enterprise_id] = grade
    return judged_queries(columns)


def _ranx_pair(qrels: Qrels, run: Run, name: str):
    from ranx import Qrels as RanxQrels
    from ranx import Run as RanxRun

    scored = ranx_dict(run)
    # Every judged query gets an entry, empty when the method returned nothing for it.
    run_dict = {query_id: scored.get(query_id, {}) for query_id in qrels}
    return RanxQrels(qrels), RanxRun(run_dict, name=name)


def evaluate_run(
    qrels: Qrels, run: Run, metrics: tuple[str, ...] = MATCH_METRICS, name: str = "run"
) -> dict[str, float]:
    """Mean of each metric over the judged queries of ``qrels``.

    Args:
        qrels: Graded labels; queries without a grade >= 1 label are skipped.
        run: Ranked hits per query; queries the run lacks score 0.
        metrics: ranx metric names such as ``ndcg@10``.

    Returns:
        ``{metric: mean in [0, 1]}``; all zeros when no query is judged.
    """
    judged = judged_queries(qrels)
    if not judged:
        return {metric: 0.0 for metric in metrics}
    per_query = per_query_scores(judged, run, metrics, name=name)
    return {metric: sum(values.values()) / len(values) for metric, values in per_query.items()}


def per_query_scores(
    qrels: Qrels, run: Run, metrics: tuple[str, ...] = MATCH_METRICS, name: str = "run"
) -> dict[str, dict[str, float]]:
    """``{metric: {query_id: score}}`` over the judged queries of ``qrels``."""
    from ranx import evaluate

    judged = judged_queries(qrels)
    if not judged:
        return {metric: {} for metric in metrics}
    if not any(run.get(query_id) for query_id in judged):
        # ranx cannot build a run with no document at all; nothing retrieved scores 0.
        return {metric: dict.fromkeys(judged, 0.0) for metric in metrics}
    ranx_qrels, ranx_run = _ranx_pair(judged, run, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba's uint64 -> int64 cast notice inside ranx
        scores = evaluate(ranx_qrels, ranx_run, list(metrics), return_mean=False)
    if len(metrics) == 1:
        scores = {metrics[0]: scores}
    query_ids = list(ranx_qrels.keys())
    return {
        metric: {qid: float(value) for qid, value in zip(query_ids, scores[metric], strict=True)}
        for metric in metrics
    }


def significance(
    qrels: Qrels,
    runs: dict[str, Run],
    metrics: tuple[str, ...] = MATCH_METRICS,
    baseline: str = BASELINE,
) -> dict[str, dict[str, float | None]]:
    """Paired t-test p-values of each method against ``baseline`` (ranx.compare, ``student``).

    Returns:
        ``{method: {metric: p}}`` for every method but the baseline; ``p`` is None where the
        test is undefined (identical per-query scores) and the dict is empty when the baseline
        was not run or fewer than two queries are judged.
    """
    from ranx import compare

    judged = judged_queries(qrels)
    if baseline not in runs or len(runs) < 2 or len(judged) < 2:
        return {}
    if not all(any(run.get(query_id) for query_id in judged) for run in runs.values()):
        return {}  # a method retrieved nothing at all: ranx cannot compare it
    pairs = [_ranx_pair(judged, run, name) for name, run in runs.items()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = compare(
            pairs[0][0], [run for _, run in pairs], list(metrics), stat_test="student"
        ).to_dict()
    comparisons = report[baseline]["comparisons"]
    out: dict[str, dict[str, float | None]] = {}
    for method in runs:
        if method == baseline:
            continue
        out[method] = {metric: _finite(comparisons[method][metric]) for metric in metrics}
    return out


def _finite(value: float) -> float | None:
    number = float(value)
    return None if math.isnan(number) else number
