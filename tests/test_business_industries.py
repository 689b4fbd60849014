"""A firm's scope and tags refine its industry within the section it is registered in: an AI
start-up registered under 6520 whose scope says 人工智能模型训练 is one of the 人工智能 firms an
item supports (6513/6519/6450), while a trader listing the goods it sells stays a trader. The
checks, the vectorised pre-filter and the push masks agree on it."""

from __future__ import annotations

import datetime as dt

import pytest
from push_helpers import push_mask

from policymatch.corpus.metadata import build_document
from policymatch.corpus.models import RawRecord
from policymatch.corpus.split import split_document
from policymatch.match.eligibility import check_eligibility, prefilter
from policymatch.match.features import industry_fit
from policymatch.profile import normalize_profile
from policymatch.reference import industries
from policymatch.translate import translate_items

AS_OF = dt.date(2025, 6, 1)


def _firm(**fields):
    return normalize_profile({"id": "f", "region": "山东省青岛市崂山区", **fields}, as_of=AS_OF)


def _card(text: str):
    doc = build_document(RawRecord(id="ai", title="关于支持人工智能产业发展的若干措施", text=text))
    doc.issuer = "青岛市崂山区人民政府"
    return translate_items(split_document(doc), doc)[0]


@pytest.mark.parametrize(
    ("scope", "code", "expected"),
    [
        ("人工智能模型训练；数据服务；算力服务", "6520", {"6513", "6519", "6450", "6550"}),
        # goods a trader sells are another section's industries: not its own
        ("化工产品销售；机械设备销售；货物进出口", "51", set()),
        ("液压动力机械及元件制造；机械零件加工", "34", {"35"}),
    ],
)
def test_the_scope_names_more_industries_of_the_same_section(scope, code, expected):
    assert set(industries.business_codes(scope, code)) == expected
    assert set(_firm(industry_code=code, scope=scope).business_industry_codes) == expected


def test_a_firm_whose_scope_says_ai_is_one_of_the_ai_firms_an_item_supports():
    card = _card(
        "一、房租补贴。对新入驻园区的人工智能企业，按实际租金的50%给予补贴，每年最高50万元。"
    )
    assert "6513" in card.industries
    ai = _firm(
        name="青岛某智算科技有限公司",
        industry_code="6520",
        scope="人工智能模型训练；算力服务",
        tags=["大模型"],
    )
    chips = _firm(name="青岛某微电子有限公司", industry_code="6520", scope="集成电路设计")
    checks = {}
    for firm in (ai, chips):
        result = check_eligibility(card, firm, as_of=AS_OF)
        checks[firm.name] = next(c for c in result.checks if c.kind == "industry")
    assert checks[ai.name].status == "met" and "经营范围" in checks[ai.name].reason
    assert checks[chips.name].status == "unmet"
    assert industry_fit(card, ai) == 1.0 and industry_fit(card, chips) == -1.0

    firms = [ai, chips]
    expected = [check_eligibility(card, f, as_of=AS_OF).verdict != "不符合" for f in firms]
    assert expected == [True, False]
    assert prefilter(card, firms, as_of=AS_OF).tolist() == expected
    possible, _ = push_mask(card, firms, AS_OF)
    assert possible == expected


def test_a_sector_left_out_is_judged_by_the_registered_code_alone():
    doc = build_document(
        RawRecord(
            id="loan",
            title="关于支持企业技术改造的若干措施",
            text="一、技改贴息。对企业技术改造项目贷款给予贴息（烟草制造业除外）。",
        )
    )
    doc.issuer = "青岛市崂山区人民政府"
    card = translate_items(split_document(doc), doc)[0]
    assert card.excluded_industries == ["16"]
    # makes machines for cigarette factories: its scope names the sector, it is not in it
    maker = _firm(name="青岛某机械有限公司", industry_code="3529", scope="烟草制造业专用设备制造")
    assert "16" in maker.business_industry_codes
    assert check_eligibility(card, maker, as_of=AS_OF).verdict != "不符合"


def test_a_scope_coarser_than_the_item_leaves_the_industry_open():
    card = _card("二、平台奖励。对年服务企业超过100家的互联网平台企业，一次性奖励50万元。")
    assert card.industries == ["643"]
    platform = _firm(
        name="青岛某工业互联网有限公司", industry_code="6513", scope="工业互联网平台服务"
    )
    assert "64" in platform.business_industry_codes
    result = check_eligibility(card, platform, as_of=AS_OF)
    assert next(c for c in result.checks if c.kind == "industry").status == "unknown"
    assert prefilter(card, [platform], as_of=AS_OF).tolist() == [True]
    assert push_mask(card, [platform], AS_OF)[0] == [True]
