"""``policymatch index`` and ``policymatch match`` against a store in a temporary data folder."""

from __future__ import annotations

import json

import pytest
import typer
from test_matcher_corpus import ENTERPRISES, build_corpus
from typer.testing import CliRunner

from policymatch.cli import match_cmd
from policymatch.settings import get_settings
from policymatch.store import PolicyStore


@pytest.fixture()
def app() -> typer.Typer:
    app = typer.Typer()
    match_cmd.register(app)
    return app


@pytest.fixture()
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYMATCH_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _store_documents(store: PolicyStore, doc_ids: set[str], with_cards: bool = True) -> None:
    corpus = build_corpus().subset(doc_ids)
    for document in corpus.documents:
        items = [i for i in corpus.items if i.doc_id == document.id]
        ids = {i.id for i in items}
        cards = [c for c in corpus.cards if c.item_id in ids] if with_cards else []
        store.upsert_document(document, items, cards)


def test_index_then_update_then_match(app, data_dir):
    runner = CliRunner()
    store = PolicyStore(f"sqlite:///{data_dir / 'policymatch.db'}")
    _store_documents(store, {"lc-zz", "qd-wm"})
    _store_documents(store, {"xh-rc"}, with_cards=False)  # translated by the index command

    built = runner.invoke(app, ["index"])
    assert built.exit_code == 0, built.output
    assert "index built: 6 items of 3 documents" in built.output
    assert store.get_card("xh-rc#0") is not None
    assert (data_dir / "index").is_symlink()

    unchanged = runner.invoke(app, ["index"])
    assert unchanged.exit_code == 0 and "index up to date: 6 items" in unchanged.output

    _store_documents(store, {"gj-rz"})
    store.delete_document("qd-wm")
    updated = runner.invoke(app, ["index"])
    assert updated.exit_code == 0, updated.output
    assert "1 documents added or changed, 1 removed" in updated.output
    assert "6 items of 3 documents" in updated.output

    profile = data_dir / "profile.jsonl"
    profile.write_text(json.dumps(ENTERPRISES[1], ensure_ascii=False) + "\n", encoding="utf-8")
    matched = runner.invoke(app, ["match", "--profile", str(profile), "-k", "3", "--json"])
    assert matched.exit_code == 0, matched.output
    results = json.loads(matched.output)
    assert results[0]["query_id"] == "hz-rj"
    assert results[0]["matches"][0]["item_id"] == "xh-rc#0"
    assert all(m["verdict"] != "不符合" for m in results[0]["matches"])

    table = runner.invoke(
        app,
        ["match", "--profile", str(profile), "-k", "6", "--all-verdicts"],
        env={"COLUMNS": "200"},
    )
    assert table.exit_code == 0, table.output
    assert "不符合" in table.output and "西湖区数字经济人才支持办法" in table.output

    rebuilt = runner.invoke(app, ["index", "--full"])
    assert rebuilt.exit_code == 0 and "index built: 6 items" in rebuilt.output
    store.close()


def test_clear_errors(app, data_dir):
    runner = CliRunner()
    empty = runner.invoke(app, ["index"])
    assert empty.exit_code == 2 and "no policy items" in empty.output

    profile = data_dir / "profile.jsonl"
    profile.write_text(json.dumps(ENTERPRISES[0], ensure_ascii=False) + "\n", encoding="utf-8")
    missing = runner.invoke(app, ["match", "--profile", str(profile)])
    assert missing.exit_code == 2 and "run `policymatch index`" in missing.output
    bad_day = runner.invoke(app, ["match", "--profile", str(profile), "--as-of", "30/06/2025"])
    assert bad_day.exit_code == 2 and "is not a date" in bad_day.output
