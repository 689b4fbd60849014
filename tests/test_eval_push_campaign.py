"""The eval's ``campaign`` push method: BatchScorer's score + judge, as ``policymatch push`` lists.

A small labelled set of realistic policies and enterprises, the real corpus stage, index and
embedder (in a temporary data folder).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from policymatch.evaluation.datasets import load_dataset
from policymatch.evaluation.metrics import PUSH_METRICS, evaluate_run, push_qrels
from policymatch.evaluation.push_campaign import campaign_push_run, campaign_scorer
from policymatch.evaluation.ranker import build_ranker
from policymatch.evaluation.runner import METHODS, evaluate_dataset, prepare_corpus
from policymatch.push.campaign import process_chunk
from policymatch.push.models import CampaignOptions, Target
from policymatch.push.sources import RawChunk
from policymatch.settings import Settings

AS_OF = dt.date(2025, 6, 30)
POLICIES = [
    {
        "id": "jn-tech",
        "title": "济南市历城区支持科技创新若干政策",
        "region": "山东省济南市历城区",
        "text": "一、适用范围\n本政策适用于注册地在历城区的企业。\n二、支持内容\n（一）对首次通过国家高新技术企业认定的企业，"
        "一次性奖励20万元。\n（二）对软件和信息技术服务业企业上年度研发投入给予10%补助，最高50万元。",
    },
    {
        "id": "hz-digital",
        "title": "杭州市推进中小企业数字化改造的实施意见",
        "region": "浙江省杭州市",
        "text": "对年营业收入5000万元至4亿元、完成数字化改造的规上工业中小企业，按软硬件投入的20%给予补助，最高100万元。",
    },
    {
        "id": "sd-jobs",
        "title": "山东省失业保险稳岗返还通知",
        "region": "山东省",
        "text": "上年度未裁员或裁员率不高于5.5%的参保单位可享受稳岗返还，中小微企业按实际缴纳失业保险费的60%返还。",
    },
]
ENTERPRISES = [
    {
        "id": "e-licheng-soft",
        "name": "济南智联软件有限公司",
        "region": "山东省济南市历城区",
        "industry": "软件和信息技术服务业",
        "description": "工业视觉软件企业，今年首次申报国家高新技术企业，研发投入持续增长。",
        "employees": 35,
        "revenue": 980,
        "needs": ["高新技术企业认定奖励", "研发费用补助"],
    },
    {
        # the same business in Hangzhou: topically a match for jn-tech, but outside its region
        "id": "e-hangzhou-soft",
        "name": "杭州智联软件有限公司",
        "region": "浙江省杭州市西湖区",
        "industry": "软件和信息技术服务业",
        "description": "工业视觉软件企业，今年首次申报国家高新技术企业，研发投入持续增长。",
        "employees": 35,
        "revenue": 980,
        "needs": ["高新技术企业认定奖励", "研发费用补助"],
    },
    {
        "id": "e-jinan-trade",
        "name": "济南齐鲁跨境电商有限公司",
        "region": "山东省济南市",
        "industry": "批发业",
        "description": "跨境电商卖家，去年出口额800万美元，员工稳定未裁员。",
        "employees": 40,
        "revenue": 9800,
        "needs": ["稳岗返还"],
    },
]
QRELS = [
    "e-licheng-soft 0 jn-tech 2",
    "e-licheng-soft 0 sd-jobs 1",
    "e-hangzhou-soft 0 jn-tech 0",
    "e-hangzhou-soft 0 hz-digital 1",
    "e-jinan-trade 0 sd-jobs 2",
    "e-jinan-trade 0 jn-tech 0",
]


@pytest.fixture(scope="module")
def labelled(tmp_path_factory):
    """(dataset, corpus, matcher, settings) over the small set, index built once."""
    folder = tmp_path_factory.mktemp("push_campaign")
    files = {
        "policies.jsonl": [json.dumps(p, ensure_ascii=False) for p in POLICIES],
        "enterprises.jsonl": [json.dumps(e, ensure_ascii=False) for e in ENTERPRISES],
        "qrels.txt": QRELS,
    }
    for name, lines in files.items():
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    dataset = load_dataset(
        folder / "policies.jsonl", folder / "enterprises.jsonl", folder / "qrels.txt"
    )
    settings = Settings(data_dir=folder / "var")
    corpus = prepare_corpus(dataset.records)
    matcher = build_ranker(corpus, settings)
    return dataset, corpus, matcher, settings


def test_campaign_run_ranks_the_local_firm_and_drops_the_wrong_region(labelled):
    dataset, corpus, matcher, _ = labelled
    scorer = campaign_scorer(matcher.index, matcher.embedder, as_of=AS_OF)
    run = campaign_push_run(scorer, dataset.profiles, corpus.item_to_record)

    tech = [hit.id for hit in run["jn-tech"]]
    assert tech[0] == "e-licheng-soft"
    # same description, wrong province: the campaign's region prefilter never lists it
    assert "e-hangzhou-soft" not in tech
    assert "e-hangzhou-soft" not in [hit.id for hit in run.get("sd-jobs", [])]
    assert "e-jinan-trade" in [hit.id for hit in run["sd-jobs"]]
    for hits in run.values():
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        assert all(h.match is not None and h.match.verdict != "不符合" for h in hits)

    labels = push_qrels(dataset.qrels)
    scores = evaluate_run(labels, run, PUSH_METRICS)
    assert scores["recall@5"] > 0.5


def test_campaign_run_lists_what_a_campaign_chunk_lists(labelled):
    dataset, corpus, matcher, _ = labelled
    scorer = campaign_scorer(matcher.index, matcher.embedder, as_of=AS_OF)
    run = campaign_push_run(scorer, dataset.profiles, corpus.item_to_record)

    items_of: dict[str, list[str]] = {}
    for item_id, record_id in corpus.item_to_record.items():
        items_of.setdefault(record_id, []).append(item_id)
    targets = [Target(policy_id=r, item_ids=ids) for r, ids in sorted(items_of.items())]
    chunk = RawChunk(
        offset=0,
        rows=list(dataset.profiles),
        row_numbers=list(range(1, len(dataset.profiles) + 1)),
    )
    outcome = process_chunk(chunk, scorer, targets, CampaignOptions(top=50, as_of=AS_OF))

    for target in targets:
        listed = [(e.enterprise_id, e.score, e.item_id) for e in outcome.lists[target.policy_id]]
        ours = [(h.id, h.score, h.item_id) for h in run.get(target.policy_id, [])]
        assert ours == listed, target.policy_id
    assert any(run.values())


def test_eval_adds_campaign_push_and_keeps_the_other_keys(labelled, tmp_path):
    dataset, _, _, settings = labelled
    outcome = evaluate_dataset(
        dataset, tmp_path / "out", methods=("bm25", "full"), as_of=AS_OF, settings=settings
    )
    data = json.loads((tmp_path / "out" / "metrics.json").read_text(encoding="utf-8"))
    assert list(data["push"]) == ["bm25", "full", "campaign"]
    assert set(data["push"]["campaign"]) == set(PUSH_METRICS)
    assert data["push"]["campaign"]["recall@5"] > 0.5
    assert (tmp_path / "out" / "runs" / "push_campaign.trec").is_file()
    assert set(METHODS) >= set(outcome.methods) and "campaign" not in outcome.methods
