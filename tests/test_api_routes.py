"""Every HTTP route and its error paths, through FastAPI's TestClient on a real store and index."""

from __future__ import annotations

import io
import json
import logging
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from test_api_support import AS_OF, key_headers, service_settings

from api.main import create_app
from policymatch.match.index import PolicyIndex

ITEM = "sa-001#2"
SAMPLE_FILES = (
    Path(__file__).resolve().parents[1] / "data" / "policies" / "files"
)  # 山东省 专精特新: one-off award for newly recognised firms


@pytest.fixture(scope="module")
def client(service_dir: Path) -> Iterator[TestClient]:
    app = create_app(service_settings(service_dir, max_upload_mb=0.05))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _match(client: TestClient, body: dict[str, object], **params: object) -> dict:
    response = client.post("/v1/match", json=body, params={"as_of": AS_OF.isoformat(), **params})
    assert response.status_code == 200, response.text
    return response.json()


# ---------------------------------------------------------------------------- health


def test_health_readiness_and_metrics(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["index"]["ready"] is True
    client.get(f"/v1/policies/{quote(ITEM)}")
    metrics = client.get("/metrics").text
    assert 'route="/v1/policies/{policy_id:path}"' in metrics
    assert "policymatch_http_request_duration_seconds_bucket" in metrics
    size = next(
        line for line in metrics.splitlines() if line.startswith("policymatch_index_items ")
    )
    assert float(size.split()[1]) >= 20


def test_an_app_without_an_index_is_not_ready_and_says_how_to_fix_it(tmp_path: Path) -> None:
    app = create_app(service_settings(tmp_path))
    with TestClient(app) as fresh:
        assert fresh.get("/healthz").status_code == 200
        assert fresh.get("/readyz").status_code == 503
        answer = fresh.post(
            "/v1/match", json={"profile": {"name": "某公司", "needs": ["贷款贴息"]}}
        )
        assert answer.status_code == 503
        detail = answer.json()["detail"][0]
        assert "policymatch index" in detail["message_zh"] and "index" in detail["message_en"]


def test_apps_keep_their_metrics_apart(client: TestClient, tmp_path: Path) -> None:
    other = create_app(service_settings(tmp_path))
    with TestClient(other) as fresh:
        fresh.get("/healthz")
        text = fresh.get("/metrics").text
    assert 'route="/v1/policies/{policy_id:path}"' not in text


# ---------------------------------------------------------------------------- match


def test_match_a_stored_enterprise_with_reasons(client: TestClient) -> None:
    result = _match(client, {"enterprise_id": "ent-001"}, k=8)
    matches = result["matches"]
    assert result["enterprise_id"] == "ent-001" and 0 < len(matches) <= 8
    # ent-001 is in 济南市历城区: 青岛 (sb-007) policies fail the region rule and are left out.
    assert {m["doc_id"] for m in matches} <= {"sa-001", "sa-002"}
    assert all(m["verdict"] in ("推荐", "可能符合") for m in matches)
    assert [m["rank"] for m in matches] == list(range(1, len(matches) + 1))
    first = matches[0]
    assert first["checks"] and first["met"] == sum(c["status"] == "met" for c in first["checks"])
    assert first["card"] is not None and first["snippet"]
    assert any(m["highlights"] for m in matches)


def test_match_verdict_and_region_filters(client: TestClient) -> None:
    everything = _match(
        client, {"enterprise_id": "ent-001"}, k=50, verdict=["推荐", "可能符合", "不符合"]
    )
    qingdao = [m for m in everything["matches"] if m["doc_id"] == "sb-007"]
    assert qingdao and all(m["verdict"] == "不符合" for m in qingdao)
    assert any(c["kind"] == "region" and c["status"] == "unmet" for c in qingdao[0]["checks"])
    only = _match(client, {"enterprise_id": "ent-001"}, k=5, verdict=["不符合"], region="青岛")
    assert only["matches"] and {m["doc_id"] for m in only["matches"]} == {"sb-007"}


def test_inline_profile_matches_like_the_stored_one(client: TestClient) -> None:
    stored = client.get("/v1/enterprises/ent-001").json()
    raw = {
        key: stored[key]
        for key in (
            "name",
            "region",
            "industry",
            "industry_code",
            "scope",
            "description",
            "employees",
            "revenue",
            "total_assets",
            "founded",
            "qualifications",
            "needs",
            "rd_ratio",
        )
    }
    inline = _match(client, {"profile": raw}, k=5)
    by_id = _match(client, {"enterprise_id": "ent-001"}, k=5)
    assert inline["enterprise_id"].startswith("adhoc-")
    assert [m["item_id"] for m in inline["matches"]] == [m["item_id"] for m in by_id["matches"]]


def test_match_grouped_by_document(client: TestClient) -> None:
    grouped = _match(client, {"enterprise_id": "ent-001"}, k=2, group_by="document")
    docs = grouped["documents"]
    assert grouped["matches"] == [] and 1 <= len(docs) <= 2
    assert len({d["doc_id"] for d in docs}) == len(docs)
    for doc in docs:
        assert all(item["doc_id"] == doc["doc_id"] for item in doc["items"])
        assert doc["score"] == max(item["score"] for item in doc["items"])


def test_match_errors_name_the_field_in_both_languages(client: TestClient) -> None:
    bad = client.post("/v1/match", json={"profile": {"name": "测试", "employees": -5}})
    assert bad.status_code == 422
    (detail,) = bad.json()["detail"]
    assert detail["field"] == "profile.employees" and detail["location"] == "body"
    assert "不能小于 0" in detail["message_zh"] and "at least 0" in detail["message_en"]
    typo = client.post("/v1/match", json={"profile": {"name": "测试", "revenu": 10}})
    assert typo.json()["detail"][0]["field"] == "profile.revenu"
    both = client.post("/v1/match", json={"enterprise_id": "ent-001", "profile": {"name": "x"}})
    assert both.status_code == 422 and "enterprise_id" in both.json()["detail"][0]["message_zh"]
    k_zero = client.post("/v1/match?k=0", json={"enterprise_id": "ent-001"})
    assert k_zero.status_code == 422
    assert (
        k_zero.json()["detail"][0] | {"field": "k", "location": "query"}
        == k_zero.json()["detail"][0]
    )
    broken = client.post(
        "/v1/match", content=b'{"enterprise_id": ', headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 422 and "JSON" in broken.json()["detail"][0]["message_zh"]
    missing = client.post("/v1/match", json={"enterprise_id": "ent-404"})
    assert missing.status_code == 404 and "ent-404" in missing.json()["detail"][0]["message_zh"]


# ---------------------------------------------------------------------------- policies


def test_policy_library_search_filters_and_pages(client: TestClient) -> None:
    everything = client.get("/v1/policies", params={"limit": 2}).json()
    assert everything["total"] >= 3 and len(everything["policies"]) == 2
    second = client.get("/v1/policies", params={"limit": 2, "offset": 2}).json()
    assert not {p["id"] for p in second["policies"]} & {p["id"] for p in everything["policies"]}
    loans = client.get("/v1/policies", params={"q": "贷款 青岛"}).json()
    assert [p["id"] for p in loans["policies"]] == ["sb-007"]
    licheng = client.get("/v1/policies", params={"region": "历城区"}).json()
    assert "sa-002" in {p["id"] for p in licheng["policies"]}
    assert "sb-007" not in {p["id"] for p in licheng["policies"]}
    valid = client.get("/v1/policies", params={"status": "valid", "as_of": "2020-01-01"}).json()
    expired = client.get("/v1/policies", params={"status": "expired", "as_of": "2031-01-01"}).json()
    assert valid["total"] >= 1 and expired["total"] >= 1
    assert client.get("/v1/policies", params={"status": "old"}).status_code == 422


def test_policy_by_document_or_item_id(client: TestClient) -> None:
    doc = client.get("/v1/policies/sa-001").json()
    assert doc["document"]["id"] == "sa-001" and doc["item_id"] is None
    assert len(doc["items"]) >= 3 and all(entry["card"] for entry in doc["items"])
    seqs = [entry["item"]["seq"] for entry in doc["items"]]
    assert seqs == sorted(seqs)
    item = client.get(f"/v1/policies/{quote(ITEM)}").json()
    assert item["item_id"] == ITEM and item["document"]["id"] == "sa-001"
    missing = client.get("/v1/policies/no-such-policy")
    assert (
        missing.status_code == 404 and "no-such-policy" in missing.json()["detail"][0]["message_en"]
    )


def test_push_list_json_csv_and_xlsx(client: TestClient) -> None:
    url = f"/v1/policies/{quote(ITEM)}/enterprises"
    push = client.get(url, params={"as_of": AS_OF.isoformat()}).json()
    rows = push["rows"]
    assert push["items"] == [ITEM] and rows
    # The award is for 山东 专精特新 firms: the 济南 one holding that title comes first.
    assert rows[0]["enterprise_id"] == "ent-001" and rows[0]["verdict"] == "推荐"
    assert all(r["verdict"] in ("推荐", "可能符合") for r in rows)
    assert rows[0]["contact"] and rows[0]["reason"]
    csv = client.get(url, params={"as_of": AS_OF.isoformat(), "format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    text = csv.content.decode("utf-8-sig").splitlines()
    assert text[0].startswith("排名,企业编号,企业名称,判断,得分,满足,不满足,待确认,理由")
    assert len(text) == len(rows) + 1 and "联系人" in text[0]
    xlsx = client.get(url, params={"as_of": AS_OF.isoformat(), "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.values)
    assert sheet.title == "推送名单" and values[0][:4] == ("排名", "企业编号", "企业名称", "判断")
    assert values[1][1] == "ent-001" and len(values) == len(rows) + 1
    whole_doc = client.get("/v1/policies/sa-001/enterprises", params={"as_of": AS_OF.isoformat()})
    ids = [r["enterprise_id"] for r in whole_doc.json()["rows"]]
    assert len(ids) == len(set(ids)) and "ent-001" in ids
    assert client.get("/v1/policies/nope/enterprises").status_code == 404
    assert client.get(url, params={"format": "pdf"}).status_code == 422


# ---------------------------------------------------------------------------- writes

DOC = {
    "id": "test-jn-equipment",
    "title": "济南市关于支持工业企业设备更新的若干措施",
    "issuer": "济南市工业和信息化局",
    "region": "山东省济南市",
    "publish_date": "2025-12-01",
    "valid_until": "2027-12-31",
    "text": "一、支持对象\n在济南市注册的工业企业。\n二、支持措施\n"
    "（一）设备更新补贴。对设备投资额500万元以上的技术改造项目，按设备投资额的10%给予补贴，最高200万元。\n"
    "（二）贷款贴息。对企业为设备更新新增的银行贷款，按实际利息的50%给予贴息，最高50万元。",
}


def test_writes_need_a_valid_key(client: TestClient) -> None:
    for headers in ({}, {"X-API-Key": "wrong"}):
        answer = client.post("/v1/policies", json=DOC, headers=headers)
        assert answer.status_code == 401 and "X-API-Key" in answer.json()["detail"][0]["message_zh"]
    assert client.delete("/v1/policies/sa-001").status_code == 401
    assert client.put("/v1/enterprises/x", json={"name": "x"}).status_code == 401
    assert client.post("/v1/admin/reload").status_code == 401


def test_ingest_json_then_conflict_replace_match_and_delete(client: TestClient) -> None:
    created = client.post("/v1/policies", json=DOC, headers=key_headers())
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["documents"] == [DOC["id"]] and body["items"] >= 2 and body["index"] == "rebuilding"
    client.app.state.policymatch.wait_for_index(timeout=120)
    again = client.post("/v1/policies", json=DOC, headers=key_headers())
    assert again.json()["unchanged"] == [DOC["id"]] and again.json()["index"] == "updated"
    changed = {**DOC, "text": DOC["text"].replace("最高200万元", "最高300万元")}
    conflict = client.post("/v1/policies", json=changed, headers=key_headers())
    assert (
        conflict.status_code == 409 and "replace=true" in conflict.json()["detail"][0]["message_zh"]
    )
    replaced = client.post("/v1/policies?replace=true", json=changed, headers=key_headers())
    assert replaced.status_code == 201 and replaced.json()["replaced"] == [DOC["id"]]
    client.app.state.policymatch.wait_for_index(timeout=120)
    assert client.get("/readyz").json()["index"]["stale"] is False
    found = _match(client, {"enterprise_id": "ent-001"}, k=30)
    assert DOC["id"] in {m["doc_id"] for m in found["matches"]}
    listed = client.get("/v1/policies", params={"q": "设备更新"}).json()
    assert DOC["id"] in {p["id"] for p in listed["policies"]}
    assert client.delete(f"/v1/policies/{DOC['id']}", headers=key_headers()).status_code == 204
    client.app.state.policymatch.wait_for_index(timeout=120)
    assert client.get(f"/v1/policies/{DOC['id']}").status_code == 404
    assert client.delete(f"/v1/policies/{DOC['id']}", headers=key_headers()).status_code == 404
    gone = _match(client, {"enterprise_id": "ent-001"}, k=30)
    assert DOC["id"] not in {m["doc_id"] for m in gone["matches"]}


def test_ingest_uploads_and_their_errors(client: TestClient) -> None:
    text = "关于支持小微企业吸纳就业的通知\n\n对吸纳高校毕业生就业的小微企业，按每人1500元给予一次性吸纳就业补贴。"
    upload = client.post(
        "/v1/policies",
        files={"file": ("test-upload-jobs.txt", text.encode("utf-8"), "text/plain")},
        headers=key_headers(),
    )
    assert upload.status_code == 201, upload.text
    assert upload.json()["documents"] == ["test-upload-jobs"]
    docx = SAMPLE_FILES / "sa-020_shandong_hightech_smes.docx"
    as_word = client.post(
        "/v1/policies",
        files={"file": ("test-upload-hightech.docx", docx.read_bytes(), "application/msword")},
        headers=key_headers(),
    )
    assert as_word.status_code == 201 and as_word.json()["items"] >= 3
    stored = client.get("/v1/policies/test-upload-hightech").json()
    assert "高新技术企业" in stored["document"]["title"]
    unnamed = [
        client.post("/v1/policies", json={"title": title, "text": text}, headers=key_headers())
        for title, text in (
            (
                "关于稳岗返还的通知",
                "对不裁员或少裁员的参保企业，按上年度实际缴纳失业保险费的60%返还。",
            ),
            ("关于吸纳就业补贴的通知", "对吸纳登记失业人员就业的小微企业，按每人1000元给予补贴。"),
        )
    ]
    named = [answer.json()["documents"][0] for answer in unnamed]
    assert all(doc_id.startswith("api-") for doc_id in named) and len(set(named)) == 2
    client.app.state.policymatch.wait_for_index(timeout=300)
    for doc_id in ("test-upload-jobs", "test-upload-hightech", *named):
        assert client.delete(f"/v1/policies/{doc_id}", headers=key_headers()).status_code == 204
    exe = client.post(
        "/v1/policies",
        files={"file": ("tool.exe", b"MZ", "application/octet-stream")},
        headers=key_headers(),
    )
    assert exe.status_code == 415 and ".docx" in exe.json()["detail"][0]["message_zh"]
    lines = b'{"id": "bad-1", "title": "x"}\n'
    bad = client.post(
        "/v1/policies",
        files={"file": ("batch.jsonl", lines, "application/jsonl")},
        headers=key_headers(),
    )
    assert bad.status_code == 422
    detail = bad.json()["detail"][0]
    assert detail["source"] == "batch.jsonl" and detail["line"] == 1
    no_text = client.post("/v1/policies", json={"title": "只有标题"}, headers=key_headers())
    assert no_text.status_code == 422 and no_text.json()["detail"][0]["field"] == "text"
    huge = client.post(
        "/v1/policies",
        files={"file": ("big.txt", "补贴".encode() * 40_000, "text/plain")},
        headers=key_headers(),
    )
    assert huge.status_code == 413 and "MB" in huge.json()["detail"][0]["message_zh"]


def test_enterprise_put_get_etag_and_conflicts(client: TestClient) -> None:
    profile = {
        "name": "济南测试精工有限公司",
        "region": "山东省济南市历城区",
        "employees": 45,
        "industry": "通用设备制造业",
        "revenue": 3200,
        "founded": "2020-03-01",
        "qualifications": ["科技型中小企业"],
    }
    created = client.put("/v1/enterprises/test-ent-1", json=profile, headers=key_headers())
    assert created.status_code == 201, created.text
    etag = created.headers["etag"]
    body = created.json()
    assert body["region_code"] == "370112" and body["size_class"] in ("小", "微")
    got = client.get("/v1/enterprises/test-ent-1")
    assert got.headers["etag"] == etag and got.json()["name"] == profile["name"]
    updated = client.put(
        "/v1/enterprises/test-ent-1",
        json={**profile, "employees": 60},
        headers={**key_headers(), "If-Match": etag},
    )
    assert updated.status_code == 200 and updated.headers["etag"] != etag
    stale = client.put(
        "/v1/enterprises/test-ent-1",
        json={**profile, "employees": 70},
        headers={**key_headers(), "If-Match": etag},
    )
    assert stale.status_code == 409 and stale.json()["detail"][0]["field"] == "If-Match"
    assert client.get("/v1/enterprises/test-ent-1").json()["employees"] == 60
    mismatch = client.put(
        "/v1/enterprises/test-ent-1", json={**profile, "id": "other"}, headers=key_headers()
    )
    assert mismatch.status_code == 422 and mismatch.json()["detail"][0]["field"] == "id"
    bad_region = client.put(
        "/v1/enterprises/test-ent-2", json={"name": "x", "region": "999999"}, headers=key_headers()
    )
    assert (
        bad_region.status_code == 422 and "999999" in bad_region.json()["detail"][0]["message_zh"]
    )
    assert client.get("/v1/enterprises/test-ent-404").status_code == 404
    listed = client.get("/v1/enterprises", params={"q": "测试精工"}).json()
    assert [e["id"] for e in listed["enterprises"]] == ["test-ent-1"]
    assert client.get("/v1/enterprises").json()["total"] >= 13


def test_bulk_upload_stores_good_rows_and_reports_bad_ones(client: TestClient) -> None:
    csv = (
        "企业名称,统一社会信用代码,所属地区,从业人员,营业收入(万元)\n"
        "青岛测试海工有限公司,91370200TEST00001A,山东省青岛市黄岛区,120,8800\n"
        "济南测试软件有限公司,91370100TEST00002B,山东省济南市高新区,很多,900\n"
        "淄博测试陶瓷有限公司,91370300TEST00003C,山东省淄博市张店区,35,2100\n"
    )
    report = client.post(
        "/v1/enterprises/bulk",
        files={"file": ("members.csv", csv.encode("utf-8"), "text/csv")},
        headers=key_headers(),
    )
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["stored"] == 2 and len(body["ids"]) == 2
    (error,) = body["errors"]
    assert error["row"] == 3 and error["field"] == "从业人员"
    assert client.get(f"/v1/enterprises/{quote(body['ids'][0])}").status_code == 200
    book = Workbook()
    book.active.append(["企业名称", "所属地区", "从业人员", "成立日期"])
    book.active.append(["烟台测试食品有限公司", "山东省烟台市芝罘区", 28, "2019-04-02"])
    book.active.append(["威海测试渔具有限公司", "山东省威海市环翠区", 15, "去年"])
    data = io.BytesIO()
    book.save(data)
    sheet = client.post(
        "/v1/enterprises/bulk",
        files={"file": ("members.xlsx", data.getvalue(), "application/vnd.ms-excel")},
        headers=key_headers(),
    ).json()
    assert sheet["stored"] == 1
    assert [(e["row"], e["field"]) for e in sheet["errors"]] == [(3, "成立日期")]
    wrong = client.post(
        "/v1/enterprises/bulk",
        files={"file": ("members.doc", b"x", "application/msword")},
        headers=key_headers(),
    )
    assert wrong.status_code == 415


# ---------------------------------------------------------------------------- feedback


def test_feedback_and_qrels_export(client: TestClient) -> None:
    for label in ("useful", "applied"):
        given = client.post(
            "/v1/feedback",
            json={"enterprise_id": "ent-001", "item_id": ITEM, "label": label},
            headers=key_headers(),
        )
        assert given.status_code == 201 and given.json()["label"] == label
    client.post(
        "/v1/feedback",
        json={
            "enterprise_id": "ent-002",
            "item_id": ITEM,
            "label": "not_relevant",
            "note": "不在山东",
        },
        headers=key_headers(),
    )
    qrels = client.get("/v1/feedback/qrels")
    lines = qrels.text.splitlines()
    assert f"ent-001 0 {ITEM} 2" in lines and f"ent-002 0 {ITEM} 0" in lines
    assert f"ent-001 0 {ITEM} 1" not in lines  # the later "applied" replaced "useful"
    unknown = client.post(
        "/v1/feedback",
        json={"enterprise_id": "ent-001", "item_id": "nope#1", "label": "useful"},
        headers=key_headers(),
    )
    assert unknown.status_code == 404 and unknown.json()["detail"][0]["field"] == "item_id"
    wrong = client.post(
        "/v1/feedback",
        json={"enterprise_id": "ent-001", "item_id": ITEM, "label": "great"},
        headers=key_headers(),
    )
    assert wrong.status_code == 422 and "useful" in wrong.json()["detail"][0]["message_zh"]
    assert (
        client.post(
            "/v1/feedback", json={"enterprise_id": "ent-001", "item_id": ITEM, "label": "useful"}
        ).status_code
        == 401
    )


# ---------------------------------------------------------------------------- settings


def test_no_keys_configured_means_no_writes(service_dir: Path) -> None:
    app = create_app(service_settings(service_dir, api_key_hashes=[]))
    with TestClient(app) as locked:
        answer = locked.put("/v1/enterprises/x", json={"name": "x"}, headers=key_headers())
        assert (
            answer.status_code == 403
            and "POLICYMATCH_API_KEY_HASHES" in answer.json()["detail"][0]["message_zh"]
        )


def test_reads_can_require_the_key_and_cors_follows_settings(service_dir: Path) -> None:
    settings = service_settings(
        service_dir, read_requires_key=True, cors_origins=["https://chamber.example.cn"]
    )
    with TestClient(create_app(settings)) as guarded:
        assert guarded.get("/v1/policies").status_code == 401
        assert guarded.get("/v1/policies", headers=key_headers()).status_code == 200
        assert guarded.get("/healthz").status_code == 200
        preflight = guarded.options(
            "/v1/match",
            headers={
                "Origin": "https://chamber.example.cn",
                "Access-Control-Request-Method": "POST",
            },
        )
        assert preflight.headers["access-control-allow-origin"] == "https://chamber.example.cn"
        other = guarded.options(
            "/v1/match",
            headers={"Origin": "https://evil.example.com", "Access-Control-Request-Method": "POST"},
        )
        assert "access-control-allow-origin" not in other.headers


def test_admin_reload_swaps_in_the_index_on_disk(client: TestClient) -> None:
    answer = client.post("/v1/admin/reload", headers=key_headers())
    assert answer.status_code == 200 and answer.json()["index"]["ready"] is True


def test_a_broken_database_gives_a_generic_500_and_logs_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(service_settings(tmp_path))
    with TestClient(app, raise_server_exceptions=False) as broken:
        with sqlite3.connect(tmp_path / "policymatch.db") as db:
            db.execute("DROP TABLE enterprises")
        with caplog.at_level(logging.ERROR, logger="api.errors"):
            answer = broken.get("/v1/enterprises/ent-001")
    assert answer.status_code == 500
    assert "Traceback" not in answer.text and "enterprises" not in answer.text
    assert "服务器内部错误" in answer.json()["detail"][0]["message_zh"]
    assert any(record.exc_info for record in caplog.records)


def test_one_json_access_line_per_request(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    from api.logs import JsonFormatter

    with caplog.at_level(logging.INFO, logger="api.access"):
        client.get(f"/v1/policies/{quote(ITEM)}")
    (record,) = [r for r in caplog.records if r.name == "api.access"]
    line = json.loads(JsonFormatter().format(record))
    assert line["route"] == "/v1/policies/{policy_id:path}" and line["status"] == 200
    assert line["method"] == "GET" and line["ms"] >= 0


def test_openapi_documents_routes_with_chinese_examples(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in (
        "/v1/match",
        "/v1/policies",
        "/v1/policies/{policy_id}",
        "/v1/enterprises/bulk",
        "/v1/feedback",
        "/v1/feedback/qrels",
        "/v1/policies/{policy_id}/enterprises",
    ):
        assert path in spec["paths"], path
    examples = json.dumps(spec["components"]["schemas"]["EnterpriseIn"], ensure_ascii=False)
    assert "济南智元数控科技有限公司" in examples
    assert "multipart/form-data" in spec["paths"]["/v1/policies"]["post"]["requestBody"]["content"]


def test_an_index_rebuilt_on_disk_is_picked_up_without_a_restart(client: TestClient) -> None:
    state = client.app.state.policymatch
    before, in_flight = state.holder.fingerprint, state.holder.get()
    # What `policymatch index` ends with: a new version directory swapped in behind the link.
    PolicyIndex.load(state.settings.resolved_index_dir).save(state.settings.resolved_index_dir)
    time.sleep(state.settings.index_check_seconds + 0.1)
    assert client.get("/readyz").status_code == 200  # any request lets the holder look
    state.holder.wait_for_reload(timeout=120)
    assert state.holder.fingerprint != before and state.holder.get() is not in_flight
    # A request still holding the old Matcher can finish on it.
    profile = state.store.get_enterprise("ent-001")
    assert in_flight.match(profile, k=2, as_of=AS_OF).matches
    assert _match(client, {"enterprise_id": "ent-001"}, k=3)["matches"]
