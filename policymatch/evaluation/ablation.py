"""Learned-ranker training data, model comparison and feature-group ablation.

:func:`collect_pairs` scores every (enterprise, item) pair of a labelled set with the ``full``
method's features (the matcher's own code, so training sees exactly what ranking sees) and keeps
the eligible ones (not 不符合: those are sorted last whatever the score). :func:`compare_models`
cross-validates the logistic regression, gradient boosting and the hand-weighted score on the
tune split, by enterprise or by enterprise and document; :func:`ablation` retrains without each
feature group and scores the report split.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from policymatch.evaluation.datasets import EvalDataset, Qrels
from policymatch.match.features import FEATURE_GROUPS, FEATURE_NAMES
from policymatch.match.learned import (
    DEFAULT_C,
    PairTable,
    cross_validate,
    document_of,
    evaluate_scores,
    fit_linear,
    fit_trees,
)
from policymatch.match.ranking import HandWeightedRanker
from policymatch.settings import Settings

logger = logging.getLogger(__name__)

INELIGIBLE = "不符合"
ALL_VERDICTS = ("推荐", "可能符合", INELIGIBLE)
C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0)
PAIRS_FORMAT = 2  # cached pair tables of another format are rebuilt
Progress = Callable[[str, int, int], None]


def collect_pairs(
    dataset: EvalDataset,
    settings: Settings,
    *,
    as_of: dt.date | None = None,
    ignore_validity: bool = True,
    batch_size: int = 8,
    progress: Progress | None = None,
) -> PairTable:
    """Features of every eligible (enterprise, item) pair of ``dataset``, with grades.

    The table is cached next to the evaluation index (same key: records, embedder, code).

    Args:
        dataset: Records, profiles and qrels (all enterprises; split later).
        settings: Index cache location and embedder.
        as_of, ignore_validity: As in ``policymatch eval`` (labels of the dev sets ignore validity).
        batch_size: Profiles ranked per call.
        progress: ``progress(stage, done, total)``.

    Returns:
        One row per eligible pair; ``grades`` from the qrels (0 for unjudged pairs).
    """
    from policymatch.evaluation.ranker import build_ranker, cache_key
    from policymatch.evaluation.runner import prepare_corpus

    corpus = prepare_corpus(dataset.records)
    key = hashlib.sha256(
        json.dumps(
            [
                PAIRS_FORMAT,
                cache_key(corpus, settings),
                sorted(p.model_dump_json() for p in dataset.profiles),
                None if ignore_validity else (as_of or dt.date.today()).isoformat(),
            ]
        ).encode()
    ).hexdigest()[:16]
    cached = settings.cache_dir / "pairs" / f"{key}.npz"
    if cached.is_file():
        logger.info("pair features cache hit: %s", cached)
        return _attach_grades(_read_table(cached), dataset.qrels)
    matcher = build_ranker(corpus, settings, progress=progress)
    matcher.config.views = "all"  # a model to come may weigh what the shipped one does not
    n_items = len(corpus.items)
    rows: list[np.ndarray] = []
    queries: list[str] = []
    records: list[str] = []
    profiles = list(dataset.profiles)
    for start in range(0, len(profiles), batch_size):
        batch = profiles[start : start + batch_size]
        results = matcher.rank(  # type: ignore[call-arg]
            batch,
            "full",
            n_items,
            as_of=as_of,
            ignore_validity=ignore_validity,
            verdicts=ALL_VERDICTS,
        )
        for result in results:
            # item order, not the installed ranker's: the negatives a retrain samples by
            # position must not depend on which model ranked the pairs
            for match in sorted(result.matches, key=lambda m: m.item_id):
                if match.verdict == INELIGIBLE:
                    continue
                rows.append(np.array([match.features.get(n, 0.0) for n in FEATURE_NAMES]))
                queries.append(result.query_id)
                records.append(corpus.item_to_record[match.item_id])
        if progress:
            progress("features", min(start + batch_size, len(profiles)), len(profiles))
    table = PairTable(
        names=FEATURE_NAMES,
        features=np.vstack(rows) if rows else np.zeros((0, len(FEATURE_NAMES))),
        queries=np.array(queries, dtype=object),
        records=np.array(records, dtype=object),
        grades=np.zeros(len(rows), dtype=int),
        judged=np.zeros(len(rows), dtype=bool),
    )
    cached.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        cached,
        names=np.array(table.names),
        features=table.features,
        queries=table.queries.astype(str),
        records=table.records.astype(str),
    )
    return _attach_grades(table, dataset.qrels)


def _read_table(path: Path) -> PairTable:
    with np.load(path, allow_pickle=False) as data:
        n = len(data["queries"])
        return PairTable(
            names=tuple(str(n) for n in data["names"]),
            features=data["features"],
            queries=data["queries"].astype(object),
            records=data["records"].astype(object),
            grades=np.zeros(n, dtype=int),
            judged=np.zeros(n, dtype=bool),
        )


def _attach_grades(table: PairTable, qrels: Qrels) -> PairTable:
    grades = np.zeros(len(table.queries), dtype=int)
    judged = np.zeros(len(table.queries), dtype=bool)
    for i, (query, record) in enumerate(zip(table.queries, table.records, strict=True)):
        labels = qrels.get(query)
        if labels is not None and record in labels:
            grades[i] = labels[record]
            judged[i] = True
    table.grades, table.judged = grades, judged
    present = set(table.queries)
    table.qrels = {q: dict(labels) for q, labels in qrels.items() if q in present}
    return table


# Cuts of a profile a retrain may also fit on (``--thin``): member lists often hold less than
# the labelled profiles, and a model that never saw a profile without needs ranks those badly.
THIN_CUTS: dict[str, tuple[str, ...]] = {
    "without needs": ("needs",),
    "structured fields and scope": ("needs", "description", "tags"),
}


def thin_profiles(dataset: EvalDataset, fields: Sequence[str]) -> EvalDataset:
    """The same labelled set with ``fields`` of every profile emptied (ids and labels kept)."""
    profiles = [
        p.model_copy(update={f: [] if isinstance(getattr(p, f), list) else "" for f in fields})
        for p in dataset.profiles
    ]
    return dataclasses.replace(dataset, profiles=profiles)


def split_table(table: PairTable, split: dict[str, str], which: str) -> PairTable:
    """The pairs of the enterprises in one part (``tune``/``report``) of the split."""
    return table.for_queries({q for q, part in split.items() if part == which})


Extra = Sequence[tuple[PairTable, float]]


def held_in(extra: Extra, table: PairTable, train: PairTable) -> list[tuple[PairTable, float]]:
    """The extra sets without what a CV fold holds out of ``train``: the enterprises of
    ``table`` it lacks and, when the fold holds out documents too, the pairs of those documents.

    The same enterprise (or document: the item set's records are items of the dev set's
    documents) in another labelled set would otherwise leak its held-out labels into the fold's
    model; an extra set's own enterprises and documents always stay.
    """
    held_out = list(set(table.queries) - set(train.queries))
    trained_documents = {document_of(r) for r in train.records}
    held_documents = {document_of(r) for r in table.records} - trained_documents
    kept = []
    for other, weight in extra:
        in_held = np.array([document_of(r) in held_documents for r in other.records], dtype=bool)
        kept.append((other.subset(~np.isin(other.queries, held_out) & ~in_held), weight))
    return kept


def choose_c(
    tune: PairTable, folds: int = 5, extra: Extra = (), *, new_documents: bool = False
) -> tuple[float, dict[float, float]]:
    """The regularisation of the sign-constrained model with the best CV nDCG@10 on ``tune``
    (ties: the stronger regularisation), and the figure of each candidate.

    ``extra`` sets (see :func:`~policymatch.match.learned.fit_linear`) join every fold's
    training pairs; the figure is always measured on ``tune``'s held-out enterprises (and, with
    ``new_documents``, held-out documents: see :func:`~policymatch.match.learned.cross_validate`).
    With too few relevant documents to fit on half of them, every figure is NaN and C is
    :data:`~policymatch.match.learned.DEFAULT_C`.
    """
    figures = {
        c: cross_validate(
            tune,
            lambda t, c=c: fit_linear(t, c=c, extra=held_in(extra, tune, t)),
            folds,
            new_documents=new_documents,
        )["ndcg@10"]
        for c in C_GRID
    }
    fitted = {c: v for c, v in figures.items() if not np.isnan(v)}
    if not fitted:  # no fold could be fitted on half the documents
        return DEFAULT_C, figures
    best = max(fitted.values())
    return min(c for c, v in fitted.items() if v >= best - 1e-9), figures


def compare_models(
    tune: PairTable,
    folds: int = 5,
    c: float = DEFAULT_C,
    extra: Extra = (),
    *,
    new_documents: bool = False,
) -> dict[str, dict[str, float]]:
    """Cross-validated nDCG@10 and P@5 on ``tune`` (by enterprise; with ``new_documents`` by
    enterprise and document) of the monotone trees (the shipped kind), their sign-constrained
    linear first stage alone, the unconstrained linear model and the hand-weighted score (which
    needs no fitting; scored on the same held-out rankings). ``extra`` sets join every model's
    training folds."""
    hand = HandWeightedRanker()
    fitters: dict[str, Callable[[PairTable], Any]] = {
        "trees": lambda t: fit_trees(t, c=c, extra=held_in(extra, tune, t)),
        "linear": lambda t: fit_linear(t, c=c, extra=held_in(extra, tune, t)),
        "linear-unsigned": lambda t: fit_linear(
            t, c=c, signed=False, extra=held_in(extra, tune, t)
        ),
        "hand": lambda t: hand,
    }
    return {
        name: cross_validate(tune, fit, folds, new_documents=new_documents)
        for name, fit in fitters.items()
    }


def ablation(
    tune: PairTable,
    report: PairTable,
    groups: dict[str, Sequence[str]] | None = None,
    c: float = DEFAULT_C,
    extra: Extra = (),
    kind: str = "trees",
) -> list[dict[str, object]]:
    """Each feature group removed, the ``kind`` model (linear or trees) retrained on ``tune``
    (and the ``extra`` sets, as the shipped recipe fits them), scored on ``report``.

    Returns:
        Rows ``{"model", "features", "ndcg@10", "precision@5", "delta_ndcg@10"}``: ``all``
        first, then ``-group`` per group, the other kind, the unsigned linear model and the
        hand-weighted score.
    """
    groups = dict(FEATURE_GROUPS if groups is None else groups)
    fitters = {"linear": fit_linear, "trees": fit_trees}
    fit, other = fitters[kind], "trees" if kind == "linear" else "linear"

    def scored(model: Any) -> dict[str, float]:
        return evaluate_scores(report, model.score(report.features, report.names))

    base = scored(fit(tune, c=c, extra=extra))
    rows: list[dict[str, object]] = [
        {"model": f"{kind}, all features", "features": len(FEATURE_NAMES), **base}
    ]
    for group, names in groups.items():
        kept = [n for n in FEATURE_NAMES if n not in set(names)]
        rows.append(
            {
                "model": f"{kind} − {group}",
                "features": len(kept),
                **scored(fit(tune, kept, c=c, extra=extra)),
            }
        )
    unsigned = fit_linear(tune, c=c, signed=False, extra=extra)
    hand = HandWeightedRanker()
    rows += [
        {
            "model": f"{other}, all features",
            "features": len(FEATURE_NAMES),
            **scored(fitters[other](tune, c=c, extra=extra)),
        },
        {
            "model": "linear, no sign constraints",
            "features": len(FEATURE_NAMES),
            **scored(unsigned),
        },
        {"model": "hand-weighted", "features": len(hand.weights), **scored(hand)},
    ]
    for row in rows:
        row["delta_ndcg@10"] = float(row["ndcg@10"]) - float(base["ndcg@10"])  # type: ignore[arg-type]
    return rows


def markdown_table(rows: list[dict[str, object]]) -> str:
    """The ablation rows as a Markdown table."""
    lines = [
        "| model | features | nDCG@10 | Δ nDCG@10 | P@5 |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row['model']} | {row['features']} | {float(row['ndcg@10']):.3f} | "  # type: ignore[arg-type]
            f"{float(row['delta_ndcg@10']):+.3f} | {float(row['precision@5']):.3f} |"  # type: ignore[arg-type]
        )
    return "\n".join(lines)
