"""Whole cards from realistic notices: who, where, what, when, and where each line came from."""

from __future__ import annotations

import datetime as dt

import pytest

from policymatch.corpus.metadata import build_document
from policymatch.corpus.models import PolicyDocument, PolicyItem, RawRecord
from policymatch.corpus.split import split_document
from policymatch.match.eligibility import check_eligibility
from policymatch.profile import EnterpriseProfile
from policymatch.translate import translate_item, translate_items
from policymatch.translate.beneficiaries import beneficiary_names, find_beneficiaries
from policymatch.translate.models import PolicyCard
from policymatch.translate.text import split_sentences

LICHENG_NOTICE = """济南市历城区科学技术局关于组织申报2026年度高新技术企业奖励资金的通知
各有关企业：
为加快培育科技型企业，推动全区高新技术企业量质齐升，现将有关事项通知如下。
一、支持对象
注册地在历城区、具有独立法人资格的企业，上年度营业收入2000万元以上，研发投入占营业收入比例不低于3%。
二、支持标准
（一）对首次认定为高新技术企业的，给予一次性奖励30万元。
（二）对通过高新技术企业重新认定的企业，给予一次性奖励10万元。
三、申报时间
2026年5月1日至6月30日，逾期不予受理。
四、受理部门
历城区科学技术局高新技术科。
本通知自发布之日起施行，有效期至2026年12月31日。
济南市历城区科学技术局
2026年4月10日
"""


def cards_of(**record) -> list[PolicyCard]:
    """The cards of a one-off document (``RawRecord`` fields), item by item."""
    doc = build_document(RawRecord(**record))
    return translate_items(split_document(doc), doc)


def roles(text: str, origin: str = "text") -> dict[str, str]:
    hits = find_beneficiaries(split_sentences(text, origin))  # type: ignore[arg-type]
    return {h.name: h.role for h in hits}


def test_requirement_award_and_mention_are_told_apart() -> None:
    assert roles("对获得认定的高新技术企业给予研发费用补助") == {"高新技术企业": "requirement"}
    assert roles("对首次认定为高新技术企业的给予奖励") == {"高新技术企业": "award"}
    # becoming a platform is what the money is for: a firm without one yet may apply
    assert roles("对成功创建为省级企业技术中心的研发机构，给予最高100万元支持") == {
        "企业技术中心": "award"
    }
    assert roles("培育一批高新技术企业和科技型中小企业") == {
        "高新技术企业": "mention",
        "科技型中小企业": "mention",
    }
    assert roles("鼓励高校、科研院所与企业联合建设研发平台") == {"科研机构": "mention"}


def test_synonyms_map_to_canonical_kinds() -> None:
    hits = find_beneficiaries(split_sentences("对国高、科小企业给予奖励", "text"))
    assert beneficiary_names(hits) == ["高新技术企业", "科技型中小企业"]


def test_kinds_in_document_titles_and_counted_units_are_mentions() -> None:
    assert roles("具体参照《济南市中小微企业创新券实施管理办法》有关规定给予补助") == {}
    assert roles("其在孵企业被认定为高新技术企业的，每认定1家给予孵化器10万元扶持") == {
        "高新技术企业": "mention",
        "孵化器": "requirement",
    }


def test_a_loan_product_named_after_a_kind_does_not_require_the_kind() -> None:
    # any firm holding one of the listed loans qualifies, a 小巨人 or not
    assert roles("对获得“科技履约贷”“小巨人信用贷”等信贷产品的企业按实际利息的40%给予贴息") == {}
    assert roles("对获得“专精特新贷”的小微企业给予贴息") == {"小微企业": "requirement"}
    # a quoted title is still the kind (“专精特新”中小企业)
    assert roles("本区“专精特新”中小企业每家奖励20万元") == {"专精特新中小企业": "requirement"}


@pytest.fixture(scope="module")
def licheng() -> tuple[PolicyDocument, list[PolicyItem]]:
    doc = build_document(
        RawRecord(id="lc-2026", text=LICHENG_NOTICE, issuer="济南市历城区科学技术局")
    )
    return doc, split_document(doc)


def test_a_district_notice_reads_into_a_complete_card(licheng) -> None:
    doc, items = licheng
    award = next(item for item in items if "首次认定" in item.text)
    card = translate_item(award, doc)
    assert card.region_codes == ["370112"]  # 历城区, from the issuer and 注册地在历城区
    assert card.beneficiaries == ["高新技术企业"]
    assert ("fixed", 30) in [(a.kind, a.wan) for a in card.amounts]
    assert card.max_amount_wan == 30
    assert (card.apply_start, card.apply_end) == (dt.date(2026, 5, 1), dt.date(2026, 6, 30))
    assert card.valid_until == dt.date(2026, 12, 31)
    assert card.department == "历城区科学技术局高新技术科"
    numeric = {(c.field, c.op, c.value) for c in card.conditions if c.kind == "numeric"}
    assert numeric == {("revenue", ">=", 2000), ("rd_ratio", ">=", 3)}  # stated once, in 支持对象
    award_condition = next(c for c in card.conditions if c.kind == "qualification")
    assert (award_condition.role, award_condition.hard) == ("award", False)
    assert card.summary == "济南市历城区 · 高新技术企业 · 资金奖励30万元 · 2026-06-30前申报"


def test_every_card_line_quotes_a_sentence_of_the_item_or_its_document(licheng) -> None:
    doc, items = licheng
    for card in translate_items(items, doc):
        labels = [line.label for line in card.lines]
        assert labels[0] == "谁可以申请" and "受理部门" in labels
        for line in card.lines:
            if line.source:
                assert line.source in doc.text, (line.label, line.source)


def test_a_procedure_item_is_not_a_support_measure(licheng) -> None:
    doc, items = licheng
    window_item = next(item for item in items if item.title == "申报时间")
    card = translate_item(window_item, doc)
    assert not card.is_support_measure
    assert card.beneficiaries == []
    assert "非申报类条款" in card.summary


def test_conditions_stated_once_above_numbered_items_are_inherited() -> None:
    doc = PolicyDocument(
        id="qd", title="青岛市支持制造业数字化转型若干措施", text="本市", region_code="370200"
    )
    item = PolicyItem(
        id="qd#3",
        doc_id="qd",
        seq=3,
        heading_path=[
            "二、支持措施",
            "（一）对上年度营业收入5000万元以上的制造业企业，按以下标准给予奖励：",
        ],
        title="数字化车间",
        text="2.对新认定为省级数字化车间的，给予一次性奖励50万元。",
    )
    card = translate_item(item, doc)
    numeric = {(c.field, c.op, c.value) for c in card.conditions if c.kind == "numeric"}
    assert numeric == {("revenue", ">=", 5000)}
    assert "C" in card.industries
    assert card.beneficiaries == ["制造业企业", "数字化车间"]
    assert [(a.kind, a.wan) for a in card.amounts] == [("fixed", 50)]


@pytest.mark.parametrize(
    ("applicants", "sectors"),
    [
        ("具有独立法人资格的制造业企业，申报时生产经营正常", ["C"]),
        # one applicant of a list: the others (platform firms, service providers) may apply too
        ("具有独立法人资格的工业企业、工业互联网平台企业和解决方案服务商", []),
    ],
)
def test_a_sector_named_under_the_applicants_heading_binds_the_item(
    applicants: str, sectors: list[str]
) -> None:
    # an item exported as a record of its own: its measure, then the document's 支持对象
    text = (
        "二、支持政策\n"
        "（二）贷款贴息。对获得技改贷款的中小企业，按实际利息的50%给予贴息，最高50万元。\n"
        "一、支持对象\n"
        f"在临沂市注册纳税、{applicants}。"
    )
    (card,) = cards_of(
        id="ly#2",
        title="临沂市支持企业技术改造若干措施（贷款贴息）",
        region="山东省临沂市",
        text=text,
    )
    assert "中小企业" in card.beneficiaries
    assert card.industries == sectors


def test_ben_qu_points_back_to_the_issuers_district() -> None:
    doc = PolicyDocument(
        id="xh",
        title="关于支持人工智能企业发展的若干措施",
        text="本区",
        issuer="上海市徐汇区科学技术委员会",
    )
    item = PolicyItem(
        id="xh#1",
        doc_id="xh",
        seq=1,
        title="开办奖励",
        text="对登记注册在本区的人工智能企业，可给予不超过新增实缴注册资本5%的开办奖励，单个企业最高2000万元。",
    )
    card = translate_item(item, doc)
    assert card.region_codes == ["310104"]
    assert card.region_names == ["上海市徐汇区"]
    assert [(a.kind, a.ratio or a.wan) for a in card.amounts] == [("ratio", 0.05), ("max", 2000)]
    assert set(card.industries) >= {"6513"}


def test_a_national_item_applies_nationwide() -> None:
    doc = PolicyDocument(
        id="gb",
        title="国务院办公厅关于支持小微企业融资的指导意见",
        text="各省",
        issuer="国务院办公厅",
    )
    item = PolicyItem(
        id="gb#2",
        doc_id="gb",
        seq=2,
        title="降低担保费率",
        text="（二）降低担保费率。对小微企业融资担保业务，政府性融资担保机构收取的担保费率原则上不超过1%，"
        "有条件的地方可给予适当担保费补贴。",
    )
    card = translate_item(item, doc)
    assert card.region_codes == [] and card.region_names == []
    assert card.summary.startswith("全国")
    assert "小微企业" in card.beneficiaries
    assert card.amounts == []  # a fee cap is not money granted


def test_an_expired_item_says_so() -> None:
    doc = PolicyDocument(
        id="old",
        title="济南市关于促进软件产业发展的若干政策",
        region_code="370100",
        text="本政策自2019年1月1日起施行，有效期至2021年12月31日。",
    )
    item = PolicyItem(
        id="old#1",
        doc_id="old",
        seq=1,
        title="软件企业奖励",
        text="对首次认定的软件企业给予一次性奖励20万元。",
    )
    card = translate_item(item, doc)
    assert (card.valid_from, card.valid_until) == (dt.date(2019, 1, 1), dt.date(2021, 12, 31))
    assert card.expired(dt.date(2024, 1, 1))
    assert not card.expired(dt.date(2021, 6, 1))
    assert card.industries == ["65"]


def test_a_plan_item_has_nothing_to_apply_for() -> None:
    doc = PolicyDocument(
        id="plan", title="山东省数字经济发展规划", text="全省", region_code="370000"
    )
    item = PolicyItem(
        id="plan#1",
        doc_id="plan",
        seq=1,
        heading_path=["一、总体要求"],
        title="指导思想",
        text="（一）指导思想。坚持新发展理念，推动数字经济和实体经济深度融合，培育一批专精特新中小企业。",
    )
    card = translate_item(item, doc)
    assert not card.is_support_measure
    assert card.beneficiaries == [] and card.amounts == []
    assert card.summary == "山东省 · 指导思想 · 非申报类条款"


def test_sole_proprietors_listed_beside_plain_enterprises_restrict_nobody() -> None:
    # 个体工商户 among 企业、社会团体… widens who may apply; an enterprise is not shut out.
    assert roles(
        "本办法适用于依法参加工伤保险并足额缴费的企业、民办非企业单位以及以单位形式参保的"
        "个体工商户，按规定给予职业技能提升补贴"
    ) == {"个体工商户": "mention"}
    assert roles("对个体工商户和各类企业吸纳就业的，给予社保补贴") == {"个体工商户": "mention"}
    # Without plain 企业 in the list the kinds still bind.
    assert roles("对小微企业和个体工商户减半征收资源税") == {
        "小微企业": "requirement",
        "个体工商户": "requirement",
    }
    assert roles("对个体工商户和企业职工参加培训的给予补贴") == {"个体工商户": "requirement"}


SCOPED_RULE_NOTICE = """某市工业和信息化局关于加快工业技术改造和软件产品推广应用的若干措施
一、申报条件
申报企业须在本市注册登记并纳税，具有独立法人资格，纳税信用等级B级以上。技术改造类项目申报企业须为规模以上工业企业。
二、支持内容
（一）技术改造补助。对企业实施技术改造项目，设备投资500万元以上的，按设备投资额的10%给予补助，单个项目最高500万元。
（二）首版次软件奖励。对新认定的省首版次高端软件产品，给予开发企业一次性奖励20万元。
三、申报方式
申报截止时间为2025年10月31日，其中限上企业入库奖励按季度申报。
"""


def test_a_rule_for_one_kind_of_measure_binds_only_that_kind() -> None:
    doc = build_document(
        RawRecord(id="scoped", text=SCOPED_RULE_NOTICE, issuer="某市工业和信息化局")
    )
    items = split_document(doc)
    cards = {
        item.title: card for item, card in zip(items, translate_items(items, doc), strict=True)
    }
    upgrade = next(c for t, c in cards.items() if "技术改造补助" in t)
    software = next(c for t, c in cards.items() if "首版次软件" in t)
    assert "规上工业企业" in upgrade.beneficiaries
    assert "规上工业企业" not in software.beneficiaries
    assert software.industries == []


def test_a_step_of_the_procedure_names_nobody_who_must_apply() -> None:
    # The clause says when another measure is filed, not who may apply.
    assert roles("申报截止时间为2025年10月31日，其中限上企业入库奖励按季度申报") == {
        "限上企业": "mention"
    }
    assert roles("对首次纳入统计的限上企业，给予一次性奖励5万元") == {"限上企业": "award"}


def test_rules_for_measures_in_general_bind_every_item() -> None:
    from policymatch.translate.scope import measure_scope

    def scope(text: str) -> str | None:
        return measure_scope(split_sentences(text, "context")[0])

    assert scope("技术改造类项目申报企业须为规模以上工业企业") == "技术改造"
    assert scope("申报首台套奖励的企业须为本市注册的装备制造企业") == "首台套"
    assert scope("申报各类项目的企业须无严重失信记录") is None
    assert scope("其中设备购置类补贴按投资额的10%给予") is None  # a grant, not a rule


@pytest.mark.parametrize(
    ("text", "measure"),
    [
        ("企业研发活动形成无形资产的，按照无形资产成本的200%在税前摊销。", True),
        ("企业开展研发活动实际发生的研发费用，按实际发生额的100%在税前加计扣除。", True),
        ("企业购买数字化诊断服务的，按服务合同金额的50%使用服务券抵扣。", True),
        ("各部门要加强组织领导，明确责任分工，抓好政策落实。", False),
    ],
)
def test_a_tax_deduction_or_voucher_offset_is_a_support_measure(text: str, measure: bool) -> None:
    doc = build_document(RawRecord(id="tax", title="关于落实税费优惠政策的通知", text=text))
    (item,) = split_document(doc)
    assert translate_item(item, doc).is_support_measure is measure


@pytest.mark.parametrize(
    "text",
    [
        # a procedure under its heading names the benefit it is about, and offers nothing new
        "三、申报办理\n（一）免申即享。稳岗返还由人社部门比对参保数据后直接拨付，企业无需申请。\n"
        "（二）依申请办理。一次性扩岗补助由参保单位在招用人员缴费满1个月后提出申请。",
        # an excerpt whose heading is its first line
        "五、有效期\n本通知自2024年4月1日起施行，有效期至2025年12月31日，稳岗返还等补贴按本通知执行。",
        "三、申报和受理\n（一）申报时间。首贷贴息和保费补贴每年分两次申报。\n"
        "（二）受理部门。企业向所在区财政局提交申请，审核后拨付补贴资金。",
        "三、使用流程\n1.企业在平台注册并申领服务券。\n2.企业选择服务机构，以服务券抵扣部分服务费用。",
        # a step of applying that quotes the amounts of the measure it leads to
        "第三章 申请流程\n第九条 提交材料。企业向运营公司提交申请表；营业收入1亿元以上的企业，"
        "服务券上限为每年50万元，其余企业每年10万元。",
        # the closing articles repeat an amount only to settle old grants
        "第六章 附则\n第二十条 本办法自2024年1月1日起施行，此前已获批的最高100万元奖励按原办法兑现。",
    ],
)
def test_procedure_and_validity_parts_are_not_support_measures(text: str) -> None:
    cards = cards_of(id="proc", title="关于做好稳岗返还工作的通知", text=text)
    assert cards and not any(card.is_support_measure for card in cards)


_GRANT_WITHOUT_AMOUNT = (
    "（三）加大资金支持。对新认定的专精特新中小企业给予奖励，落实高新技术企业税收优惠。"
)
_GRANT_WITH_AMOUNT = "（三）加大资金支持。对新认定的专精特新中小企业给予一次性奖励20万元。"


@pytest.mark.parametrize(
    ("title", "text", "measure"),
    [
        # a measure document grants without naming a sum (the sum is set by the department)
        ("关于支持中小企业专精特新发展的若干措施", _GRANT_WITHOUT_AMOUNT, True),
        # a plan says what will be supported; only a stated sum makes a clause applicable
        ("某省“十四五”中小企业发展规划", _GRANT_WITHOUT_AMOUNT, False),
        ("关于印发某市中小企业数字化转型三年行动方案的通知", _GRANT_WITHOUT_AMOUNT, False),
        ("某省“十四五”中小企业发展规划", _GRANT_WITH_AMOUNT, True),
        # a reply letter or a list of results offers nothing, sums or not
        ("市政府办公厅关于某区请示事项的复函", _GRANT_WITH_AMOUNT, False),
        ("关于公布2025年专精特新中小企业名单的通知", _GRANT_WITH_AMOUNT, False),
        # a notice calling for applications is read clause by clause as before
        ("关于组织申报2025年专精特新中小企业奖励的通知", _GRANT_WITH_AMOUNT, True),
        # what trails the title in brackets is no kind of document (an item record's heading)
        (
            "某市专精特新中小企业扶持办法（申报主体：未列入失信黑名单的企业）",
            _GRANT_WITHOUT_AMOUNT,
            True,
        ),
        ("某省中小企业发展规划（2021—2025年）", _GRANT_WITHOUT_AMOUNT, False),
    ],
)
def test_the_kind_of_document_bounds_what_counts_as_a_measure(
    title: str, text: str, measure: bool
) -> None:
    doc = build_document(RawRecord(id="kind", title=title, text=text))
    (item,) = split_document(doc)
    assert translate_item(item, doc).is_support_measure is measure


def test_an_agency_named_in_the_title_does_not_make_a_measure_a_closing_article() -> None:
    # 国家金融监督管理总局 contains 监督管理, the heading of a supervision chapter
    cards = cards_of(
        id="ins",
        title="财政部 国家金融监督管理总局关于印发首台（套）装备保险补偿办法的通知",
        text="第三条 制造企业为首台（套）装备投保质量保证险的，中央财政按年度保费的80%给予补贴。",
    )
    assert cards and all(card.is_support_measure for card in cards)


def test_a_yearly_window_reads_as_every_year_on_the_card() -> None:
    card = cards_of(
        id="yearly",
        title="济南市关于支持中小企业技术改造的若干措施",
        publish_date="2024-02-01",
        text="一、技改补助。对完成技术改造的中小企业，按设备投资的10%给予补助，最高50万元。\n"
        "二、申报时间。每年4月1日至5月31日集中申报。",
    )[0]
    assert card.apply_yearly and card.apply_end == dt.date(2024, 5, 31)
    assert card.summary.endswith("每年5月31日前申报")
    assert ("何时申报", "每年4月1日至5月31日") in [(line.label, line.text) for line in card.lines]


@pytest.mark.parametrize(
    ("text", "implied"),
    [
        ("企业研发活动中实际发生的研发费用，按实际发生额的100%在税前加计扣除。", True),
        ("对科技型中小企业，按照其上年度研发投入的10%给予补助，最高20万元。", True),
        # R&D is one base of two, or one benefit of a list: the others need no R&D
        ("对场景建设牵头企业，按实际研发投入或项目总投入的20%给予补助，最高100万元。", False),
        ("对技改企业给予资金支持，落实进口设备免税、研究开发费用加计扣除、加速折旧等政策。", False),
        # its own threshold says more than the implied one
        ("研发投入占营业收入比例不低于4%的企业，按研发投入增量的5%给予补助。", False),
    ],
)
def test_a_benefit_reckoned_on_rd_spending_needs_some(text: str, implied: bool) -> None:
    (card,) = cards_of(id="rd", title="关于支持企业研发创新的通知", region="全国", text=text)
    spending = [c for c in card.conditions if c.field == "rd_ratio" and c.op == ">"]
    assert bool(spending) is implied
    if implied:
        none, some, unknown = (
            check_eligibility(card, EnterpriseProfile(id=name, region_code="370102", rd_ratio=rd))
            for name, rd in (("none", 0.0), ("some", 2.5), ("unknown", None))
        )
        assert none.verdict == "不符合"
        assert "研发投入占比0%" in " ".join(c.reason for c in none.checks)
        assert some.verdict != "不符合"
        assert unknown.verdict != "不符合"


@pytest.mark.parametrize(
    ("text", "for_firms"),
    [
        # a national incentive for the localities that did well is no subsidy for a firm
        (
            "三、对年度考核中制造业投资增长较快的市（地、州、盟），在次年专项资金分配中给予奖励。",
            False,
        ),
        # the county or the operator: the operator applies
        ("新评定为国家5A级旅游景区的，给予景区所在县（市、区）或经营主体一次性奖励500万元。", True),
        # the provinces pay for what the firms get
        ("对小微企业给予贷款贴息，所需资金由各省（区、市）财政承担。", True),
    ],
)
def test_an_award_to_local_governments_is_not_for_firms(text: str, for_firms: bool) -> None:
    doc = build_document(
        RawRecord(id="gov", title="关于对考核优秀地区实施奖励的通知", text=text, region="全国")
    )
    (item,) = split_document(doc)
    card = translate_item(item, doc)
    firm = EnterpriseProfile(
        id="firm",
        region_code="370102",
        employees=40,
        revenue=3000,
        total_assets=2000,
        industry_code="3484",
        scope="旅游景区管理；通用设备制造",
    )
    assert (check_eligibility(card, firm).verdict != "不符合") is for_firms
