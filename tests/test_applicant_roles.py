"""Who applies: people an employer hires are not the applicants, and an item for another kind of
applicant (an incubator's operator, a research institute, a guarantee agency, a co-operative)
is no item for a firm whose own words do not say it is one (the labelling guideline's
'another target group')."""

from __future__ import annotations

import datetime as dt

import pytest

from policymatch.corpus.metadata import build_document
from policymatch.corpus.models import RawRecord
from policymatch.corpus.split import split_document
from policymatch.match.eligibility import check_eligibility
from policymatch.profile import normalize_profile
from policymatch.translate import translate_items

AS_OF = dt.date(2025, 6, 1)


def _card(text: str, title: str = "关于支持企业发展的若干措施"):
    doc = build_document(RawRecord(id="r", title=title, text=text))
    doc.issuer = "青岛市崂山区人民政府"
    return translate_items(split_document(doc), doc)[0]


@pytest.mark.parametrize(
    "text",
    [
        "一、扩岗补助。参保单位招用离校2年内未就业的高校毕业生，签订1年以上劳动合同的，"
        "按每人1500元给予一次性扩岗补助。",
        "一、社保补贴。企业吸纳就业困难人员并为其缴纳社会保险费的，按单位实际缴费给予补贴。",
    ],
)
def test_people_an_employer_takes_on_are_not_the_applicants(text):
    card = _card(text)
    assert card.is_support_measure
    assert not {"高校毕业生", "就业困难人员"} & set(card.beneficiaries)


def test_people_who_apply_themselves_stay_the_applicants():
    card = _card("一、创业担保贷款。在本区自主创业的高校毕业生可申请最高30万元创业担保贷款。")
    assert "高校毕业生" in card.beneficiaries


INCUBATOR = (
    "一、载体认定奖励。新认定为国家级科技企业孵化器的，给予运营机构一次性奖励100万元；"
    "新认定为省级科技企业孵化器的，奖励50万元。"
)


def _firm(**fields):
    return normalize_profile({"id": "f", "region": "山东省青岛市崂山区", **fields})


def test_an_item_for_incubator_operators_fails_an_ordinary_firm_and_says_why():
    card = _card(INCUBATOR)
    assert card.beneficiaries == ["孵化器"]
    software = _firm(name="青岛某软件有限公司", scope="软件开发", description="做工业软件")
    result = check_eligibility(card, software, as_of=AS_OF)
    check = next(c for c in result.checks if c.kind == "beneficiary")
    assert result.verdict == "不符合" and check.status == "unmet" and check.hard
    assert "孵化器" in check.reason


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "青岛某孵化器管理有限公司"},
        {"name": "青岛某科技服务有限公司", "scope": "科技企业孵化器运营；物业管理"},
        {"name": "青岛某科技服务有限公司", "tags": ["众创空间"]},
    ],
)
def test_a_firm_that_says_it_runs_one_is_that_applicant(fields):
    card = _card(INCUBATOR)
    result = check_eligibility(card, _firm(**fields), as_of=AS_OF)
    assert next(c for c in result.checks if c.kind == "beneficiary").status == "met"


def test_a_vegetable_cooperative_is_a_farmers_cooperative():
    card = _card(
        "一、冷库补助。农民专业合作社新建机械冷库的，按建设投资的30%给予补助，最高20万元。",
    )
    assert "农民专业合作社" in card.beneficiaries
    coop = _firm(name="寿光某蔬菜专业合作社", scope="蔬菜种植")
    assert check_eligibility(card, coop, as_of=AS_OF).verdict != "不符合"


def _agri_card(measure: str):
    """The first measure of a district's farm-business notice whose audience lists 龙头企业,
    家庭农场 and 合作社 side by side."""
    doc = build_document(
        RawRecord(
            id="agri",
            title="关于加快农业产业化发展的若干措施",
            text="一、支持对象\n本措施支持对象为本区注册的农业产业化龙头企业、家庭农场和农民专业合作社。"
            f"\n二、支持政策\n1．{measure}",
        )
    )
    doc.issuer = "青岛市崂山区人民政府"
    return next(c for c in translate_items(split_document(doc), doc) if c.is_support_measure)


def test_a_qualification_listed_beside_other_applicants_is_one_alternative():
    card = _agri_card(
        "冷链设施补助。新增冷库库容1000吨以上的，按每吨200元给予补助，单个主体最高100万元。"
    )
    assert {"农业产业化龙头企业", "农民专业合作社"} <= set(card.beneficiaries)
    assert not [c for c in card.conditions if c.kind == "qualification" and c.hard]
    coop = _firm(
        name="崂山某果蔬专业合作社", qualifications=["省级农民合作社示范社"], scope="果蔬种植"
    )
    result = check_eligibility(card, coop, as_of=AS_OF)
    assert result.verdict != "不符合", [(c.condition, c.status) for c in result.checks]


def test_another_kind_of_applicant_beside_an_award_bars_nobody():
    card = _agri_card(
        "龙头企业认定奖励。新认定为农业产业化国家重点龙头企业的，给予一次性奖励50万元。"
    )
    assert "农民专业合作社" in card.beneficiaries
    assert any(c.role == "award" for c in card.conditions)
    food = _firm(
        name="崂山某食品有限公司",
        qualifications=["市级农业产业化重点龙头企业"],
        scope="农产品加工",
    )
    result = check_eligibility(card, food, as_of=AS_OF)
    assert result.verdict != "不符合", [(c.condition, c.status) for c in result.checks]
