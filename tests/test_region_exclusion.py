"""A place an item leaves out (在浙江省内（不含宁波市）注册) is a hard region rule: the card names
it, the checks call a firm there 不符合 with the reason, and both vectorised pre-filters agree."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from push_helpers import push_mask

from policymatch.corpus.metadata import build_document
from policymatch.corpus.models import RawRecord
from policymatch.corpus.split import split_document
from policymatch.match.eligibility import check_eligibility, prefilter
from policymatch.match.features import region_relation
from policymatch.profile import normalize_profile
from policymatch.translate import translate_items

AS_OF = dt.date(2025, 6, 1)
NINGBO, ZHEJIANG, SHENZHEN = "330200", "330000", "440300"


def _card(text: str, issuer: str = "浙江省商务厅"):
    doc = build_document(RawRecord(id="ex", title="关于支持外贸企业稳订单的若干措施", text=text))
    doc.issuer = issuer
    items = split_document(doc)
    return translate_items(items, doc)[0]


MEASURE = (
    "一、境外展会补助。对企业参加重点境外展会的，按展位费的70%给予补助，单个企业每年最高30万元。"
    "\n二、出口信用保险保费补助。对投保短期出口信用保险的企业，按实缴保费的50%给予补助。"
)


@pytest.mark.parametrize(
    "scope",
    [
        "本措施适用于在浙江省内（不含宁波市）依法注册的外贸企业。",
        "本措施适用于在浙江省内（宁波市除外）依法注册的外贸企业。",
        "除宁波市外，本措施适用于在浙江省内依法注册的外贸企业。",
    ],
)
def test_the_card_names_the_place_left_out(scope):
    card = _card(f"{MEASURE}\n三、适用范围\n{scope}")
    assert card.region_codes == [ZHEJIANG]
    assert card.excluded_region_codes == [NINGBO]


def test_a_city_following_its_own_rules_is_left_out():
    card = _card(
        f"{MEASURE}\n三、适用范围\n本措施适用于在广东省内（深圳市按其有关规定执行）注册登记的企业。",
        issuer="广东省工业和信息化厅",
    )
    assert card.region_codes == ["440000"] and card.excluded_region_codes == [SHENZHEN]


def test_a_place_outside_the_scope_is_no_exclusion():
    card = _card(
        f"{MEASURE}\n三、适用范围\n本措施适用于在浙江省内（不含深圳市）依法注册的外贸企业。"
    )
    assert card.region_codes == [ZHEJIANG] and card.excluded_region_codes == []


def test_a_firm_in_the_place_left_out_is_ineligible_and_told_why():
    card = _card(
        f"{MEASURE}\n三、适用范围\n本措施适用于在浙江省内（不含宁波市）依法注册的外贸企业。"
    )
    firms = [
        normalize_profile(
            {"id": "nb", "name": "宁波某家电有限公司", "region": "浙江省宁波市慈溪市"}
        ),
        normalize_profile({"id": "hz", "name": "杭州某贸易有限公司", "region": "浙江省杭州市"}),
        normalize_profile({"id": "zj", "name": "某贸易有限公司", "region": "浙江省"}),
        normalize_profile({"id": "sz", "name": "深圳某贸易有限公司", "region": "广东省深圳市"}),
    ]
    region_checks = {}
    for firm in firms:
        result = check_eligibility(card, firm, as_of=AS_OF)
        region_checks[firm.id] = next(c for c in result.checks if c.kind == "region")
    assert region_checks["nb"].status == "unmet" and region_checks["nb"].hard
    assert "不含宁波市" in region_checks["nb"].reason
    assert "不含宁波市" in region_checks["nb"].condition
    assert check_eligibility(card, firms[0], as_of=AS_OF).verdict == "不符合"
    assert region_checks["hz"].status == "met"
    assert region_checks["zj"].status == "unknown"  # somewhere in the province: maybe Ningbo
    assert region_checks["sz"].status == "unmet"
    assert [region_relation(card, f) for f in firms] == ["outside", "contained", "same", "outside"]

    expected = np.array(
        [check_eligibility(card, f, as_of=AS_OF).verdict != "不符合" for f in firms]
    )
    assert prefilter(card, firms, as_of=AS_OF).tolist() == expected.tolist()
    possible, masks = push_mask(card, firms, AS_OF)
    assert possible == expected.tolist()
    assert masks.region_relation(card.region_codes, firms[0].region_code, [NINGBO]) == "outside"
