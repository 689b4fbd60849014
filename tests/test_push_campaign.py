"""Push campaigns end to end with the keyword scorer: exact top-N, resume, errors, outputs."""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import sys

import pytest
from openpyxl import load_workbook
from push_helpers import KeywordScorer, as_triples, brute_force, write_members

from policymatch.errors import InputError
from policymatch.match.results import ConditionCheck, Match
from policymatch.push.campaign import reason_line, run_campaign
from policymatch.push.models import CampaignOptions, Target
from policymatch.push.sources import open_source

AS_OF = dt.date(2026, 6, 1)
TARGETS = [
    Target(policy_id="tech", title="科技创新专项", item_ids=["tech#1", "tech#2"]),
    Target(policy_id="jobs#0", title="稳岗就业", item_ids=["jobs#0"]),
    Target(policy_id="trade#0", title="外贸展会", item_ids=["trade#0"]),
]


@pytest.fixture(scope="module")
def members(tmp_path_factory):
    return write_members(tmp_path_factory.mktemp("members") / "members.jsonl", 400)


def _run(members, out, options, **kwargs):
    scorer = KeywordScorer()
    result = run_campaign(
        open_source(members), lambda: scorer, TARGETS, options, out, scorer=scorer, **kwargs
    )
    return result, scorer


def test_streamed_top_n_equals_judging_every_pair(members, tmp_path):
    options = CampaignOptions(top=15, chunk_size=37, as_of=AS_OF)
    result, scorer = _run(members, tmp_path / "out", options)
    expected = brute_force(members, KeywordScorer(), TARGETS, options)
    for target in TARGETS:
        assert as_triples(result.lists[target.policy_id]) == expected[target.policy_id]
        assert len(expected[target.policy_id]) == 15
    # bounded work: far fewer pairs judged than the 400 x 4 the brute force judges
    assert scorer.judged < 0.6 * 400 * 4


def test_min_score_and_verdicts_filter_the_lists(members, tmp_path):
    options = CampaignOptions(top=50, min_score=0.3, verdicts=("推荐",), chunk_size=64, as_of=AS_OF)
    result, _ = _run(members, tmp_path / "out", options)
    expected = brute_force(members, KeywordScorer(), TARGETS, options)
    for target in TARGETS:
        entries = result.lists[target.policy_id]
        assert as_triples(entries) == expected[target.policy_id]
        assert all(e.verdict == "推荐" and e.score >= 0.3 for e in entries)


def test_input_order_does_not_change_the_output(members, tmp_path):
    lines = members.read_text(encoding="utf-8").splitlines()
    random.Random(3).shuffle(lines)
    shuffled = tmp_path / "shuffled.jsonl"
    shuffled.write_text("\n".join(lines) + "\n", encoding="utf-8")
    options = CampaignOptions(top=20, chunk_size=50, as_of=AS_OF)
    first, _ = _run(members, tmp_path / "a", options)
    second, _ = _run(shuffled, tmp_path / "b", options)
    for target in TARGETS:
        assert as_triples(first.lists[target.policy_id]) == as_triples(
            second.lists[target.policy_id]
        )


class _Stop(Exception):
    pass


def test_interrupted_run_resumes_to_the_same_output(members, tmp_path):
    options = CampaignOptions(top=10, chunk_size=40, as_of=AS_OF)
    whole, _ = _run(members, tmp_path / "whole", options)

    def stop_after_three_chunks(done, total):
        if done >= 120:
            raise _Stop

    out = tmp_path / "resumed"
    with pytest.raises(_Stop):
        _run(members, out, options, progress=stop_after_three_chunks)
    checkpoint = json.loads((out / ".checkpoint.json").read_text(encoding="utf-8"))
    assert checkpoint["offset"] == 120 and not checkpoint["done"]

    resumed, scorer = _run(members, out, options)
    assert resumed.resumed_from == 120
    assert resumed.counters.read == whole.counters.read == 400
    for target in TARGETS:
        assert as_triples(resumed.lists[target.policy_id]) == as_triples(
            whole.lists[target.policy_id]
        )
    # each bad row reported once although the run was cut and resumed
    assert (out / "errors.csv").read_bytes() == (tmp_path / "whole" / "errors.csv").read_bytes()
    assert (out / "tech.csv").read_bytes() == (tmp_path / "whole" / "tech.csv").read_bytes()


def test_changed_options_start_afresh(members, tmp_path):
    out = tmp_path / "out"
    _run(members, out, CampaignOptions(top=10, chunk_size=100, as_of=AS_OF))
    again, _ = _run(members, out, CampaignOptions(top=5, chunk_size=100, as_of=AS_OF))
    assert again.resumed_from == 0
    assert all(len(again.lists[t.policy_id]) == 5 for t in TARGETS)


def test_bad_rows_are_reported_with_row_numbers_and_the_campaign_goes_on(members, tmp_path):
    result, _ = _run(members, tmp_path / "out", CampaignOptions(top=5, as_of=AS_OF))
    with (tmp_path / "out" / "errors.csv").open(encoding="utf-8-sig", newline="") as f:
        errors = list(csv.DictReader(f))
    by_row = {int(e["row"]): e for e in errors}
    assert by_row[6]["field"] == "id" and by_row[6]["skipped"] == "yes"
    assert by_row[18]["field"] == "employees" and by_row[18]["skipped"] == "yes"
    assert by_row[30]["field"] == "region" and by_row[30]["skipped"] == "no"
    assert "火星市" in by_row[30]["message"]
    assert result.counters.read == 400
    assert result.counters.skipped == 2
    assert result.counters.scored == 398


def test_xlsx_has_a_sheet_per_policy_with_reasons_and_contacts(members, tmp_path):
    out = tmp_path / "lists.xlsx"
    result, _ = _run(members, out, CampaignOptions(top=8, as_of=AS_OF))
    workbook = load_workbook(out, read_only=True)
    assert workbook.sheetnames == ["tech", "jobs#0", "trade#0"]
    rows = list(workbook["tech"].iter_rows(values_only=True))
    header = rows[0]
    assert header[:10] == (
        "排名",
        "企业编号",
        "企业名称",
        "判断",
        "得分",
        "满足条件",
        "不满足条件",
        "待确认条件",
        "推荐理由",
        "政策条目",
    )
    assert "联系电话" in header
    assert [r[0] for r in rows[1:]] == list(range(1, 9))
    first = dict(zip(header, rows[1], strict=True))
    best = result.lists["tech"][0]
    assert first["企业编号"] == best.enterprise_id and first["得分"] == best.score
    assert first["推荐理由"].startswith(("符合全部1项条件", "需向企业确认：营业收入≥500万元"))
    assert first["联系电话"].startswith("0")
    summary = json.loads((tmp_path / "lists.summary.json").read_text(encoding="utf-8"))
    assert summary["enterprises"] == {
        "read": 400,
        "scored": 398,
        "skipped": 2,
        "errors_reported": 3,
    }
    policy = summary["policies"]["tech"]
    assert policy["listed"] == 8 and sum(policy["by_verdict"].values()) == 8
    assert sum(policy["by_province"].values()) == 8
    # trade#0 is for 浙江 only: every listed enterprise is there, or of unknown region (row 30)
    assert set(summary["policies"]["trade#0"]["by_province"]) <= {"浙江省", "未知"}
    assert "浙江省" in summary["policies"]["trade#0"]["by_province"]


def test_a_policy_the_scorer_does_not_know_is_an_input_error(members, tmp_path):
    targets = [Target(policy_id="gone", item_ids=["gone#1"])]
    scorer = KeywordScorer()
    with pytest.raises(InputError, match="gone"):
        run_campaign(open_source(members), lambda: scorer, targets, CampaignOptions(), tmp_path)


def test_reason_line_names_what_to_confirm_and_why_it_fits():
    def check(condition, status):
        return ConditionCheck(condition=condition, kind="numeric", status=status, reason=condition)

    checks = [
        check("适用地区：山东省济南市", "met"),
        check("须为专精特新中小企业", "unknown"),
        check("研发投入占比≥3%", "unknown"),
        check("营业收入≥2000万元", "met"),
    ]
    match = Match(
        item_id="sa-001#2",
        doc_id="sa-001",
        enterprise_id="m1",
        title="t",
        score=1.0,
        verdict="可能符合",
        checks=checks,
        explanations=["条款内容与企业需求和业务相近（语义相似度0.91）", "可满足企业需求：设备更新"],
    )
    assert reason_line(match) == (
        "需向企业确认：须为专精特新中小企业；研发投入占比≥3%（其余2项已满足）。可满足企业需求：设备更新"
    )
    met_only = match.model_copy(update={"checks": [checks[0], checks[3]], "verdict": "推荐"})
    assert reason_line(met_only) == "符合全部2项条件。可满足企业需求：设备更新"
    failing = match.model_copy(
        update={"checks": [check("营业收入≥2000万元", "unmet")], "explanations": []}
    )
    assert reason_line(failing) == "不满足：营业收入≥2000万元"


def test_ray_engine_without_ray_names_the_extra_to_install(members, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed
    scorer = KeywordScorer()
    with pytest.raises(ImportError, match=r"pip install 'policymatch\[ray\]'"):
        run_campaign(
            open_source(members),
            lambda: scorer,
            TARGETS,
            CampaignOptions(as_of=AS_OF),
            tmp_path / "out",
            engine="ray",
            scorer=scorer,
        )
