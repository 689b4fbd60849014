"""Metadata read from text: 发文字号, issuer, dates, region."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

from policymatch.corpus.metadata import (
    build_document,
    extract_dates,
    issuer_from_doc_number,
    issuer_from_title,
    normalize_doc_number,
    region_in_title,
    region_of,
)
from policymatch.corpus.models import RawRecord
from policymatch.corpus.normalize import normalize_text
from policymatch.corpus.readers import read_path

NOTICE = """济南市人民政府办公厅关于进一步支持
中小企业专精特新发展的若干措施
济政办发［2023］５号
各区县人民政府，市政府各部门：
一、对首次认定的国家级专精特新“小巨人”企业，给予一次性奖励50万元。
二、对新认定的省级专精特新中小企业，给予一次性奖励10万元。
三、本措施自2023年2月1日起施行，有效期3年。
济南市人民政府办公厅
2023年1月10日
（此件公开发布）"""


def test_build_document_fills_metadata_from_text() -> None:
    doc = build_document(RawRecord(id="jn-1", text=NOTICE, source="notice.txt"))
    assert doc.title == "济南市人民政府办公厅关于进一步支持中小企业专精特新发展的若干措施"
    assert doc.doc_number == "济政办发〔2023〕5号"
    assert doc.issuer == "济南市人民政府办公厅"
    assert doc.written_date == dt.date(2023, 1, 10)
    assert doc.valid_from == dt.date(2023, 2, 1)
    assert doc.valid_until == dt.date(2026, 1, 31)
    assert doc.region == "济南市"
    if importlib.util.find_spec("policymatch.reference.regions"):
        assert doc.region_code == "370100"
    assert len(doc.content_hash) == 64


def test_doc_number_bracket_variants() -> None:
    assert normalize_doc_number("国办发[2019]6号") == "国办发〔2019〕6号"
    assert normalize_doc_number("鲁政办字（2022）12号") == "鲁政办字〔2022〕12号"
    assert normalize_doc_number("鲁政办字(2022)012号") == "鲁政办字〔2022〕12号"
    assert normalize_doc_number("无文号") is None


def test_issuer_from_doc_number_prefix() -> None:
    assert issuer_from_doc_number("国办发〔2019〕6号") == "国务院办公厅"
    assert issuer_from_doc_number("国发〔2018〕38号") == "国务院"
    assert issuer_from_doc_number("鲁政办字〔2022〕12号") == "山东省人民政府办公厅"
    assert issuer_from_doc_number("鲁政发〔2022〕1号") == "山东省人民政府"
    assert issuer_from_doc_number("青政办字〔2023〕13号") is None  # 青海 or 青岛: not guessed


def test_issuer_and_region_from_title() -> None:
    assert (
        issuer_from_title("国务院办公厅转发国家地震局关于加强防震减灾工作的通知") == "国务院办公厅"
    )
    assert issuer_from_title("徐汇区关于推动人工智能产业高质量发展的若干意见") is None
    assert region_of("徐汇区关于推动人工智能产业高质量发展的若干意见") == "徐汇区"
    assert region_of("山东省工业和信息化厅") == "山东省"
    assert region_of("上海市徐汇区人民政府") == "上海市徐汇区"
    assert region_of("国务院关于在市场监管领域全面推行部门联合监管的意见") is None
    assert region_of("市场监管总局") is None
    # a district whose name ends like a generic word (历城区 ~ 城区) is still a district
    assert region_of("济南市历城区工业和信息化局") == "济南市历城区"
    assert region_of("主城区人民政府") is None and region_of("高新区管委会") is None


def test_region_from_the_subject_of_a_title_when_nothing_names_the_issuer() -> None:
    doc = build_document(
        RawRecord(
            id="x", title="关于支持上海市人工智能创新街区建设的若干措施", text="第一条 支持企业。"
        )
    )
    assert doc.region == "上海市" and doc.region_code == "310000"
    assert region_in_title("关于支持中小企业发展的若干措施") is None
    # a named issuer still decides
    own = build_document(
        RawRecord(
            id="y", title="关于支持上海市企业的措施", issuer="徐汇区科委", text="第一条 支持。"
        )
    )
    assert own.region == "徐汇区"


def test_region_from_an_issuer_given_in_english() -> None:
    english = "Jinan Department of Industry and Information Technology and Jinan Finance Bureau"
    doc = build_document(
        RawRecord(
            id="z",
            title="人工智能岛建设运营补贴资金实施细则",
            issuer=english,
            text="一、补贴对象。",
        )
    )
    assert doc.region_code == "370100"
    central = "Ministry of Industry and Information Technology"
    doc = build_document(
        RawRecord(id="c", title="关于推进智能制造的通知", issuer=central, text="一、任务。")
    )
    assert doc.region is None


def test_validity_patterns() -> None:
    text = "本办法自2023年1月1日起施行，有效期至2025年12月31日。"
    assert extract_dates(text) == {
        "valid_from": dt.date(2023, 1, 1),
        "valid_until": dt.date(2025, 12, 31),
    }
    ranged = extract_dates("上述政策执行期限为2019年1月1日至2023年12月31日。")
    assert ranged["valid_from"] == dt.date(2019, 1, 1) and ranged["valid_until"] == dt.date(
        2023, 12, 31
    )
    assert extract_dates("本细则自印发之日起施行，有效期两年。") == {
        "from_issue": True,
        "valid_years": 2,
    }
    chinese = extract_dates("国家地震局\n一九九七年一月二十日")
    assert chinese == {"written_date": dt.date(1997, 1, 20)}


def test_state_council_metadata_matches_the_records(shared_data: Path) -> None:
    """Numbers and issuers read from text agree with the fields the gov.cn library lists."""
    path = shared_data / "policies" / "zhouynf_govcn_state_council_2019snapshot.jsonl"
    records = list(read_path(path))
    number_hits = issuer_hits = 0
    for raw in records:
        from_text = build_document(raw.model_copy(update={"doc_number": None, "issuer": None}))
        number_hits += from_text.doc_number == normalize_doc_number(raw.doc_number or "")
        issuer_hits += issuer_from_title(normalize_text(raw.title or "")) == raw.issuer
    assert len(records) == 60
    assert number_hits == 60
    # the misses are titles with no issuer in them (条例, 答复 of the 国务院 itself)
    assert issuer_hits >= 56
