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


def _ranx_lists(qrels: Qrels, run: Run):
    """Labels and run as the typed lists ranx's metrics read, doc ids numbered exactly.

    ranx's own ``Qrels``/``Run`` hash every id inside numba code compiled per id width and
    cached on disk across processes; one eval run got a run's ids hashed unlike the labels'
    (every hit missed, nDCG 0.10 where the same TREC files score 0.87). Numbering the ids here
    leaves nothing to hash, and the figures are ranx's metric code all the same.
    """
    import numpy as np
    from numba.typed import List as TypedList

    numbers: dict[str, int] = {}

    def encoded(pairs: list[tuple[str, float]]) -> np.ndarray:
        rows = np.array(
            [(numbers.setdefault(doc_id, len(numbers)), value) for doc_id, value in pairs],
            dtype=np.float64,
        ).reshape(-1, 2)
        return rows[np.argsort(-rows[:, 1], kind="stable")]  # ranx reads both best first

    scored = ranx_dict(run)
    label_lists = TypedList([encoded(list(qrels[q].items())) for q in qrels])
    # Every judged query gets an entry, empty when the method returned nothing for it.
    run_lists = TypedList([encoded(list(scored.get(q, {}).items())) for q in qrels])
    return label_lists, run_lists


def evaluate_run(
    qrels: Qrels, run: Run, metrics: tuple[str, ...] = MATCH_METRICS
) -> dict[str, float]:
    """Mean of each metric over the judged queries of ``qrels``.

    Args:
        qrels: Graded labels; queries without a grade >= 1 label are skipped.
        run: Ranked hits per query; queries the run lacks score 0.
        metrics: ranx metric names such as ``ndcg@10``.

    Returns:
        ``{metric: mean in [0, 1]}``; all zeros when no query is judged.
    """
    return mean_scores(per_query_scores(qrels, run, metrics))


def mean_scores(per_query: dict[str, dict[str, float]]) -> dict[str, float]:
    """``{metric: mean}`` of :func:`per_query_scores`' output; 0 for a metric no query has."""
    return {
        metric: sum(values.values()) / len(values) if values else 0.0
        for metric, values in per_query.items()
    }


def per_query_scores(
    qrels: Qrels, run: Run, metrics: tuple[str, ...] = MATCH_METRICS
) -> dict[str, dict[str, float]]:
    """``{metric: {query_id: score}}`` over the judged queries of ``qrels``."""
    from ranx import evaluate

    judged = judged_queries(qrels)
    if not judged:
        return {metric: {} for metric in metrics}
    if not any(run.get(query_id) for query_id in judged):
        # ranx cannot build a run with no document at all; nothing retrieved scores 0.
        return {metric: dict.fromkeys(judged, 0.0) for metric in metrics}
    label_lists, run_lists = _ranx_lists(judged, run)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba's uint64 -> int64 cast notice inside ranx
        # Asked for one metric over typed lists, ranx looks its result up under the bare
        # metric name ('recall', not 'recall@20') and fails; naming it twice returns the dict.
        names = list(metrics) * 2 if len(metrics) == 1 else list(metrics)
        scores = evaluate(label_lists, run_lists, names, return_mean=False)
    query_ids = list(judged)
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
    """Paired t-test p-values of each method against ``baseline`` over per-query scores
    (scipy's ``ttest_rel``, two-sided: what ranx.compare runs for ``stat_test="student"``).

    Returns:
        ``{method: {metric: p}}`` for every method but the baseline; ``p`` is None where the
        test is undefined (identical per-query scores) and the dict is empty when the baseline
        was not run or fewer than two queries are judged.
    """
    from scipy.stats import ttest_rel

    judged = judged_queries(qrels)
    if baseline not in runs or len(runs) < 2 or len(judged) < 2:
        return {}
    if not all(any(run.get(query_id) for query_id in judged) for run in runs.values()):
        return {}  # a method retrieved nothing at all: there is nothing to compare
    scores = {name: per_query_scores(judged, run, metrics) for name, run in runs.items()}
    out: dict[str, dict[str, float | None]] = {}
    for method in runs:
        if method == baseline:
            continue
        out[method] = {}
        for metric in metrics:
            control = [scores[baseline][metric][q] for q in judged]
            treatment = [scores[method][metric][q] for q in judged]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # identical scores: scipy warns and gives nan
                p_value = ttest_rel(control, treatment, alternative="two-sided").pvalue
            out[method][metric] = _finite(p_value)
    return out


def _finite(value: float) -> float | None:
    number = float(value)
    return None if math.isnan(number) else number
