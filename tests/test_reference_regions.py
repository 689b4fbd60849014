"""区划 table: codes, containment, free-text lookup and shared county names."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from policymatch.reference import regions

SHARED = Path(
    os.environ.get(
        "POLICYMATCH_SHARED_DATA", Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
    )
)


def test_table_has_every_province_and_drops_functional_zones():
    table = regions.default_table()
    provinces = [r for r in table if r.level == "province"]
    assert len(provinces) == 31
    assert regions.get("370171") is None  # 济南高新技术产业开发区: a statistical zone, not 区划
    assert regions.lookup("济南高新区").code == "370100"  # the city is named; the zone maps to none


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("370000", "山东"),
        ("370100", "济南"),
        ("370112", "历城"),
        ("150000", "内蒙古"),
        ("450000", "广西"),
        ("650000", "新疆"),
        ("222400", "延边"),
        ("429021", "神农架"),
        ("310115", "浦东"),
    ],
)
def test_short_names(name, short):
    assert regions.get(name).short_name == short


def test_containment():
    assert regions.contains("370100", "370112")  # 济南市 ⊃ 历城区
    assert not regions.contains("370100", "370212")  # 济南市 ⊅ 青岛市崂山区
    assert not regions.contains("370100", "370200")
    assert regions.contains(
        "370000", "370200"
    )  # 山东省 ⊃ 青岛市 (计划单列市 still in its province)
    assert regions.contains("370000", "370212")
    assert regions.contains("370112", "370112")
    assert not regions.contains("370112", "370100")  # a district does not contain its city
    for nationwide in (None, "", "000000", "100000"):
        assert regions.contains(nationwide, "650102")
        assert regions.contains(nationwide, None)
    assert not regions.contains("370000", None)


def test_municipality_districts():
    chaoyang = regions.lookup("北京市朝阳区")
    assert chaoyang.code == "110105"
    assert [r.code for r in regions.path("110105")] == ["110000", "110100", "110105"]
    assert regions.contains("110000", "110105") and regions.contains("110100", "110105")
    assert regions.lookup("北京市").code == "110000"  # the name means the province, not 110100
    assert regions.display_name("110105") == "北京市朝阳区"
    assert regions.lookup("重庆市璧山区").parent == "500100"


def test_separately_planned_cities():
    planned = {r.code for r in regions.default_table() if r.separately_planned}
    assert planned == {"210200", "370200", "330200", "350200", "440300"}
    assert regions.get("440300").parent == "440000"


def test_county_under_province_directly():
    jiyuan = regions.lookup("河南省济源市")
    assert jiyuan.code == "419001" and jiyuan.parent == "410000"
    assert regions.contains("410000", "419001")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("山东省济南市历城区", "370112"),
        ("济南历城", "370112"),
        ("历城区", "370112"),
        ("370112", "370112"),
        ("370112000000", "370112"),
        ("山东济南", "370100"),
        ("内蒙古", "150000"),
        ("广西壮族自治区南宁市", "450100"),
        ("上海浦东", "310115"),
        ("深圳市南山区科技园", "440305"),
        ("吉林省吉林市", "220200"),
        ("海南", "460000"),
        ("注册在青岛市崂山区的企业", "370212"),
    ],
)
def test_lookup_free_text(text, code):
    assert regions.lookup(text).code == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("苏州工业园区", "320500"),  # one word to jieba
        ("江苏省苏州工业园区", "320500"),
        ("北京经济技术开发区", "110000"),
        ("西安高新区", "610100"),
        ("长沙经开区", "430100"),
        ("南京江北新区", "320100"),
        ("天津滨海新区", "120116"),  # a district of the table, not a zone
        ("深圳市南山区", "440305"),
    ],
)
def test_a_functional_zone_resolves_to_the_division_it_lies_in(text, code):
    """Member lists give 苏州工业园区 as the address; a zone the table lacks is its city."""
    assert regions.lookup(text).code == code


def test_ambiguous_county_names_need_context():
    assert regions.lookup("鼓楼区") is None  # 南京, 徐州, 福州, 开封 each have one
    assert regions.lookup("福建省福州市鼓楼区").code == "350102"
    assert regions.lookup("江苏南京鼓楼").code == "320106"
    assert regions.lookup("江苏省徐州市鼓楼区").code == "320302"
    found = regions.find_all("济南市各区县：历下区、市中区、槐荫区")
    assert [r.code for r in found] == ["370100", "370102", "370103", "370104"]
    assert regions.lookup("市中区") is None  # 济南, 枣庄, 乐山, 内江


def test_names_inside_words_are_not_places():
    assert regions.find_all("朝阳产业") == []
    assert regions.find_all("医保定点资格") == []
    assert regions.find_all("加强县域经济，探索县级改革，建设示范县") == []
    assert [r.name for r in regions.find_all("北京天津河北辽宁")] == [
        "北京市",
        "天津市",
        "河北省",
        "辽宁省",
    ]
    assert (
        regions.lookup("朝阳").code == "211300"
    )  # alone, the city (朝阳区 x2, 朝阳县 are below it)
    assert regions.lookup("北京朝阳").code == "110105"


def test_regions_in_a_real_policy():
    import json

    path = SHARED / "policies" / "xvshiting_digital_policies_central_shandong.jsonl"
    if not path.exists():
        pytest.skip("shared data not present")
    with path.open(encoding="utf-8") as handle:
        docs = [json.loads(line) for line in handle]
    jinan_docs = [d for d in docs if "济南市" in d["text_zh"][:300]]
    assert jinan_docs
    for doc in jinan_docs[:5]:
        found = regions.find_all(doc["text_zh"][:3000])
        assert any(r.code == "370100" for r in found)


def test_every_nbs_county_resolves_with_its_parents():
    path = SHARED / "reference" / "admin_divisions" / "nbs_2023_modood" / "areas.csv"
    if not path.exists():
        pytest.skip("shared data not present")
    with path.open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["code"][4] != "7"]
    wrong = []
    for row in rows:
        region = regions.get(row["code"])
        if region.name == regions.get(region.parent).name:
            continue  # 嘉峪关市 the county is read as 嘉峪关市 the city
        text = regions.display_name(row["code"])
        found = regions.lookup(text)
        if found is None or found.code != row["code"]:
            wrong.append((row["code"], text, found and found.code))
    assert wrong == []


def test_an_issuer_written_in_english_names_its_region():
    assert regions.lookup_english("Jinan Municipal People's Government").code == "370100"
    assert regions.lookup_english("Shandong Provincial Big Data Bureau").code == "370000"
    several = "Qingdao Finance Bureau, and Qingdao Laoshan District People's Government"
    assert regions.lookup_english(several).code == "370200"
    assert regions.lookup_english("Xi'an Municipal Government").code == "610100"
    assert regions.lookup_english("Jilin Provincial Government").code == "220000"  # not 吉林市
    # Suzhou is 苏州 (Jiangsu) or 宿州 (Anhui): only its province decides
    assert regions.lookup_english("Suzhou Bureau of Commerce") is None
    assert regions.lookup_english("Jiangsu Province, Suzhou Bureau of Commerce").code == "320500"
    assert regions.lookup_english("Ministry of Industry and Information Technology") is None
    assert regions.lookup_english("Shandong and Jiangsu Provincial Governments") is None
