"""Run every ranking method on a labelled set and score it: the ``policymatch eval`` engine.

Flow: records -> documents and items (the corpus stage) -> cards -> a throwaway matcher built
for these records (its index cached by content) -> per method, ranked items per enterprise ->
ranked records (max over items) -> ranx metrics in the match direction, and the same pair scores
read by column for the push direction -> ``metrics.json``, ``runs/*.trec``, ``report.html``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from policymatch.corpus.models import PolicyDocument, PolicyItem, RawRecord
from policymatch.evaluation.datasets import EvalDataset, Qrels, records_sha256
from policymatch.evaluation.metrics import (
    BASELINE,
    MATCH_METRICS,
    PUSH_METRICS,
    evaluate_run,
    judged_queries,
    mean_scores,
    per_query_scores,
    push_qrels,
    significance,
)
from policymatch.evaluation.ranker import Ranker, build_ranker
from policymatch.evaluation.runs import Run, aggregate_to_records, transpose, write_trec_run
from policymatch.match.learned import first_stage
from policymatch.profile.models import EnterpriseProfile
from policymatch.settings import Settings

logger = logging.getLogger(__name__)

METHODS = ("tfidf", "bm25", "dense", "rrf", "hybrid", "full")
DEFAULT_K = 100
# push runs are as deep as match runs, so that map and mrr mean the same in both directions
PUSH_K = DEFAULT_K

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: the CLI draws a bar from it; the library stays quiet."""


@dataclass
class PreparedCorpus:
    """Records split the way the system splits them, and the way back from items to records."""

    records: list[RawRecord]
    documents: list[PolicyDocument]
    items: list[PolicyItem]
    item_to_record: dict[str, str]

    @property
    def titles(self) -> dict[str, str]:
        return {
            doc_id: doc.title for doc_id, doc in zip(self.record_ids, self.documents, strict=True)
        }

    @property
    def record_ids(self) -> list[str]:
        return [record.id or "" for record in self.records]


@dataclass
class EvalOutcome:
    """Everything one evaluation produced, for ``metrics.json`` and the HTML report.

    Attributes:
        metrics: The ``metrics.json`` object: ``{method: {metric: mean}}``, ``push``, ``_meta``.
        runs: ``{method: record run}`` in the match direction (top ``k`` per enterprise).
        push_runs: ``{method: enterprise run per policy}`` (top 20 per policy).
        per_query: ``{method: {metric: {enterprise_id: score}}}``.
        qrels: The labels evaluated (already restricted to the split).
        titles: ``{record_id: title}`` for the report.
        profiles: ``{enterprise_id: profile}``.
    """

    metrics: dict
    runs: dict[str, Run]
    push_runs: dict[str, Run]
    per_query: dict[str, dict[str, dict[str, float]]]
    qrels: Qrels
    titles: dict[str, str]
    profiles: dict[str, EnterpriseProfile]
    methods: list[str] = field(default_factory=list)


def prepare_corpus(records: Sequence[RawRecord]) -> PreparedCorpus:
    """Build documents and items with the corpus stage, remembering each item's record.

    A record whose document id differs from the record id (the metadata stage may derive one)
    is still found: items map to the record they were split from.
    """
    from policymatch.corpus.metadata import build_document
    from policymatch.corpus.split import split_document

    documents: list[PolicyDocument] = []
    items: list[PolicyItem] = []
    item_to_record: dict[str, str] = {}
    for record in records:
        document = build_document(record)
        documents.append(document)
        for item in split_document(document):
            items.append(item)
            item_to_record[item.id] = record.id or document.id
    logger.info("prepared %d records into %d items", len(records), len(items))
    return PreparedCorpus(list(records), documents, items, item_to_record)


def rank_records(
    ranker: Ranker,
    corpus: PreparedCorpus,
    profiles: Sequence[EnterpriseProfile],
    method: str,
    *,
    as_of: dt.date | None,
    ignore_validity: bool,
    batch_size: int = 8,
    progress: Progress | None = None,
) -> Run:
    """Rank every record for every profile with one method (all records, best first).

    Items are requested for the whole corpus so that each (enterprise, record) pair is scored
    once; the match run is cut to ``k`` later and the push run reads the same scores by column.
    """
    k_items = max(len(corpus.items), 1)
    run: Run = {}
    for start in range(0, len(profiles), batch_size):
        batch = list(profiles[start : start + batch_size])
        results = ranker.rank(batch, method, k_items, as_of=as_of, ignore_validity=ignore_validity)
        run.update(aggregate_to_records(results, corpus.item_to_record))
        if progress:
            progress(method, min(start + batch_size, len(profiles)), len(profiles))
    for profile in profiles:
        run.setdefault(profile.id, [])
    return run


def evaluate_dataset(
    dataset: EvalDataset,
    out_dir: Path,
    *,
    methods: Sequence[str] = METHODS,
    as_of: dt.date | None = None,
    ignore_validity: bool = False,
    k: int = DEFAULT_K,
    settings: Settings | None = None,
    ranker: Ranker | None = None,
    progress: Progress | None = None,
) -> EvalOutcome:
    """Run ``methods`` on ``dataset`` and write ``metrics.json``, ``runs/*.trec``, ``report.html``.

    Args:
        dataset: Records, profiles, labels (already cut to a split if wanted).
        out_dir: Created if missing.
        methods: Any of :data:`METHODS`, in the order to show them.
        as_of: 'Today' for validity checks; None means the real today.
        ignore_validity: Treat every policy as in force.
        k: Records kept per enterprise in the match run (>= 50 so recall@50 means something).
        settings: Where the index cache lives and which embedder to use.
        ranker: A ready ranker (tests); built from the records when None.
        progress: Called as work advances.

    Returns:
        The outcome; ``outcome.metrics`` is what ``metrics.json`` holds.
    """
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        from policymatch.errors import InputError

        raise InputError(
            f"unknown method(s) {', '.join(unknown)}; use {', '.join(METHODS)}", field="methods"
        )
    k = max(k, 50)
    out_dir.mkdir(parents=True, exist_ok=True)
    corpus = prepare_corpus(dataset.records)
    qrels = _known_labels(dataset, set(corpus.record_ids))
    if ranker is None:
        ranker = build_ranker(corpus, settings or Settings(), progress=progress)

    full_runs: dict[str, Run] = {}
    for method in methods:
        full_runs[method] = rank_records(
            ranker,
            corpus,
            dataset.profiles,
            method,
            as_of=as_of,
            ignore_validity=ignore_validity,
            progress=progress,
        )
    outcome = score_runs(full_runs, qrels, k=k)
    add_campaign_push(outcome, ranker, corpus, dataset.profiles, as_of, ignore_validity)
    outcome.titles = corpus.titles
    outcome.profiles = {profile.id: profile for profile in dataset.profiles}
    outcome.metrics["_meta"].update(
        dataset=dataset.name,
        hashes={**dataset.hashes, "records": records_sha256(dataset.records)},
        records=len(corpus.records),
        items=len(corpus.items),
        enterprises=len(dataset.profiles),
        as_of=None if ignore_validity else (as_of or dt.date.today()).isoformat(),
        ignore_validity=ignore_validity,
        ranker=ranker_identity(getattr(ranker, "ranker", ranker)),
    )
    write_outputs(outcome, out_dir)
    return outcome


def ranker_identity(model: object) -> dict[str, object]:
    """Which model ranked ``full``: its kind and, for a learned model, the sha256 of its JSON
    and how it was trained, so a figure can be traced to the model file that produced it."""
    identity: dict[str, object] = {"name": getattr(model, "name", type(model).__name__)}
    to_dict = getattr(model, "to_dict", None)
    if to_dict is not None:
        text = json.dumps(to_dict(), sort_keys=True, ensure_ascii=False)
        identity["sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        meta = getattr(model, "meta", {}) or {}
        identity.update({k: meta[k] for k in ("dataset", "also", "thin") if k in meta})
        linear_meta = getattr(first_stage(model), "meta", {}) or {}
        if "c" in linear_meta:  # the trees keep their first stage's C with it
            identity["c"] = linear_meta["c"]
    return identity


def add_campaign_push(
    outcome: EvalOutcome,
    ranker: Ranker,
    corpus: PreparedCorpus,
    profiles: Sequence[EnterpriseProfile],
    as_of: dt.date | None,
    ignore_validity: bool,
) -> None:
    """Add the push direction as ``policymatch push`` ships it, as push method ``campaign``.

    The other push figures read the matcher's pair scores (BM25 and per-view dense features
    included) by column; a campaign scores with :class:`~policymatch.match.batch.BatchScorer`
    and its default ranker instead (:mod:`policymatch.evaluation.push_campaign`). Adds
    ``metrics["push"]["campaign"]`` and ``push_runs["campaign"]``; nothing when ``ranker`` is
    not a matcher over an index (a test double).
    """
    from policymatch.evaluation.push_campaign import campaign_push_run, campaign_scorer

    index, embedder = getattr(ranker, "index", None), getattr(ranker, "embedder", None)
    if index is None or embedder is None:
        logger.info("ranker has no index: push 'campaign' not evaluated")
        return
    scorer = campaign_scorer(index, embedder, as_of=as_of, ignore_validity=ignore_validity)
    run = campaign_push_run(scorer, profiles, corpus.item_to_record, k=PUSH_K)
    outcome.push_runs["campaign"] = run
    outcome.metrics["push"]["campaign"] = evaluate_run(push_qrels(outcome.qrels), run, PUSH_METRICS)


def _known_labels(dataset: EvalDataset, record_ids: set[str]) -> Qrels:
    """Labels of enterprises that are in the set, on records that are in the set."""
    enterprise_ids = {profile.id for profile in dataset.profiles}
    kept: Qrels = {}
    dropped = 0
    for enterprise_id, labels in dataset.qrels.items():
        if enterprise_id not in enterprise_ids:
            dropped += len(labels)
            continue
        for policy_id, grade in labels.items():
            if policy_id in record_ids:
                kept.setdefault(enterprise_id, {})[policy_id] = grade
            else:
                dropped += 1
    if dropped:
        logger.warning("%d labels name an enterprise or policy not in the inputs; ignored", dropped)
    return kept


def score_runs(full_runs: dict[str, Run], qrels: Qrels, *, k: int = DEFAULT_K) -> EvalOutcome:
    """Metrics for ranked record runs (all records per enterprise), both directions.

    Args:
        full_runs: ``{method: {enterprise_id: hits}}``, ideally every record per enterprise.
        qrels: ``{enterprise_id: {policy_id: grade}}``.
        k: Records kept per enterprise for the match-direction metrics and run files.

    Returns:
        An outcome with ``metrics`` in the ``metrics.json`` shape (titles/profiles left empty).
    """
    runs = {
        method: {qid: hits[:k] for qid, hits in run.items()} for method, run in full_runs.items()
    }
    push_labels = push_qrels(qrels)
    push_runs = {method: transpose(run, k=PUSH_K) for method, run in full_runs.items()}

    metrics: dict = {}
    per_query: dict[str, dict[str, dict[str, float]]] = {}
    for method, run in runs.items():
        per_query[method] = per_query_scores(qrels, run, MATCH_METRICS)
        metrics[method] = mean_scores(per_query[method])
    metrics["push"] = {
        method: evaluate_run(push_labels, run, PUSH_METRICS) for method, run in push_runs.items()
    }
    judged = judged_queries(qrels)
    metrics["_meta"] = {
        "k": k,
        "relevance": "grade >= 1 counts as relevant for precision/recall/map/mrr (ranx rel_lvl=1); "
        "ndcg uses grades 1 and 2 as linear gains",
        "queries_judged": len(judged),
        "queries_without_relevant": len(qrels) - len(judged),
        "labels": sum(len(labels) for labels in qrels.values()),
        "labels_relevant": sum(
            1 for labels in qrels.values() for grade in labels.values() if grade >= 1
        ),
        "push_queries_judged": len(push_labels),
        "baseline": BASELINE,
        "significance": {
            "test": "paired t-test (scipy ttest_rel, what ranx.compare runs for 'student'), "
            "two-sided p vs bm25",
            "match": significance(qrels, runs, MATCH_METRICS),
            "push": significance(push_labels, push_runs, PUSH_METRICS),
        },
    }
    return EvalOutcome(
        metrics=metrics,
        runs=runs,
        push_runs=push_runs,
        per_query=per_query,
        qrels=qrels,
        titles={},
        profiles={},
        methods=list(runs),
    )


def write_outputs(outcome: EvalOutcome, out_dir: Path) -> None:
    """``metrics.json``, ``runs/<method>.trec``, ``runs/push_<method>.trec`` and ``report.html``."""
    from policymatch.evaluation.report import render_report

    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "metrics.json").write_text(
        json.dumps(outcome.metrics, ensure_ascii=False, indent=2, sort_keys=False) + "\n",
        encoding="utf-8",
    )
    for method, run in outcome.runs.items():
        write_trec_run(run, out_dir / "runs" / f"{method}.trec", method)
    for method, run in outcome.push_runs.items():
        write_trec_run(run, out_dir / "runs" / f"push_{method}.trec", f"push_{method}")
    (out_dir / "report.html").write_text(render_report(outcome), encoding="utf-8")
