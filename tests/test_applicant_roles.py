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


def _beneficiary_status(card, profile) -> str:
    result = check_eligibility(card, profile, as_of=AS_OF)
    return next(c for c in result.checks if c.kind == "beneficiary").status


@pytest.mark.parametrize(
    ("text", "kind", "client", "applicant"),
    [
        (  # the firms a lessor serves are its tenants, not the applicants
            "（二）减租的房东。为小微企业和个体工商户减免房租的出租人，"
            "出租人为租用其房屋经营的小微企业减免租金的，可按规定减免当年房产税。",
            "出租人",
            {"name": "青岛某包装有限公司", "employees": 20, "revenue": 800, "scope": "纸箱制造"},
            {"name": "青岛某置业有限公司", "scope": "自有厂房出租；物业管理"},
        ),
        (  # an award for the operator of a district bars a shop in it
            "三、特色街区奖励。新评定为市级特色商业街区的，给予运营主体一次性奖励20万元。",
            "运营主体",
            {"name": "青岛某餐饮管理有限公司", "scope": "餐饮服务"},
            {"name": "青岛某商业管理有限公司", "scope": "商业街区运营管理；物业服务"},
        ),
    ],
)
def test_an_item_that_pays_another_party_is_for_that_party_alone(text, kind, client, applicant):
    card = _card(text, title="关于支持小微企业渡过难关的若干措施")
    assert card.beneficiaries == [kind]
    assert _beneficiary_status(card, _firm(**client)) == "unmet"
    assert _beneficiary_status(card, _firm(**applicant)) == "met"


def test_the_firms_a_guarantee_agency_serves_are_its_clients():
    card = _card(
        "一、担保费补助。政府性融资担保机构为中小微企业提供500万元以下贷款担保、"
        "年化担保费率不高于1%的，按担保额的0.5%给予补助。"
    )
    assert card.beneficiaries == ["融资担保机构"]


def test_a_bank_that_handles_the_loans_is_a_financial_institution():
    card = _card(
        "第九条 当年新发放创业担保贷款超过500万元、不良率低于3%的经办银行，按新发放额的1%给予奖励。"
    )
    assert card.beneficiaries == ["金融机构"]
    maker = _firm(name="青岛某机械有限公司", industry_code="34", scope="通用机械制造")
    assert check_eligibility(card, maker, as_of=AS_OF).verdict == "不符合"


def test_operators_listed_after_enterprises_widen_the_circle():
    doc = build_document(
        RawRecord(
            id="trade",
            title="关于促进商贸消费的若干措施",
            text="一、适用范围\n本措施适用于本区注册的零售、餐饮企业及相关商业运营主体。"
            "\n二、支持措施\n（一）老字号奖励。新认定为省级老字号的企业，一次性奖励10万元。",
        )
    )
    doc.issuer = "青岛市崂山区人民政府"
    card = next(c for c in translate_items(split_document(doc), doc) if c.is_support_measure)
    assert "运营主体" not in card.beneficiaries


def test_a_party_that_carries_out_a_step_is_not_the_applicant():
    card = _card(
        "一、房租减免。租用区属国有房屋经营的个体工商户，减免3个月租金；转租的，由出租方负责"
        "把减免落实到实际经营者。"
    )
    assert "出租人" not in card.beneficiaries
    assert "个体工商户" in card.beneficiaries


def test_kinds_of_the_document_title_give_way_to_those_the_item_names():
    title = "关于对小微企业和个体工商户减免税费的公告"
    own = _card("三、个体户经营所得减半。对个体工商户经营所得减半征收个人所得税。", title=title)
    assert own.beneficiaries == ["个体工商户"]
    inherited = _card("四、印花税减免。对签订借款合同的，免征印花税。", title=title)
    assert {"小微企业", "个体工商户"} <= set(inherited.beneficiaries)


def test_a_kind_the_circle_includes_restricts_nobody_to_it():
    sectors = _card(
        "（五）制造业等行业。符合条件的制造业、软件和信息技术服务业等行业企业（含个体工商户），"
        "可按月申请退还增量留抵税额。"
    )
    assert "个体工商户" not in sectors.beneficiaries
    maker = _firm(name="青岛某机械有限公司", industry_code="34", scope="通用机械制造")
    assert check_eligibility(sectors, maker, as_of=AS_OF).verdict != "不符合"
    small = _card("（六）小微企业。符合条件的小微企业（含个体工商户）可按月申请退还增量留抵税额。")
    assert small.beneficiaries == ["小微企业"]


@pytest.mark.parametrize(
    ("text", "listing"),
    [
        (
            "第三条 首台（套）装备保险补偿。制造企业为列入《首台（套）重大技术装备推广应用指导目录》"
            "的装备投保质量保证险的，按年度保费的80%给予补偿。",
            "首台（套）重大技术装备",
        ),
        (
            "（二）首批次新材料奖励。对经省级认定的首批次新材料，按首批次销售合同金额的20%给予奖励。",
            "首批次新材料",
        ),
    ],
)
def test_an_item_for_a_listed_product_needs_the_listing(text, listing):
    card = _card(text)
    assert listing in card.beneficiaries
    required = [c for c in card.conditions if c.kind == "qualification" and c.hard]
    assert required and required[0].value == listing
    plain = _firm(name="青岛某机械有限公司", industry_code="34", qualifications=["高新技术企业"])
    listed = _firm(name="青岛某装备有限公司", industry_code="34", tags=["首台套", "首批次"])
    assert check_eligibility(card, plain, as_of=AS_OF).verdict == "不符合"
    assert check_eligibility(card, listed, as_of=AS_OF).verdict != "不符合"


def test_only_kinds_written_side_by_side_are_alternatives():
    from policymatch.translate.beneficiaries import listed_together

    assert listed_together(
        "支持对象为农业产业化龙头企业、家庭农场和农民专业合作社。",
        "农业产业化龙头企业",
        "农民专业合作社",
    )
    assert not listed_together(
        "制造企业为列入首台（套）重大技术装备目录的装备投保", "首台（套）重大技术装备", "制造业企业"
    )


def test_a_listing_the_description_says_the_product_won_counts():
    card = _card(
        "（二）首批次新材料奖励。对经省级认定的首批次新材料，按首批次销售合同金额的20%给予奖励。"
    )
    won = _firm(
        name="青岛某新材料有限公司",
        qualifications=["高新技术企业"],
        description="产品被省级认定为首批次新材料，今年签下首批次销售合同。",
    )
    hoping = _firm(
        name="青岛某新材料有限公司",
        qualifications=["高新技术企业"],
        description="计划明年把新产品列入首批次新材料目录。",
    )
    assert check_eligibility(card, won, as_of=AS_OF).verdict != "不符合"
    assert check_eligibility(card, hoping, as_of=AS_OF).verdict == "不符合"


def test_a_fee_subsidy_paid_to_the_firms_a_guarantee_serves_stays_theirs():
    card = _card(
        "（三）担保费补贴。政府性融资担保机构为中小微企业提供的500万元以下贷款担保，"
        "年化担保费率不超过1%的，对企业实际缴纳的担保费按50%给予补贴。"
    )
    assert "中小企业" in card.beneficiaries
    small = _firm(name="青岛某机械有限公司", employees=40, revenue=3000, industry_code="34")
    assert _beneficiary_status(card, small) == "met"


def test_an_operator_of_no_place_is_whoever_runs_the_thing():
    card = _card(
        "第四条 节点建设补助。对建设并运营工业互联网标识解析二级节点、接入企业超过100家的"
        "运营机构，按项目投资额的30%给予补助。"
    )
    assert "运营主体" not in card.beneficiaries


def test_the_carrier_a_title_names_outweighs_the_plain_operator():
    card = _card(
        "第六条 孵化绩效奖励。孵化载体每培育1家毕业企业，奖励运营机构5万元。",
        title="崂山区科技企业孵化器和众创空间扶持办法",
    )
    assert card.beneficiaries == ["孵化器"]


def test_a_firm_founded_by_programme_talent_is_a_group_the_profile_must_declare():
    # The programme's name names nobody, but the firms its talents founded are the applicants.
    card = _card(
        "（十二）支持人才创业。对入选本市产业领军人才支持计划的人才创办的企业，"
        "年销售收入首次达到2000万元的，给予最高50万元创新扶持。"
    )
    assert "人才团队" in card.beneficiaries
    plain = _firm(name="青岛某机械有限公司", industry_code="34", revenue=9000)
    assert check_eligibility(card, plain, as_of=AS_OF).verdict == "可能符合"


def test_a_group_named_in_a_role_s_name_is_not_an_applicant():
    """中小企业融资（信用）担保机构 names a guarantor: its reserves get the tax deduction, not SMEs;
    小微企业 asking a guarantor for a loan still apply."""
    named = _card(
        "（五）落实税收政策。融资担保机构和再担保机构提取的赔偿准备金，"
        "可按中小企业融资（信用）担保机构准备金税前扣除的规定执行。"
    )
    assert named.beneficiaries == ["融资担保机构"]
    asking = _card("对小微企业向融资担保机构申请贷款担保的，给予担保费补贴。")
    assert "小微企业" in asking.beneficiaries


def test_an_incubator_the_firms_are_housed_in_is_not_the_applicant():
    """入驻…孵化器的企业 are firms like any other; 对创业孵化基地给予奖补 pays the base's operator."""
    assert (
        "孵化器"
        not in _card("对入驻科技企业孵化器的企业，给予每平方米20元房租补贴。").beneficiaries
    )
    assert _card("对入驻创业孵化基地的初创企业，给予房租补贴。").beneficiaries == ["初创企业"]
    base = _card("按孵化企业数量和吸纳就业情况，对创业孵化基地给予奖补。")
    assert base.beneficiaries == ["孵化器"]


def test_kinds_served_first_do_not_bar_the_others():
    """服务券优先发放给…专精特新企业 ranks who is served first; everyone may still apply."""
    card = _card(
        "对使用云服务的单位以服务券形式予以支持。"
        "服务券优先发放给瞪羚企业、独角兽企业和专精特新企业。"
    )
    assert card.beneficiaries == []
    assert not [c for c in card.conditions if c.kind == "qualification"]


def test_another_kind_of_applicant_is_one_tier_when_any_firm_gets_a_share():
    """A scale of caps for firms of every size, then one for 高校、科研机构: a firm need not be a
    research institute; an item for research institutes alone still asks it."""
    tiers = _card(
        "（三）补贴标准。上年营业收入超过1亿元的企业，每年最高补贴100万元；"
        "营业收入不足500万元的企业，每年最高补贴10万元；"
        "高校、科研机构，每年最高补贴50万元。"
    )
    assert "科研机构" not in tiers.beneficiaries
    alone = _card("对新认定的市级新型研发机构，给予一次性补贴50万元。")
    assert alone.beneficiaries == ["科研机构"]


def test_a_lender_taking_up_a_kind_of_financing_serves_the_borrowers():
    """支持金融机构创新专利权质押贷款产品 is for the firms that pledge their patents; a bank
    paid for the loans it made is still the applicant of that measure."""
    pledge = _card("安排专利质押贷款贴息资金，支持银行业金融机构创新专利权质押贷款产品。")
    assert pledge.beneficiaries == [] and pledge.industries == []
    compensated = _card("对金融机构发放的小微企业首贷，按贷款金额的1%给予风险补偿。")
    assert "金融机构" in compensated.beneficiaries
