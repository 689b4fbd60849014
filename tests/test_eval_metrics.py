"""Evaluation math on a tiny labelled set with numbers worked out by hand.

Two enterprises, five policy records. Labels: e1 has p1 (grade 2) and p3 (grade 1), p5 judged 0;
e2 has p2 and p4 (grade 2), p1 judged 0.
"""

from __future__ import annotations

import json
import math

import pytest

from policymatch.evaluation.metrics import (
    MATCH_METRICS,
    PUSH_METRICS,
    evaluate_run,
    judged_queries,
    per_query_scores,
    push_qrels,
    significance,
)
from policymatch.evaluation.runner import METHODS, score_runs, write_outputs
from policymatch.evaluation.runs import Hit, aggregate_to_records, order_hits, transpose
from policymatch.match.results import Match, MatchResults

QRELS = {"e1": {"p1": 2, "p3": 1, "p5": 0}, "e2": {"p2": 2, "p4": 2, "p1": 0}}


def run_of(scores: dict[str, dict[str, float]]) -> dict[str, list[Hit]]:
    return {q: order_hits(Hit(d, s) for d, s in docs.items()) for q, docs in scores.items()}


RUN_A = run_of(
    {
        "e1": {"p1": 0.9, "p2": 0.8, "p3": 0.7, "p4": 0.6, "p5": 0.5},
        "e2": {"p1": 0.9, "p2": 0.85, "p3": 0.3, "p4": 0.2, "p5": 0.1},
    }
)
RUN_B = run_of(
    {  # worse for e1 (relevant at 3 and 5), better for e2 (relevant at 1 and 2)
        "e1": {"p2": 0.9, "p4": 0.8, "p1": 0.7, "p5": 0.6, "p3": 0.5},
        "e2": {"p4": 0.9, "p2": 0.8, "p1": 0.7, "p3": 0.6, "p5": 0.5},
    }
)


def dcg(gains: list[int]) -> float:
    return sum(g / math.log2(rank + 1) for rank, g in enumerate(gains, start=1))


def test_match_metrics_equal_hand_computed_values():
    ndcg_e1 = dcg([2, 0, 1, 0, 0]) / dcg([2, 1])  # 2.5 / 2.6309 = 0.9502
    ndcg_e2 = dcg([0, 2, 0, 2, 0]) / dcg([2, 2])  # 2.1232 / 3.2619 = 0.6509
    expected = {
        "ndcg@10": (ndcg_e1 + ndcg_e2) / 2,
        "precision@5": (2 / 5 + 2 / 5) / 2,
        "recall@20": 1.0,
        "recall@50": 1.0,
        "map": ((1 / 1 + 2 / 3) / 2 + (1 / 2 + 2 / 4) / 2) / 2,
        "mrr": (1 / 1 + 1 / 2) / 2,
    }
    got = evaluate_run(QRELS, RUN_A, MATCH_METRICS)
    assert got == pytest.approx(expected, abs=1e-9)
    assert got["ndcg@10"] == pytest.approx(0.800577, abs=1e-6)


def test_grade_one_counts_as_relevant_and_cutoffs_bite():
    # e1 only, its grade-1 record ranked 3rd: precision@5 counts it, a top-2 cut would not.
    run = run_of({"e1": {"p3": 0.2, "p1": 0.1, "p2": 0.9, "p4": 0.8}})
    scores = per_query_scores({"e1": QRELS["e1"]}, run, ("precision@5", "recall@20", "mrr"))
    assert scores["precision@5"]["e1"] == pytest.approx(2 / 5)
    assert scores["mrr"]["e1"] == pytest.approx(1 / 3)  # p2, p4, then p3 (grade 1)
    short = {"e1": run["e1"][:2]}
    assert per_query_scores({"e1": QRELS["e1"]}, short, ("recall@20",))["recall@20"]["e1"] == 0.0


def test_queries_without_relevant_label_are_left_out_and_missing_queries_score_zero():
    qrels = {**QRELS, "e3": {"p1": 0}}
    assert set(judged_queries(qrels)) == {"e1", "e2"}
    only_e1 = {"e1": RUN_A["e1"]}
    got = evaluate_run(qrels, only_e1, ("mrr",))
    assert got["mrr"] == pytest.approx((1.0 + 0.0) / 2)


def test_ties_are_broken_by_id_not_by_input_order():
    hits = order_hits([Hit("p9", 0.5), Hit("p2", 0.5), Hit("p5", 0.7)])
    assert [h.id for h in hits] == ["p5", "p2", "p9"]
    # ranx sees exactly this order: p2 (grade 2) before p9 at equal score gives mrr 1/2.
    got = evaluate_run({"e": {"p2": 2}}, {"e": hits}, ("mrr",))
    assert got["mrr"] == pytest.approx(0.5)


def test_items_collapse_to_records_by_max_score_keeping_best_item():
    def match(item_id: str, doc_id: str, score: float) -> Match:
        return Match(
            item_id=item_id,
            doc_id=doc_id,
            enterprise_id="e1",
            title=item_id,
            score=score,
            verdict="推荐",
        )

    results = [
        MatchResults(
            query_id="e1",
            matches=[
                match("p1#0", "p1", 0.3),
                match("p2#1", "p2", 0.5),
                match("p1#2", "p1", 0.9),
                match("p3#0", "p3", 0.5),
                match("p2#0", "p2", 0.5),
                match("x#0", "x", 1.0),
            ],
        )
    ]
    item_to_record = {"p1#0": "p1", "p1#2": "p1", "p2#0": "p2", "p2#1": "p2", "p3#0": "p3"}
    run = aggregate_to_records(results, item_to_record)
    assert [(h.id, h.score, h.item_id) for h in run["e1"]] == [
        ("p1", 0.9, "p1#2"),
        ("p2", 0.5, "p2#0"),
        ("p3", 0.5, "p3#0"),
    ]
    assert run["e1"][0].match is not None and run["e1"][0].match.item_id == "p1#2"
    assert [h.id for h in aggregate_to_records(results, item_to_record, k=1)["e1"]] == ["p1"]


def test_push_direction_reads_the_same_scores_by_column():
    labels = push_qrels(QRELS)
    assert labels == {"p1": {"e1": 2, "e2": 0}, "p2": {"e2": 2}, "p3": {"e1": 1}, "p4": {"e2": 2}}
    columns = transpose(RUN_A)
    assert [h.id for h in columns["p1"]] == ["e1", "e2"]  # 0.9 tie: by id
    assert [h.id for h in columns["p2"]] == ["e2", "e1"]
    assert [h.id for h in columns["p4"]] == ["e1", "e2"]
    got = evaluate_run(labels, columns, ("precision@5", "recall@5", "mrr"))
    # p1: e1 first (rel); p2: e2 first (rel); p3: e1 first (rel); p4: e2 second.
    assert got["mrr"] == pytest.approx((1 + 1 + 1 + 0.5) / 4)
    assert got["precision@5"] == pytest.approx(1 / 5)
    assert got["recall@5"] == pytest.approx(1.0)


def test_paired_t_test_against_bm25_matches_scipy():
    from scipy.stats import ttest_rel

    p = significance(QRELS, {"bm25": RUN_A, "dense": RUN_B}, ("ndcg@10", "mrr"))
    a = per_query_scores(QRELS, RUN_A, ("mrr",))["mrr"]
    b = per_query_scores(QRELS, RUN_B, ("mrr",))["mrr"]
    assert [a["e1"], a["e2"], b["e1"], b["e2"]] == pytest.approx([1, 0.5, 1 / 3, 1])
    expected = ttest_rel([a["e1"], a["e2"]], [b["e1"], b["e2"]]).pvalue
    assert set(p) == {"dense"}
    assert p["dense"]["mrr"] == pytest.approx(expected, abs=1e-6)
    assert significance(QRELS, {"bm25": RUN_A, "rrf": RUN_A}, ("mrr",))["rrf"]["mrr"] is None


def test_score_runs_writes_the_stable_metrics_shape(tmp_path):
    full_runs = {m: (RUN_A if i % 2 == 0 else RUN_B) for i, m in enumerate(METHODS)}
    outcome = score_runs(full_runs, QRELS, k=100)
    outcome.titles = {f"p{i}": f"政策{i}" for i in range(1, 6)}
    write_outputs(outcome, tmp_path)
    data = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    assert list(data)[: len(METHODS) + 1] == [*METHODS, "push"]
    for method in METHODS:
        assert set(data[method]) == set(MATCH_METRICS)
        assert set(data["push"][method]) == set(PUSH_METRICS)
        assert all(0.0 <= v <= 1.0 for v in data[method].values())
    assert data["tfidf"] == pytest.approx(evaluate_run(QRELS, RUN_A))
    assert data["_meta"]["queries_judged"] == 2
    assert set(data["_meta"]["significance"]["match"]) == set(METHODS) - {"bm25"}
    trec = (tmp_path / "runs" / "bm25.trec").read_text(encoding="utf-8").splitlines()
    assert trec[0] == "e1 Q0 p2 1 0.900000 bm25" and len(trec) == 10
    assert (tmp_path / "runs" / "push_full.trec").is_file()
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "政策4" in html


def test_a_method_that_retrieves_nothing_scores_zero():
    empty = {"e1": [], "e2": []}
    assert evaluate_run(QRELS, empty, ("ndcg@10", "recall@20")) == {
        "ndcg@10": 0.0,
        "recall@20": 0.0,
    }
    assert significance(QRELS, {"bm25": RUN_A, "dense": empty}, ("mrr",)) == {}


def test_ids_of_any_length_and_script_match_their_labels():
    # Record ids of real exports mix short codes with long Chinese paths; each run below holds
    # ids of a different longest length than the labels, which once sent ranx's per-width id
    # hashing astray (every hit a miss).
    long_id = "lawrefbook:经济法/会计法(2024-06-28).md#39"
    labels = {"e1": {long_id: 2, "sb-003#2": 1}, "e2": {"q" * 70: 1}}
    for extra in ("x", "y" * 90, "长" * 40):
        run = run_of({"e1": {long_id: 0.9, extra: 0.8, "sb-003#2": 0.7}, "e2": {"q" * 70: 0.5}})
        scores = per_query_scores(labels, run, ("ndcg@10", "mrr", "recall@20"))
        assert scores["mrr"] == {"e1": 1.0, "e2": 1.0}
        assert scores["recall@20"] == {"e1": 1.0, "e2": 1.0}
        assert scores["ndcg@10"]["e1"] == pytest.approx(dcg([2, 0, 1]) / dcg([2, 1]))
