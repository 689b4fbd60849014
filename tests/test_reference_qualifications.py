"""Qualification names: synonyms to canonical names, finding them in text, the table itself."""

from __future__ import annotations

import json

import pytest

from policymatch.errors import InputError
from policymatch.reference import industries, qualifications
from policymatch.reference.qualifications import QualificationTable


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("国高", "高新技术企业"),
        ("国家高新技术企业", "高新技术企业"),
        ("高企", "高新技术企业"),
        ("国家级高新技术企业", "高新技术企业"),
        ("科小", "科技型中小企业"),
        ("国家科技型中小企业", "科技型中小企业"),
        ("省级专精特新", "专精特新中小企业"),
        ("专精特新企业", "专精特新中小企业"),
        ("国家级专精特新“小巨人”企业", "专精特新小巨人"),
        ("小巨人", "专精特新小巨人"),
        ("规模以上工业企业", "规上工业企业"),
        ("限额以上批发零售住宿餐饮企业", "限上企业"),
        ("有进出口实绩的企业", "外贸企业"),
        ("进出口企业", "外贸企业"),
        ("个体户", "个体工商户"),
        ("上市公司", "上市企业"),
        ("农业产业化国家重点龙头企业", "农业产业化龙头企业"),
        ("国家级高新技术企业（2021年认定）", "高新技术企业"),
        ("技术先进型服务企业", "技术先进型服务企业"),
        ("小型微利企业", "小型微利企业"),
    ],
)
def test_canonical(written, canonical):
    assert qualifications.canonical_qualification(written) == canonical


def test_unknown_and_several_give_none():
    assert qualifications.canonical_qualification("ISO9001质量体系认证") is None
    assert qualifications.canonical_qualification("高新技术企业、科技型中小企业") is None


def test_find_in_policy_text():
    text = "对新认定的国家高新技术企业、科小和专精特新“小巨人”企业给予奖励，小微企业优先；拟上市企业另行支持。"
    assert qualifications.find_qualifications(text) == [
        "高新技术企业",
        "科技型中小企业",
        "专精特新小巨人",
        "小微企业",
        "拟上市企业",
    ]


def test_abbreviations_inside_words_do_not_count():
    assert qualifications.find_qualifications("提高企业核心竞争力，支持全国高校") == []
    assert qualifications.find_qualifications("中小企业公共服务示范平台建设") == []
    assert qualifications.find_qualifications("支持国高、科小发展") == [
        "高新技术企业",
        "科技型中小企业",
    ]


def test_implied_qualifications():
    held = qualifications.expand(["小巨人"])
    assert {"专精特新小巨人", "专精特新中小企业", "创新型中小企业"} <= held
    assert qualifications.expand(["某某认证"]) == {"某某认证"}


def test_packaged_table_is_consistent():
    table = qualifications.default_table()
    assert len(table) >= 40
    for entry in table:
        for code in entry.industries:
            assert industries.get(code) is not None, entry.name
        for rule in entry.rules:
            assert all(industries.get(c) for c in rule.industries), entry.name
        if entry.kind == "size" and entry.name != "小型微利企业":
            assert set(entry.sizes) <= {"大", "中", "小", "微"}


def test_a_translator_table_with_a_clash_is_rejected(tmp_path):
    path = tmp_path / "q.json"
    rows = [
        {"name": "高新技术企业", "kind": "qualification", "synonyms": ["高企"]},
        {"name": "高端企业", "kind": "qualification", "synonyms": ["高企"]},
    ]
    path.write_text(json.dumps({"qualifications": rows}, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InputError, match="高企"):
        QualificationTable.load(path)
    path.write_text(
        json.dumps({"qualifications": [{"name": "x", "kind": "nonsense"}]}), encoding="utf-8"
    )
    with pytest.raises(InputError, match="kind"):
        QualificationTable.load(path)
