"""Cards from real policies in ../shared/data: the hard cases as they occur in the wild."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from policymatch.corpus.metadata import build_document
from policymatch.corpus.models import PolicyDocument, PolicyItem
from policymatch.corpus.readers import read_path
from policymatch.corpus.split import split_document
from policymatch.translate import translate_items
from policymatch.translate.models import PolicyCard

XVSHITING = "policies/xvshiting_digital_policies_central_shandong.jsonl"
STATE_COUNCIL = "policies/zhouynf_govcn_state_council_2019snapshot.jsonl"
XUHUI = "policies/viktorsdb_xuhui_shanghai_policies.jsonl"


def cards_of(shared_data: Path, source: str, record: str) -> list[tuple[PolicyItem, PolicyCard]]:
    raw = next(r for r in read_path(shared_data / source) if r.id == record)
    doc: PolicyDocument = build_document(raw)
    items = split_document(doc)
    return list(zip(items, translate_items(items, doc), strict=True))


def card_with(pairs: list[tuple[PolicyItem, PolicyCard]], words: str) -> PolicyCard:
    return next(card for item, card in pairs if words in item.text)


@pytest.fixture(scope="module")
def jinan_2019(shared_data: Path) -> list[tuple[PolicyItem, PolicyCard]]:
    return cards_of(shared_data, XVSHITING, "xvshiting:shandong:7")


def test_tiers_in_yi_yuan_and_the_city_from_the_signature(jinan_2019) -> None:
    card = card_with(jinan_2019, "主营业务收入首次突破")
    assert card.region_codes == [
        "370100"
    ]  # the record has no region: read from 济南市人民政府办公厅…印发
    assert ("revenue", ">=", 100000) in {
        (c.field, c.op, c.value) for c in card.conditions if c.kind == "numeric"
    }
    assert {a.wan for a in card.amounts} == {1000, 800, 500, 300, 200, 100, 50, 2000}
    assert card.max_amount_wan == 2000
    assert card.valid_from == dt.date(2019, 1, 3)  # 自印发之日起施行 + the printed date


def test_awards_for_new_recognition(jinan_2019) -> None:
    card = card_with(jinan_2019, "对新认定的全国制造业")
    assert {"专精特新中小企业", "瞪羚企业", "独角兽企业", "规上工业企业"} <= set(card.beneficiaries)
    awards = {c.value for c in card.conditions if c.kind == "qualification" and c.role == "award"}
    assert "专精特新中小企业" in awards


def test_the_closing_organisation_item_is_not_a_support_measure(jinan_2019) -> None:
    card = card_with(jinan_2019, "加强组织领导")
    assert not card.is_support_measure and card.amounts == []


def test_budget_is_not_money_granted(jinan_2019) -> None:
    card = card_with(jinan_2019, "市财政每年安排5亿元")
    assert card.amounts == [] and card.max_amount_wan is None


def test_state_council_items_are_nationwide_with_their_own_periods(shared_data: Path) -> None:
    pairs = cards_of(shared_data, STATE_COUNCIL, "zhouynf:39")
    training = card_with(pairs, "困难企业可组织开展职工在岗培训")
    assert training.region_codes == []
    assert (training.valid_from, training.valid_until) == (
        dt.date(2019, 1, 1),
        dt.date(2019, 12, 31),
    )
    assert training.expired(dt.date(2020, 1, 1))
    loans = card_with(pairs, "创业担保贷款")
    assert "创业担保贷款" in loans.support_types
    assert {("max", 15), ("max", 300)} <= {(a.kind, a.wan) for a in loans.amounts}
    duties = card_with(pairs, "落实地方政府主体责任")
    assert not duties.is_support_measure


def test_a_xuhui_page_reads_its_district_and_first_recognitions(shared_data: Path) -> None:
    pairs = cards_of(shared_data, XUHUI, "viktorsdb:0")
    card = card_with(pairs, "支持企业资质申请")
    assert card.region_codes == ["310104"]
    assert set(card.beneficiaries) == {"中小企业", "专精特新中小企业", "专精特新小巨人"}
    assert sorted((a.kind, a.wan) for a in card.amounts) == [("fixed", 10), ("max", 50)]
    assert card.summary.startswith("上海市徐汇区 · ")
