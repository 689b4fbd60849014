"""``policymatch cards show`` and ``policymatch eval-extraction``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from policymatch.cli import translate_cmd
from policymatch.corpus.metadata import build_document
from policymatch.corpus.models import RawRecord
from policymatch.corpus.split import split_document
from policymatch.evaluation.extraction import ExtractionLabels, LabelledItem, locate_span, span_hash

NOTICE = (
    "青岛市崂山区关于支持人工智能企业发展的若干措施\n一、支持对象\n注册地在崂山区的人工智能企业。\n二、支持措施\n"
    "（一）对首次认定为高新技术企业的，给予一次性奖励20万元。\n"
    "（二）对年营业收入5000万元以上的企业，按研发投入的10%给予补助，最高200万元。\n"
)


def cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:  # a group, as in the real app
        """policymatch"""

    translate_cmd.register(app)
    return app


@pytest.fixture()
def store_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from policymatch.settings import get_settings
    from policymatch.store import PolicyStore

    monkeypatch.setenv("POLICYMATCH_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    (tmp_path / "var").mkdir()
    store = PolicyStore(get_settings().resolved_database_url)
    doc = build_document(RawRecord(id="ls-1", text=NOTICE, issuer="青岛市崂山区科学技术局"))
    items = split_document(doc)
    store.upsert_document(doc, items)
    store.close()
    yield items
    get_settings.cache_clear()


def test_cards_show_prints_the_card_with_its_sources(store_env) -> None:
    item = next(i for i in store_env if "首次认定" in i.text)
    result = CliRunner().invoke(cli(), ["cards", "show", item.id], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "谁可以申请" in result.output and "原文" in result.output
    assert "青岛市崂山区" in result.output and "20万元" in result.output


def test_cards_show_json_and_unknown_items(store_env) -> None:
    item = next(i for i in store_env if "营业收入" in i.text)
    result = CliRunner().invoke(cli(), ["cards", "show", item.id, "--json"], catch_exceptions=False)
    card = json.loads(result.output)
    assert card["region_codes"] == ["370212"]
    assert {"field": "revenue", "op": ">=", "value": 5000.0} in [
        {k: c[k] for k in ("field", "op", "value")}
        for c in card["conditions"]
        if c["kind"] == "numeric"
    ]
    missing = CliRunner().invoke(cli(), ["cards", "show", "ls-1#99"])
    assert missing.exit_code == 1 and "no item" in missing.output


def test_eval_extraction_prints_field_scores(tmp_path: Path) -> None:
    data = tmp_path / "shared"
    (data / "policies").mkdir(parents=True)
    (data / "policies" / "mine.jsonl").write_text(
        json.dumps(
            {"id": "mine:1", "issuer": "青岛市崂山区科学技术局", "text": NOTICE}, ensure_ascii=False
        )
        + "\n",
        encoding="utf-8",
    )
    text = "（一）对首次认定为高新技术企业的，给予一次性奖励20万元。"
    start, end = locate_span(NOTICE, text)
    label = LabelledItem(
        id="ls-a",
        source="policies/mine.jsonl",
        record="mine:1",
        start=start,
        end=end,
        sha1=span_hash(NOTICE[start:end]),
        labels=ExtractionLabels(
            beneficiaries=["高新技术企业"],
            region_codes=["370212"],
            amounts=[{"kind": "fixed", "value": 20}],
            max_amount_wan=20,
        ),
    )
    labels = tmp_path / "labels.jsonl"
    labels.write_text(label.model_dump_json() + "\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli(),
        ["eval-extraction", "--labels", str(labels), "--shared-data", str(data), "--errors"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "extraction on 1 labelled items" in result.output
    row = next(line for line in result.output.splitlines() if "amounts" in line)
    assert "1.000" in row


def test_eval_extraction_names_a_bad_labels_file(tmp_path: Path) -> None:
    labels = tmp_path / "labels.jsonl"
    labels.write_text("not json\n", encoding="utf-8")
    result = CliRunner().invoke(cli(), ["eval-extraction", "--labels", str(labels)])
    assert result.exit_code == 1
    assert "labels.jsonl:1" in result.output
