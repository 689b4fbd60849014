"""Ingest end to end: real corpora, idempotence, errors that lose nothing, the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policymatch.corpus.pipeline import ingest
from policymatch.errors import InputError
from policymatch.store import PolicyStore

MEASURE = "对首次认定的国家级专精特新“小巨人”企业，给予一次性奖励50万元；对省级专精特新中小企业奖励10万元。"


def _record(doc_id: str, text: str = MEASURE, title: str = "关于支持专精特新企业的若干措施") -> str:
    return json.dumps({"id": doc_id, "title": title, "text": text}, ensure_ascii=False)


@pytest.mark.slow
def test_real_policy_corpora_ingest_cleanly(shared_data: Path, policy_store: PolicyStore) -> None:
    folder = shared_data / "policies"
    files = [
        folder / "xvshiting_digital_policies_central_shandong.jsonl",
        folder / "zhouynf_govcn_state_council_2019snapshot.jsonl",
        folder / "viktorsdb_xuhui_shanghai_policies.jsonl",
    ]
    report = ingest(files, policy_store, with_cards=False)
    assert report.errors == []
    assert report.read == 288 and report.new == 287
    assert [p.place.rsplit(":", 1)[1] for p in report.skipped] == ["5"]  # the page-not-found page
    assert report.items == policy_store.count_items() > 3000
    item = policy_store.get_item("zhouynf:57#1")
    assert item is not None and "营造" in item.tokens
    again = ingest(files, policy_store, with_cards=False)
    assert (again.new, again.changed, again.unchanged, again.items) == (0, 0, 287, 0)


def test_changed_record_replaces_its_items(tmp_path: Path, policy_store: PolicyStore) -> None:
    path = tmp_path / "p.jsonl"
    two = f"一、{MEASURE}\n二、对小微企业流动资金贷款给予贴息，贴息比例为贷款市场报价利率的50%，单户最高20万元。"
    path.write_text(_record("p1", two) + "\n", encoding="utf-8")
    first = ingest([path], policy_store, with_cards=False)
    assert (first.new, first.items) == (1, 2)
    path.write_text(_record("p1", MEASURE) + "\n", encoding="utf-8")
    second = ingest([path], policy_store, with_cards=False)
    assert (second.changed, second.items) == (1, 1)
    assert [i.id for i in policy_store.items_for("p1")] == ["p1#0"]


def test_error_mid_batch_loses_nothing(tmp_path: Path, policy_store: PolicyStore) -> None:
    good = tmp_path / "a.jsonl"
    good.write_text(_record("keep") + "\n", encoding="utf-8")
    ingest([good], policy_store, with_cards=False)
    before = policy_store.get_document("keep")
    batch = tmp_path / "b.jsonl"
    batch.write_text(
        "\n".join(
            [
                _record("n1"),
                '{"id": "broken", "text": ',
                _record("n2"),
                _record("keep", MEASURE + "修订。"),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        ingest([batch], policy_store, with_cards=False)
    assert info.value.line == 2 and info.value.source == str(batch)
    assert policy_store.get_document("n1") is not None  # written before the error
    assert policy_store.get_document("n2") is None  # never reached
    assert policy_store.get_document("keep") == before  # untouched
    report = ingest([batch], policy_store, skip_errors=True, with_cards=False)
    assert [(e.place, e.message.split(":")[0]) for e in report.errors] == [
        (f"{batch}:2", "malformed JSON")
    ]
    assert (report.new, report.changed, report.unchanged) == (1, 1, 1)


def test_sample_corpus_ingests(policy_store: PolicyStore) -> None:
    sample = Path(__file__).resolve().parents[1] / "data" / "policies"
    if not any(sample.glob("*.jsonl")):
        pytest.skip("sample corpus not written yet")
    report = ingest([sample], policy_store, with_cards=False)
    assert report.errors == [] and report.new == report.read
    docs = {d.id: d for d in policy_store.list_documents(limit=500)}
    hant = next(d for d in docs if "zh-hant" in d)
    assert "數" not in policy_store.get_document(hant).text


def test_cli_ingest_list_show_and_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from policymatch.cli import app
    from policymatch.settings import get_settings

    monkeypatch.setenv("POLICYMATCH_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    monkeypatch.setattr("policymatch.corpus.pipeline._translator", lambda: None)
    folder = tmp_path / "in"
    folder.mkdir()
    text = (
        f"一、{MEASURE}\n二、对新认定的高新技术企业给予一次性奖励20万元，复审通过的企业奖励10万元。"
    )
    (folder / "a.jsonl").write_text(_record("cli-1", text) + "\n", encoding="utf-8")
    runner = CliRunner()
    try:
        result = runner.invoke(app, ["ingest", str(folder)])
        assert result.exit_code == 0, result.output
        assert "new" in result.output
        listed = runner.invoke(app, ["policies", "list", "--search", "专精特新"])
        assert listed.exit_code == 0 and "cli-1" in listed.output
        shown = runner.invoke(app, ["policies", "show", "cli-1#2"])
        assert shown.exit_code == 0 and "高新技术企业" in shown.output
        shutil.copy(folder / "a.jsonl", folder / "b.jsonl")
        (folder / "b.jsonl").write_text('{"id": "x", "text": ""}\n', encoding="utf-8")
        failed = runner.invoke(app, ["ingest", str(folder)])
        assert failed.exit_code == 1
        assert "b.jsonl:1 [text]: text is empty" in failed.output
        skipped = runner.invoke(app, ["ingest", str(folder), "--skip-errors"])
        assert skipped.exit_code == 1 and "text is empty" in skipped.output
    finally:
        get_settings.cache_clear()
