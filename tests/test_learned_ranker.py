"""The learned ranker: the shipped model loads and orders hand-made pairs as a translator would;
retraining on a small labelled set works and gives the same model twice; reasons in Chinese."""

from __future__ import annotations

import json

import numpy as np
import pytest

from policymatch.cli.ranker_cmd import parse_also
from policymatch.errors import InputError
from policymatch.evaluation.ablation import choose_c, held_in
from policymatch.match import explain
from policymatch.match.features import FEATURE_GROUPS, FEATURE_NAMES, feature_matrix
from policymatch.match.learned import (
    LinearRanker,
    PairTable,
    TreeRanker,
    cross_validate,
    document_halves,
    document_of,
    evaluate_scores,
    fit_linear,
    load_ranker,
    shipped_ranker,
    transferable_pairs,
)
from policymatch.match.ranking import HandWeightedRanker, default_ranker
from policymatch.match.results import ConditionCheck, Eligibility
from policymatch.profile import normalize_profile
from policymatch.settings import Settings
from policymatch.translate.models import PolicyCard

# An eligible item in the firm's own district that names its kind, for no stated need.
BASE = {
    "relevance": 0.6,
    "dense": 0.84,
    "bm25": 0.4,
    "region_same": 1.0,
    "beneficiary_fit": 1.0,
    "beneficiary_met": 1.0,
    "met": 2.0,
    "is_support_measure": 1.0,
    "amount_log": 2.0,
    "dense_needs": 0.5,
    "dense_description": 0.5,
    "dense_scope": 0.5,
    "dense_views_max": 0.6,
}


def _score(model, *rows: dict[str, float]) -> np.ndarray:
    return model.score(feature_matrix(rows), FEATURE_NAMES)


@pytest.fixture(scope="module", params=["trees", "first stage"])
def shipped(request) -> TreeRanker | LinearRanker:
    """The shipped trees, and their linear first stage (which orders candidates): both must
    order pairs as a translator would."""
    model = shipped_ranker()
    assert isinstance(model, TreeRanker)
    return model if request.param == "trees" else model.first_stage


def test_shipped_model_reads_the_current_features(shipped):
    assert set(shipped.names) <= set(FEATURE_NAMES)
    assert set(FEATURE_NAMES) == {n for names in FEATURE_GROUPS.values() for n in names}
    cv = shipped_ranker().meta["cv"]["enterprises"]
    assert cv["trees"]["ndcg@10"] > cv["linear"]["ndcg@10"] > cv["hand"]["ndcg@10"]
    assert isinstance(default_ranker(Settings()), TreeRanker)
    assert isinstance(default_ranker(Settings(ranker="hand")), HandWeightedRanker)


def test_shipped_model_puts_the_firms_first_need_above_another_need(shipped):
    serves_first_need = {**BASE, "need_fit": 0.5, "need_count": 1.0, "need_primary": 1.0}
    serves_other_need = {**BASE, "need_other": 1.0}
    first, second = _score(shipped, serves_first_need, serves_other_need)
    assert first > second


def test_shipped_model_prefers_closer_text_all_else_equal(shipped):
    closer = {
        k: v + 0.2 if k in FEATURE_GROUPS["text"] + FEATURE_GROUPS["views"] else v
        for k, v in BASE.items()
    }
    first, second = _score(shipped, closer, BASE)
    assert first > second


def test_shipped_model_never_lifts_an_item_for_being_nationwide(shipped):
    own_district = BASE
    own_province = {**BASE, "region_same": 0.0, "region_contained": 1.0}
    nationwide = {**BASE, "region_same": 0.0, "region_national": 1.0}
    district, province, nation = _score(shipped, own_district, own_province, nationwide)
    assert nation <= min(district, province)
    assert nation < max(district, province)


def test_shipped_model_sinks_plans_with_nothing_to_apply_for(shipped):
    plan = {**BASE, "is_support_measure": 0.0, "amount_log": 0.0}
    first, second = _score(shipped, BASE, plan)
    assert first > second


def _tiny_table(seed: int = 3) -> PairTable:
    """Six enterprises x 30 items: relevant items serve the firm's need in its region."""
    rng = np.random.default_rng(seed)
    rows, queries, records, grades = [], [], [], []
    for q in range(6):
        for i in range(30):
            need = i % 5 == 0
            row = {
                "dense": 0.8 + 0.05 * rng.random(),
                "relevance": rng.random(),
                "region_same": float(i % 2 == 0),
                "region_national": float(i % 2 == 1),
                "need_fit": float(need),
                "need_primary": float(need and i % 10 == 0),
                "is_support_measure": float(i % 7 != 0),
            }
            rows.append(row)
            queries.append(f"e{q}")
            records.append(f"r{i}")
            grades.append(2 if need and i % 10 == 0 else 1 if need else 0)
    judged = np.array([g > 0 or i % 3 == 0 for i, g in enumerate(grades)])
    return _pair_table(rows, queries, records, grades, judged)


def _pair_table(rows, queries, records, grades, judged) -> PairTable:
    """A pair table whose qrels hold the judged pairs' grades."""
    qrels: dict[str, dict[str, int]] = {}
    for q, r, g, j in zip(queries, records, grades, judged, strict=True):
        if j:
            qrels.setdefault(q, {})[r] = g
    return PairTable(
        FEATURE_NAMES,
        feature_matrix(rows),
        np.array(queries, dtype=object),
        np.array(records, dtype=object),
        np.array(grades),
        np.asarray(judged, dtype=bool),
        qrels,
    )


def test_retraining_on_a_tiny_set_works_and_is_deterministic(tmp_path):
    table = _tiny_table()
    first = fit_linear(table, negatives_per_query=10, seed=1)
    second = fit_linear(table, negatives_per_query=10, seed=1)
    assert np.array_equal(first.coefficients, second.coefficients)
    weights = first.standardised_weights()
    assert weights["need_fit"] > 0 and weights["need_primary"] > 0
    assert evaluate_scores(table, first.score(table.features))["ndcg@10"] > 0.95
    assert (
        cross_validate(table, lambda t: fit_linear(t, negatives_per_query=10), 3)["ndcg@10"] > 0.9
    )
    loaded = load_ranker(first.save(tmp_path / "model.json"))
    assert np.allclose(loaded.score(table.features), first.score(table.features))
    assert isinstance(default_ranker(Settings(ranker=str(tmp_path / "model.json"))), LinearRanker)


def _document_table() -> PairTable:
    """A document-level set for the enterprises of :func:`_tiny_table`: national documents of
    four items each, all graded 0 (a State Council plan that serves no firm), and one relevant
    local document per enterprise whose label does not say which of its two items serves."""
    rows, queries, records, grades = [], [], [], []
    for q in range(6):
        for doc in range(4):
            for item in range(4):
                rows.append(
                    {
                        "dense": 0.85,
                        "relevance": 0.5,
                        "region_national": 1.0,
                        "is_support_measure": float(item == 0),
                    }
                )
                queries.append(f"e{q}")
                records.append(f"national-{doc}")
                grades.append(0)
        for item in range(2):
            rows.append({"dense": 0.86, "region_same": 1.0, "need_fit": float(item == 0)})
            queries.append(f"e{q}")
            records.append("local")
            grades.append(1)
    return _pair_table(rows, queries, records, grades, [True] * len(grades))


def test_document_labels_reach_items_only_where_they_hold():
    documents = _document_table()
    kept = transferable_pairs(documents)
    # Every item of a document graded 0 is a negative; the two items of the relevant document
    # are left out, since its label does not say which one serves the need.
    assert kept[documents.grades == 0].all()
    assert not kept[documents.records == "local"].any()
    # Without the item that serves no need, the relevant document has one item: it is kept.
    unserving = documents.columns(["need_fit"])[:, 0] == 0
    single = documents.subset(~((documents.records == "local") & unserving))
    assert transferable_pairs(single)[single.records == "local"].all()
    assert transferable_pairs(_tiny_table()).all()


def test_an_extra_sets_negatives_sink_what_they_share_by_their_weight():
    items = _tiny_table()
    alone = fit_linear(items, negatives_per_query=10)
    light = fit_linear(items, negatives_per_query=10, extra=[(_document_table(), 0.1)])
    heavy = fit_linear(items, negatives_per_query=10, extra=[(_document_table(), 1.0)])

    # the log-odds of an item like the national plans' (their negatives weigh more and more)
    like_a_plan = {"dense": 0.85, "relevance": 0.5, "region_national": 1.0}
    (plan_alone,), (plan_light,), (plan_heavy,) = (
        _score(model, like_a_plan) for model in (alone, light, heavy)
    )
    assert plan_heavy < plan_light < plan_alone
    assert light.meta["extra"] == [{"pairs": 96, "relevant": 0, "weight": 0.1}]
    assert evaluate_scores(items, light.score(items.features))["ndcg@10"] > 0.95
    with pytest.raises(ValueError, match="positive"):
        fit_linear(items, extra=[(_document_table(), 0.0)])


def test_cross_validation_keeps_held_out_enterprises_out_of_the_extra_set():
    items = _tiny_table()
    documents = _document_table()
    train = items.for_queries({"e0", "e1", "e2", "e3"})
    ((kept, weight),) = held_in([(documents, 0.3)], items, train)
    assert set(kept.queries) == {"e0", "e1", "e2", "e3"} and weight == 0.3
    other = documents.for_queries({"e5"})
    other.queries = np.array(["x9"] * len(other.queries), dtype=object)
    ((stranger, _),) = held_in([(other, 0.3)], items, train)
    assert len(stranger.queries) == len(other.queries)
    c, by_c = choose_c(items, 3, [(documents, 0.1)])
    assert c in by_c and min(by_c.values()) > 0.9


def _documents_of_items() -> PairTable:
    """The tiny table with its 30 records as items of ten documents (``d0#0`` ... ``d9#2``)."""
    table = _tiny_table()
    renamed = {f"r{i}": f"d{i // 3}#{i % 3}" for i in range(30)}
    table.records = np.array([renamed[r] for r in table.records], dtype=object)
    table.qrels = {q: {renamed[r]: g for r, g in ls.items()} for q, ls in table.qrels.items()}
    return table


def test_cross_validation_on_new_documents_never_ranks_a_document_it_trained_on():
    table = _documents_of_items()
    first, second = document_halves(table)
    assert first.isdisjoint(second) and first | second == {f"d{k}" for k in range(10)}
    trained_on: list[set[str]] = []

    def fit(train: PairTable) -> LinearRanker:
        trained_on.append({document_of(r) for r in train.records})
        return fit_linear(train, negatives_per_query=10)

    figures = cross_validate(table, fit, 3, new_documents=True)
    assert len(trained_on) == 6
    assert sorted(map(sorted, trained_on)) == sorted([sorted(first)] * 3 + [sorted(second)] * 3)
    assert figures["queries"] == 12 and figures["ndcg@10"] > 0.9
    half = table.for_documents(first)
    assert {document_of(r) for r in half.records} == first
    assert all(document_of(r) in first for labels in half.qrels.values() for r in labels)


def test_cross_validation_on_new_documents_keeps_them_out_of_the_extra_set():
    table = _documents_of_items()
    first, _ = document_halves(table)
    train = table.for_queries({"e0", "e1", "e2", "e3"}).for_documents(first)
    same_documents = table.for_queries({"e0", "e1", "e2", "e3"})
    ((kept, _),) = held_in([(same_documents, 0.3)], table, train)
    assert {document_of(r) for r in kept.records} == first
    ((unrelated, _),) = held_in([(_document_table(), 0.3)], table, train)
    assert {"local", "national-0"} <= set(unrelated.records)


def test_also_option_reads_name_and_weight():
    assert parse_also("dev:0.1") == ("dev", 0.1)
    for bad in ("dev", "dev:", ":0.1", "dev:zero", "dev:-1", "dev:0"):
        with pytest.raises(InputError, match="--also"):
            parse_also(bad)


def test_bad_model_files_are_named(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="broken.json"):
        load_ranker(broken)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"format": "something-else"}), encoding="utf-8")
    with pytest.raises(InputError, match="format"):
        load_ranker(other)
    with pytest.raises(InputError, match="not found"):
        load_ranker(tmp_path / "missing.json")


def test_reasons_name_the_region_the_need_and_plans_in_chinese(shipped):
    profile = normalize_profile(
        {
            "id": "t1",
            "name": "济南历城恒信精密机械有限公司",
            "region": "山东省济南市历城区",
            "industry_code": "34",
            "needs": ["流动资金贷款贴息", "招聘技术工人"],
            "employees": 80,
            "revenue": 6000,
        }
    )
    card = PolicyCard(
        item_id="x#1",
        doc_id="x",
        beneficiaries=["中小企业"],
        region_codes=["370112"],
        region_names=["济南市历城区"],
        support_types=["贷款贴息"],
        max_amount_wan=50,
    )
    checks = [
        ConditionCheck(condition="适用地区", kind="region", status="met", reason="即政策适用地区"),
        ConditionCheck(condition="申报主体", kind="beneficiary", status="met", reason="属于"),
    ]
    features = {**BASE, "need_fit": 0.5, "need_count": 1.0, "need_primary": 1.0}
    lines = explain.explanations(
        features,
        shipped.contributions(features),
        card,
        profile,
        Eligibility(verdict="推荐", checks=checks),
        {"融资"},
    )
    assert any(line.startswith("满足企业需求：融资") for line in lines)
    assert any(line.startswith("地区相符") for line in lines)
    assert any("企业属于支持对象" in line for line in lines)
    plan = {**features, "is_support_measure": 0.0, "beneficiary_met": 0.0, "beneficiary_fit": -1.0}
    lines = explain.explanations(plan, shipped.contributions(plan), card, profile, None, ())
    assert "无申报事项（规划/通知类）" in lines
    assert any(line.startswith("企业不属于支持对象") for line in lines)


def test_trees_round_trip_as_json_and_explain_exactly(tmp_path):
    from sklearn.ensemble import HistGradientBoostingClassifier

    from policymatch.match.learned import TREE_PARAMS, fit_trees

    table = _tiny_table()
    trees = fit_trees(table, negatives_per_query=10, seed=1)
    assert evaluate_scores(table, trees.score(table.features))["ndcg@10"] > 0.9
    path = trees.save(tmp_path / "model.json")
    loaded = default_ranker(Settings(ranker=str(path)))
    assert isinstance(loaded, TreeRanker)
    assert np.allclose(loaded.score(table.features), trees.score(table.features))

    # the numpy walk gives scikit-learn's own log-odds
    model = HistGradientBoostingClassifier(**TREE_PARAMS, random_state=0)
    model.fit(table.features, table.grades >= 1)
    copied = TreeRanker.from_sklearn(model, FEATURE_NAMES, trees.first_stage)
    assert np.allclose(copied.score(table.features), model.decision_function(table.features))

    serving = dict.fromkeys(FEATURE_NAMES, 0.0) | {"need_fit": 1.0, "region_same": 1.0}
    other = serving | {"need_fit": 0.0}
    lifted = loaded.contributions(serving)
    sank = loaded.contributions(other)
    assert lifted["need_fit"] > 0 >= sank.get("need_fit", 0.0)  # monotone: missing never lifts
    assert "dense_scope" not in lifted  # a feature the trees never split on explains nothing
    for features, shares in ((serving, lifted), (other, sank)):  # reasons add up to the score
        score = loaded.score(feature_matrix([features]))[0]
        assert score == pytest.approx(loaded.expected_score() + sum(shares.values()))

    (tmp_path / "junk.json").write_text('{"format": "policymatch-tree-ranker/1"}')
    with pytest.raises(InputError, match="junk.json"):
        load_ranker(tmp_path / "junk.json")
    looping = trees.to_dict()
    inner = next(i for i, f in enumerate(looping["trees"][0]["feature"]) if f >= 0)
    looping["trees"][0]["left"][inner] = inner  # a walk that would never reach a leaf
    (tmp_path / "loop.json").write_text(json.dumps(looping))
    with pytest.raises(InputError, match="tree 0, node"):
        load_ranker(tmp_path / "loop.json")
