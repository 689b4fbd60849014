"""A sector an item leaves out (…批发和零售业、房地产业等行业企业不适用本公告, （房地产业除外）) is a
hard industry rule: the card names it, the checks call a firm in it 不符合 with the reason, and
both vectorised pre-filters agree. The sample corpus's R&D super-deduction notice is the real case.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from push_helpers import push_mask

from policymatch.corpus.metadata import build_document
from policymatch.corpus.models import RawRecord
from policymatch.corpus.split import split_document
from policymatch.match.eligibility import check_eligibility, prefilter
from policymatch.profile import normalize_profile
from policymatch.translate import translate_items
from policymatch.translate.industries import find_excluded_industries, industry_codes
from policymatch.translate.text import split_sentences

AS_OF = dt.date(2025, 6, 1)
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "policies"


def _sample_cards(record_id: str):
    for path in sorted(SAMPLE.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            raw = json.loads(line)
            if raw["id"] == record_id:
                doc = build_document(RawRecord(**raw))
                items = split_document(doc)
                return items, translate_items(items, doc)
    raise LookupError(record_id)


def _excluded(text: str) -> list[str]:
    return industry_codes(find_excluded_industries(split_sentences(text, "text")))


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        (
            "烟草制造业、住宿和餐饮业、批发和零售业、房地产业、租赁和商务服务业、娱乐业等行业企业"
            "不适用本公告。",
            ["16", "H", "F", "K", "L", "90"],
        ),
        ("对企业新增贷款给予贴息（房地产业除外）。", ["K"]),
        ("支持中小企业（不含批发零售企业）实施技术改造。", ["F"]),
        ("除房地产企业外，各类企业均可申请。", ["K"]),
    ],
)
def test_the_sectors_left_out_are_read(text, codes):
    assert _excluded(text) == codes


@pytest.mark.parametrize(
    "text",
    [
        "减半征收资源税（不含水资源税）、城市维护建设税。",  # a tax left out, not a sector
        "本措施适用于在浙江省内（不含宁波市）依法注册的企业。",  # a place left out
        "除享受上述补贴外，还可申请贷款贴息。",
        # a department withholding support from some firms names no sector left out
        "对存在失信行为的企业，商务、工业和信息化等部门不予支持其申报除续建项目以外的各类资金。",
    ],
)
def test_other_exclusions_name_no_sector(text):
    assert _excluded(text) == []


def test_a_sector_left_out_restricts_nobody_to_it():
    doc = build_document(
        RawRecord(
            id="tg",
            title="关于支持中小企业技术改造的若干措施",
            text="一、技改补助。支持中小企业（不含批发零售企业）实施技术改造，"
            "按设备投资额的10%给予补助，最高100万元。",
        )
    )
    card = translate_items(split_document(doc), doc)[0]
    assert card.excluded_industries == ["F"]
    assert "F" not in card.industries


def test_the_rd_super_deduction_leaves_out_its_negative_list():
    items, cards = _sample_cards("sa-015")
    measures = [c for c in cards if c.is_support_measure]
    assert measures, "the notice's deduction clauses are measures"
    for card in measures:
        assert {"F", "H", "K", "L"} <= set(card.excluded_industries), card.item_id
        line = next(line for line in card.lines if line.label == "需要满足")
        assert "不属于" in line.text and "批发和零售业" in line.text
    # its clause on claiming in advance and its term offer nothing to apply for
    headings = {item.id: item.title for item in items}
    procedural = [c for c in cards if any(w in headings[c.item_id] for w in ("预缴", "执行期限"))]
    assert procedural and not any(c.is_support_measure for c in procedural)


def test_a_firm_in_a_sector_left_out_is_ineligible_and_told_why():
    _, cards = _sample_cards("sa-015")
    card = next(c for c in cards if c.is_support_measure)
    firms = [
        normalize_profile(  # wholesale (51) lies in 批发和零售业 (F)
            {
                "id": "trade",
                "name": "某进出口贸易有限公司",
                "region": "上海市浦东新区",
                "industry_code": "51",
            }
        ),
        normalize_profile(
            {
                "id": "maker",
                "name": "某机械制造有限公司",
                "region": "山东省济南市",
                "industry_code": "3421",
            }
        ),
        normalize_profile({"id": "blank", "name": "某科技有限公司", "region": "山东省济南市"}),
    ]
    checks = {}
    for firm in firms:
        result = check_eligibility(card, firm, as_of=AS_OF)
        checks[firm.id] = [c for c in result.checks if c.condition.startswith("不适用行业")]
    assert checks["trade"][0].status == "unmet" and checks["trade"][0].hard
    assert "批发和零售业" in checks["trade"][0].reason
    assert check_eligibility(card, firms[0], as_of=AS_OF).verdict == "不符合"
    assert checks["maker"][0].status == "met"
    assert checks["blank"][0].status == "unknown"  # no industry code: cannot tell

    expected = [check_eligibility(card, f, as_of=AS_OF).verdict != "不符合" for f in firms]
    assert expected == [False, True, True]
    assert prefilter(card, firms, as_of=AS_OF).tolist() == expected
    possible, masks = push_mask(card, firms, AS_OF)
    assert possible == expected


def test_a_deduction_for_named_sectors_is_for_them_alone():
    items, cards = _sample_cards("sa-015")
    card = next(c for i, c in zip(items, cards, strict=True) if "工业母机" in i.title)
    # a tax deduction hands something out, so the firms it names are its applicants
    assert {"3973", "342"} <= set(card.industries)
    maker = normalize_profile(
        {"id": "m", "name": "某数控机床有限公司", "region": "山东省济南市", "industry_code": "3421"}
    )
    baker = normalize_profile(
        {"id": "b", "name": "某食品有限公司", "region": "山东省济南市", "industry_code": "1431"}
    )
    assert check_eligibility(card, maker, as_of=AS_OF).verdict != "不符合"
    assert check_eligibility(card, baker, as_of=AS_OF).verdict == "不符合"
