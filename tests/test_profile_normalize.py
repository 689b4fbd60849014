"""Profile normalisation: codes, money units, dates, lists, derived size and age."""

from __future__ import annotations

import datetime as dt

import pytest

from policymatch.errors import InputError
from policymatch.profile import EnterpriseProfile, normalize_profile
from policymatch.profile.values import parse_count, parse_date, parse_list, parse_money_wan

AS_OF = dt.date(2024, 6, 1)


@pytest.mark.parametrize(
    ("written", "wan"),
    [
        (1200, 1200.0),
        ("1,200", 1200.0),
        ("1200万", 1200.0),
        ("1200万元", 1200.0),
        ("1.2亿", 12000.0),
        ("1.2亿元", 12000.0),
        ("3500000元", 350.0),
        ("约500万元", 500.0),
        ("一千二百万元", 1200.0),
        ("", None),
        ("-", None),
        (None, None),
    ],
)
def test_money_in_wan(written, wan):
    assert parse_money_wan(written) == wan


def test_money_rejects_text_and_negatives():
    for bad in ("很多", "-5", "100-200万"):
        with pytest.raises(ValueError):
            parse_money_wan(bad)
    with pytest.raises(ValueError):
        parse_money_wan(-3.0)


@pytest.mark.parametrize(
    ("written", "count"),
    [
        ("300人", 300),
        ("300", 300),
        ("1,200人", 1200),
        (300.0, 300),
        ("约300人", 300),
        ("暂无", None),
    ],
)
def test_headcount(written, count):
    assert parse_count(written) == count


def test_headcount_band_is_an_error():
    with pytest.raises(ValueError, match="100-499"):
        parse_count("100-499人")


@pytest.mark.parametrize(
    "written",
    [
        "2015-06-01",
        "2015/06/01",
        "2015/6/1",
        "2015年6月1日",
        "2015.06.01",
        "20150601",
        dt.date(2015, 6, 1),
        dt.datetime(2015, 6, 1, 9, 30),
    ],
)
def test_dates(written):
    assert parse_date(written) == dt.date(2015, 6, 1)


def test_partial_dates_and_bad_dates():
    assert parse_date("2015") == dt.date(2015, 1, 1)
    assert parse_date(2015) == dt.date(2015, 1, 1)
    assert parse_date("2015年6月") == dt.date(2015, 6, 1)
    for bad in ("2015-02-30", "去年", "15/6/1"):
        with pytest.raises(ValueError):
            parse_date(bad)


def test_lists_split_on_chinese_and_ascii_separators():
    assert parse_list("高新技术企业；科技型中小企业,专精特新、瞪羚企业，独角兽|上市") == [
        "高新技术企业",
        "科技型中小企业",
        "专精特新",
        "瞪羚企业",
        "独角兽",
        "上市",
    ]
    assert parse_list(["融资", "人才;用地"]) == ["融资", "人才", "用地"]


def test_full_record_with_chinese_keys():
    profile = normalize_profile(
        {
            "企业名称": "济南某某智能装备有限公司",
            "统一社会信用代码": "91370112MA3C4XYZ0B",
            "所属地区": "山东省济南市历城区",
            "所属行业": "通用设备制造",
            "从业人员": "300人",
            "营业收入(万元)": "2,000",
            "资产总额": "1.2亿",
            "成立日期": "2015年6月1日",
            "资质": "国高；科小、省级专精特新",
            "需求": "融资,研发补贴",
            "联系人": "张三",
            "联系电话": 13800000000,
        },
        as_of=AS_OF,
    )
    assert profile.id == "91370112MA3C4XYZ0B"
    assert profile.region_code == "370112"
    assert profile.region_path == ["370000", "370100", "370112"]
    assert profile.industry_code == "34"
    assert (profile.employees, profile.revenue, profile.total_assets) == (300, 2000.0, 12000.0)
    assert profile.size_class == "中"  # 工业: 300人 and 2000万元 are the 中型 floor
    assert profile.age_years == pytest.approx(9.0, abs=0.01)
    assert profile.qualifications == ["高新技术企业", "科技型中小企业", "专精特新中小企业"]
    assert profile.needs == ["融资", "研发补贴"]
    assert profile.contact == {"name": "张三", "phone": "13800000000"}


def test_english_and_camel_case_columns_and_a_region_split_in_parts():
    profile = normalize_profile(
        {
            "company_name": "济南某某软件有限公司",
            "Province": "山东省",
            "city": "济南市",
            "district": "历城区",
            "Industry Name": "软件和信息技术服务业",
            "employeeCount": "40人",
            "annual_revenue": "600万元",
            "demands": "贷款贴息；招聘补贴",
            "honors": ["科小"],
        },
        as_of=AS_OF,
    )
    assert profile.id == "济南某某软件有限公司"
    assert profile.region_code == "370112"
    assert profile.industry_code == "65"
    assert (profile.employees, profile.revenue, profile.size_class) == (40, 600.0, "小")
    assert profile.needs == ["贷款贴息", "招聘补贴"]
    assert profile.qualifications == ["科技型中小企业"]


def test_nested_groups_and_unclaimed_text_columns_are_read():
    profile = normalize_profile(
        {
            "id": "n-1",
            "basic": {"region": "浙江省宁波市", "established": 2021},
            "finance": {"revenue": 800, "employees": 12},
            "主营业务": "注塑模具设计与加工",
            "主要产品": "汽车内饰件模具",
            "主要客户": "长三角整车厂的一级供应商",
            "批次号": "B-2024-07",
        },
        as_of=AS_OF,
    )
    assert profile.region_code == "330200" and profile.founded == dt.date(2021, 1, 1)
    assert (profile.revenue, profile.employees) == (800.0, 12)
    assert "汽车内饰件模具" in profile.description and "一级供应商" in profile.description
    assert "B-2024-07" not in profile.description


@pytest.mark.parametrize(("written", "size"), [("小微企业", "小"), ("Small", "小"), ("中小", None)])
def test_size_words_and_bands(written, size):
    assert normalize_profile({"id": "s", "企业规模": written}).size_class == size


def test_revenue_column_in_yuan_is_converted():
    profile = normalize_profile(
        {"id": "a", "营业收入(元)": 35000000, "行业代码": "6513", "从业人员": 120}
    )
    assert profile.revenue == 3500.0
    assert profile.size_class == "中"


def test_given_code_is_kept_and_validated():
    assert (
        normalize_profile(
            {"id": "a", "industry": "软件开发", "industry_code": "C3911"}
        ).industry_code
        == "3911"
    )
    with pytest.raises(InputError) as caught:
        normalize_profile({"id": "a", "industry_code": "9999"})
    assert caught.value.field == "industry_code"
    with pytest.raises(InputError) as caught:
        normalize_profile({"id": "a", "行业代码": "Z12"})
    assert caught.value.field == "行业代码"
    with pytest.raises(InputError) as caught:
        normalize_profile({"id": "a", "region": "999999"})
    assert caught.value.field == "region"


def test_most_fields_missing_gives_unknowns_not_failures():
    profile = normalize_profile({"id": "m1", "name": "某某商行"})
    assert profile.region_code is None and profile.region_path == []
    assert profile.industry_code is None
    assert profile.size_class is None and profile.age_years is None
    assert profile.qualifications == []


def test_unrecognised_region_text_stays_unknown():
    profile = normalize_profile({"id": "a", "region": "某某工业园"})
    assert profile.region == "某某工业园" and profile.region_code is None


def test_region_read_from_the_name_when_no_region_is_given():
    assert normalize_profile({"name": "青岛海某电器股份有限公司"}).region_code == "370200"
    assert normalize_profile({"name": "山东济南某某有限公司"}).region_code == "370100"
    assert normalize_profile({"name": "某某中山路餐饮店"}).region_code is None


def test_unknown_qualifications_are_kept_as_written():
    profile = normalize_profile({"id": "a", "qualifications": ["国家高新技术企业", "ISO9001认证"]})
    assert profile.qualifications == ["高新技术企业", "ISO9001认证"]


def test_size_from_the_record_when_it_cannot_be_computed():
    assert normalize_profile({"id": "a", "企业规模": "小型"}).size_class == "小"
    with pytest.raises(InputError):
        normalize_profile({"id": "a", "企业规模": "巨型"})


def test_renormalising_a_profile_is_stable():
    first = normalize_profile(
        {
            "id": "a",
            "region": "济南历城",
            "industry_code": "6513",
            "employees": 50,
            "revenue": "800万",
            "founded": "2021",
        },
        as_of=AS_OF,
    )
    again = normalize_profile(first, as_of=AS_OF)
    assert again == first
    assert isinstance(again, EnterpriseProfile)


def test_founded_after_as_of_is_an_error():
    with pytest.raises(InputError) as caught:
        normalize_profile({"id": "a", "成立日期": "2030-01-01"}, as_of=AS_OF)
    assert caught.value.field == "成立日期"


def test_no_identifier_is_an_error():
    with pytest.raises(InputError, match="id"):
        normalize_profile({"所属地区": "济南"})


def test_business_scope_loses_registration_boilerplate_only():
    raw = {
        "id": "e-scope",
        "name": "济南示例数控科技有限公司",
        "region": "济南市历城区",
        "经营范围": (
            "许可项目：道路货物运输（不含危险货物）。（依法须经批准的项目，经相关部门批准后方可"
            "开展经营活动，具体经营项目以相关部门批准文件或许可证件为准）一般项目：数控机床制造；"
            "工业自动控制系统装置制造；货物进出口。（除依法须经批准的项目外，凭营业执照依法自主"
            "开展经营活动）"
        ),
    }
    scope = normalize_profile(raw).scope
    # text fields come out half-width (（ -> (, ；-> ;), the full stop stays
    assert scope == "道路货物运输(不含危险货物)。数控机床制造;工业自动控制系统装置制造;货物进出口。"
    # a scope written without the boilerplate keeps every word
    plain = {**raw, "经营范围": "软件开发；信息系统集成服务；（不含医疗器械）技术咨询"}
    assert normalize_profile(plain).scope == "软件开发;信息系统集成服务;(不含医疗器械)技术咨询"


def test_needs_come_from_the_description_only_when_no_needs_column_is_given():
    description = "城配物流企业，自有仓库8000平方米。去年亏损，希望减免房产税；计划新增冷藏车"
    derived = normalize_profile({"id": "w", "企业简介": description})
    assert derived.needs == ["去年亏损,希望减免房产税", "计划新增冷藏车"]  # text is NFKC
    stated = normalize_profile({"id": "w", "企业简介": description, "需求": "稳岗返还"})
    assert stated.needs == ["稳岗返还"]
    assert normalize_profile({"id": "w", "企业简介": "城配物流企业。"}).needs == []
