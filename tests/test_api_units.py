"""Unit tests of the API's own pieces: messages, highlighting, keys, qrels, index holder."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from api.console_views import format_wan
from api.deps import key_is_valid
from api.highlight import highlight, snippet
from api.holder import IndexNotReadyError, MatcherHolder, index_fingerprint
from api.messages import validation_message
from api.middleware import BodySizeLimitMiddleware
from api.qrels import RELEVANCE, latest_labels, to_trec
from api.schemas import EnterpriseIn, MatchRequest


def _errors(data: dict[str, object]) -> list[dict[str, object]]:
    with pytest.raises(ValidationError) as caught:
        EnterpriseIn.model_validate(data)
    return caught.value.errors()


def test_messages_name_the_problem_in_both_languages() -> None:
    (negative,) = _errors({"employees": -5})
    zh, en = validation_message(negative)
    assert "不能小于 0" in zh and "-5" in zh
    assert "at least 0" in en
    (words,) = _errors({"revenue": "两千万"})
    zh, en = validation_message(words)
    assert "应填写数字" in zh and "两千万" in zh and "number" in en
    (date,) = _errors({"founded": "2015年6月"})
    zh, en = validation_message(date)
    assert "YYYY-MM-DD" in zh and "YYYY-MM-DD" in en
    (typo,) = _errors({"employes": 10})
    assert "不认识的字段" in validation_message(typo)[0]


def test_match_request_needs_exactly_one_of_profile_and_id() -> None:
    for body in ({}, {"enterprise_id": "a", "profile": {"name": "x"}}):
        with pytest.raises(ValidationError) as caught:
            MatchRequest.model_validate(body)
        zh, en = validation_message(caught.value.errors()[0])
        assert "enterprise_id" in zh and "exactly one" in en
    assert MatchRequest.model_validate({"enterprise_id": "ent-001"}).profile is None


def test_snippet_centres_on_the_first_term_and_marks_safely() -> None:
    text = "前言。" * 80 + "对新认定的<高新技术企业>给予一次性奖励20万元。" + "附则。" * 80
    window = snippet(text, ["高新技术企业"], width=60)
    assert "高新技术企业" in window and window.startswith("…") and window.endswith("…")
    assert len(window) <= 62
    html = str(highlight("对<高新技术企业>奖励", ["高新技术企业", "奖励", "对"]))
    assert html == "对&lt;<mark>高新技术企业</mark>&gt;<mark>奖励</mark>"


def test_amounts_read_as_people_write_them() -> None:
    assert format_wan(50) == "50万元"
    assert format_wan(12000) == "1.2亿元"
    assert format_wan(0.5) == "5000元"
    assert format_wan(None) == "—"


def test_api_key_is_checked_against_sha256_digests() -> None:
    digest = hashlib.sha256(b"s3cret-key").hexdigest()
    assert key_is_valid("s3cret-key", ["ffff", digest.upper()])
    assert not key_is_valid("s3cret-kex", [digest])
    assert not key_is_valid(None, [digest])
    assert not key_is_valid("", [digest])


def test_qrels_use_the_latest_label_and_the_documented_grades() -> None:
    given = [
        SimpleNamespace(enterprise_id="ent-1", item_id="d1#1", label="useful"),
        SimpleNamespace(enterprise_id="ent-1", item_id="d1#1", label="granted"),
        SimpleNamespace(enterprise_id="ent-1", item_id="d2#0", label="not_relevant"),
        SimpleNamespace(enterprise_id="ent-2", item_id="d1#1", label="applied"),
    ]
    qrels = latest_labels(given)
    assert qrels == {"ent-1": {"d1#1": 2, "d2#0": 0}, "ent-2": {"d1#1": 2}}
    assert to_trec(qrels).splitlines() == ["ent-1 0 d1#1 2", "ent-1 0 d2#0 0", "ent-2 0 d1#1 2"]
    assert RELEVANCE == {"granted": 2, "applied": 2, "useful": 1, "not_relevant": 0}


def _write_index(folder: Path, build: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({"build": build}), encoding="utf-8")
    return folder


def _read_build(folder: Path) -> str:
    return str(json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["build"])


def test_holder_swaps_a_rebuilt_index_behind_a_symlink(tmp_path: Path) -> None:
    link = tmp_path / "index"
    holder: MatcherHolder[str] = MatcherHolder(link, _read_build, check_every=0)
    assert not holder.load()
    with pytest.raises(IndexNotReadyError):
        holder.get()
    os.symlink(_write_index(tmp_path / "build-1", "one"), link)
    assert holder.load() and holder.get() == "one"
    in_flight = holder.get()
    # The rebuild lands as a new directory and the link is swapped atomically by rename.
    _write_index(tmp_path / "build-2", "two")
    os.symlink(tmp_path / "build-2", tmp_path / "index.new")
    os.replace(tmp_path / "index.new", link)
    first = holder.get()  # starts the background load, serves the old index meanwhile
    assert first == "one" and in_flight == "one"
    holder.wait_for_reload(timeout=5)
    assert holder.get() == "two"
    assert index_fingerprint(link) == holder.fingerprint


def test_holder_keeps_serving_when_a_rebuild_is_broken(tmp_path: Path) -> None:
    folder = _write_index(tmp_path / "index", "one")
    holder: MatcherHolder[str] = MatcherHolder(folder, _read_build, check_every=0)
    assert holder.load()
    time.sleep(0.01)
    (folder / "manifest.json").write_text("{not json", encoding="utf-8")
    holder.get()
    holder.wait_for_reload(timeout=5)
    assert holder.get() == "one"
    assert holder.last_error is not None and "failed" in holder.last_error


def test_holder_checks_the_disk_at_most_every_interval(tmp_path: Path) -> None:
    folder = _write_index(tmp_path / "index", "one")
    loads: list[Path] = []

    def counting_loader(path: Path) -> str:
        loads.append(path)
        return _read_build(path)

    holder: MatcherHolder[str] = MatcherHolder(folder, counting_loader, check_every=3600)
    holder.load()
    (folder / "manifest.json").write_text(json.dumps({"build": "two"}), encoding="utf-8")
    threads = [threading.Thread(target=holder.get) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert holder.get() == "one" and len(loads) == 1


def _asgi_call(app: object, body_chunks: list[bytes], headers: list[tuple[bytes, bytes]]) -> dict:
    """Drive an ASGI app with a POST whose body arrives in chunks; return status and body."""
    incoming = [
        {"type": "http.request", "body": chunk, "more_body": i < len(body_chunks) - 1}
        for i, chunk in enumerate(body_chunks)
    ]
    sent: list[dict] = []

    async def receive() -> dict:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/v1/policies", "headers": headers}
    asyncio.run(app(scope, receive, send))  # type: ignore[operator]
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return {"status": status, "body": body}


async def _echo_length(scope: dict, receive: object, send: object) -> None:
    size = 0
    while True:
        message = await receive()  # type: ignore[operator]
        size += len(message.get("body", b""))
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})  # type: ignore[operator]
    await send({"type": "http.response.body", "body": str(size).encode()})  # type: ignore[operator]


def test_size_limit_refuses_chunked_bodies_past_the_limit_and_replays_the_rest() -> None:
    limited = BodySizeLimitMiddleware(_echo_length, max_mb=0.001)  # 1,048 bytes
    small = _asgi_call(limited, [b"a" * 500, b"b" * 500], [])
    assert small == {"status": 200, "body": b"1000"}
    big = _asgi_call(limited, [b"a" * 800, b"b" * 800], [])
    assert big["status"] == 413 and "MB" in json.loads(big["body"])["detail"][0]["message_en"]
    declared = _asgi_call(limited, [b"x"], [(b"content-length", b"5000")])
    assert declared["status"] == 413
