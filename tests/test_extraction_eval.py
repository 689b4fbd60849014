"""The extraction evaluation: text-free labels, rebuilding the text, field-level scores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policymatch.corpus.normalize import normalize_text
from policymatch.errors import InputError
from policymatch.evaluation.extraction import (
    DEFAULT_LABELS,
    ExtractionLabels,
    LabelledItem,
    evaluate_extraction,
    locate_span,
    read_labels,
    rebuild_items,
    score_cards,
    span_hash,
)
from policymatch.translate.models import Amount, Condition, PolicyCard

# A record written for these tests (not shared data): full-width digits and a stray space, as
# exported policy text often has.
RAW = (
    "一、支持对象\n本市注册的中小企业。\n二、支持措施\n"
    "（一）对首次认定为高新技术企业的，给予一次性奖励３０ 万元。\n"
    "（二）对年营业收入２０００万元以上的企业，按研发投入的１０%给予补助，最高１００万元。\n"
)


def write_record(folder: Path) -> Path:
    path = folder / "policies" / "mine.jsonl"
    path.parent.mkdir(parents=True)
    record = {
        "id": "mine:1",
        "title": "济南市支持科技企业发展若干措施",
        "issuer": "济南市科学技术局",
        "text": RAW,
    }
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def label_for(item_text: str, labels: dict, label_id: str = "mine-1") -> LabelledItem:
    start, end = locate_span(RAW, item_text)
    return LabelledItem(
        id=label_id,
        source="policies/mine.jsonl",
        record="mine:1",
        start=start,
        end=end,
        sha1=span_hash(RAW[start:end]),
        labels=ExtractionLabels(**labels),
    )


def test_locate_span_ignores_width_and_spaces() -> None:
    item_text = normalize_text("（一）对首次认定为高新技术企业的，给予一次性奖励３０ 万元。")
    start, end = locate_span(RAW, item_text)
    assert RAW[start:end] == "（一）对首次认定为高新技术企业的，给予一次性奖励３０ 万元。"
    assert locate_span(RAW, "不在原文里的一句话，长度足够长以便探测") is None


def test_rebuilt_items_carry_the_normalised_span_and_its_context(tmp_path: Path) -> None:
    write_record(tmp_path)
    label = label_for(
        "（二）对年营业收入2000万元以上的企业，按研发投入的10%给予补助，最高100万元。", {}
    )
    (rebuilt,) = rebuild_items([label], tmp_path)
    assert (
        rebuilt.item.text
        == "（二）对年营业收入2000万元以上的企业，按研发投入的10%给予补助，最高100万元。"
    )
    assert "中小企业" in rebuilt.item.context
    assert rebuilt.doc.id == "mine:1"


def test_a_changed_source_is_caught_by_the_hash(tmp_path: Path) -> None:
    write_record(tmp_path)
    label = label_for("（一）对首次认定为高新技术企业的，给予一次性奖励30万元。", {})
    drifted = label.model_copy(update={"start": label.start + 1, "end": label.end + 1})
    with pytest.raises(InputError, match="source changed"):
        rebuild_items([drifted], tmp_path)


def test_bad_label_lines_are_reported_with_their_line(tmp_path: Path) -> None:
    good = label_for(
        "（一）对首次认定为高新技术企业的，给予一次性奖励30万元。", {}
    ).model_dump_json()
    path = tmp_path / "labels.jsonl"
    path.write_text(good + "\n" + '{"id": "x", "source": "s"}\n', encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_labels(path)
    assert error.value.line == 2
    path.write_text(good + "\n" + good + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="duplicate"):
        read_labels(path)


def test_scores_are_micro_averaged_counts_per_field() -> None:
    first = label_for(
        "（一）对首次认定为高新技术企业的，给予一次性奖励30万元。",
        {
            "beneficiaries": ["高新技术企业"],
            "region_codes": ["370100"],
            "amounts": [{"kind": "fixed", "value": 30}],
            "max_amount_wan": 30,
        },
    )
    second = label_for(
        "（二）对年营业收入2000万元以上的企业，按研发投入的10%给予补助，最高100万元。",
        {
            "region_codes": ["370100"],
            "numeric_conditions": [{"field": "revenue", "op": ">=", "value": 2000}],
            "amounts": [{"kind": "ratio", "value": 0.1}, {"kind": "max", "value": 100}],
            "max_amount_wan": 100,
        },
        "mine-2",
    )
    card_one = PolicyCard(
        item_id="mine-1",
        doc_id="mine:1",
        beneficiaries=["高新技术企业", "中小企业"],
        region_codes=["370100"],
        amounts=[Amount(kind="fixed", wan=30, text="30万元")],
        max_amount_wan=30,
    )
    card_two = PolicyCard(
        item_id="mine-2",
        doc_id="mine:1",
        region_codes=["370112"],
        conditions=[
            Condition(kind="numeric", field="revenue", op=">", value=2000, text="营业收入>2000万元")
        ],
        amounts=[Amount(kind="ratio", ratio=0.1, text="10%")],
        max_amount_wan=None,
    )
    report = score_cards([(first, card_one), (second, card_two)])
    beneficiaries = report.score("beneficiaries")
    assert (beneficiaries.tp, beneficiaries.fp, beneficiaries.fn) == (1, 1, 0)
    assert beneficiaries.precision == 0.5 and beneficiaries.recall == 1.0
    region = report.score("region_codes")
    assert (region.tp, region.fp, region.fn) == (1, 1, 1)
    amounts = report.score("amounts")
    assert (amounts.tp, amounts.fp, amounts.fn) == (2, 0, 1)
    assert amounts.recall == pytest.approx(2 / 3)
    numeric = report.score("numeric_conditions")
    assert (numeric.tp, numeric.fp, numeric.fn) == (0, 1, 1)  # > is not >=
    maximum = report.score("max_amount_wan")
    assert (maximum.tp, maximum.fp, maximum.fn) == (1, 0, 1)
    assert {(e.label_id, e.field) for e in report.errors} >= {
        ("mine-2", "region_codes"),
        ("mine-1", "beneficiaries"),
    }


def test_the_labelled_set_keeps_no_policy_text() -> None:
    labels = read_labels(DEFAULT_LABELS)
    assert len(labels) >= 80
    raw = DEFAULT_LABELS.read_text(encoding="utf-8")
    # ids, canonical names and codes only: no sentence punctuation from policy text
    assert "。" not in raw and "，" not in raw


@pytest.mark.slow
def test_translator_reaches_its_floors_on_the_labelled_set(shared_data: Path) -> None:
    report = evaluate_extraction(DEFAULT_LABELS, shared_data)
    assert report.items >= 80
    for field in ("region_codes", "amounts", "beneficiaries"):
        assert report.score(field).precision >= 0.9, field
    assert report.score("region_codes").recall >= 0.9
    assert report.score("amounts").recall >= 0.9
    assert report.score("is_support_measure").precision >= 0.9
    assert report.score("valid_from").precision >= 0.9
