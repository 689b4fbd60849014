"""Storing an enterprise embeds its query texts in the background; matching it then embeds none."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_api_support import AS_OF, key_headers, service_settings

from api.main import create_app

PROFILE = {
    "name": "淄博德润陶瓷科技有限公司",
    "region": "山东省淄博市张店区",
    "industry": "陶瓷制品制造",
    "description": "生产工业陶瓷和耐火材料，正在建设数字化车间，计划购置窑炉和检测设备",
    "employees": 160,
    "revenue": 9800,
    "needs": ["技术改造设备补助", "数字化车间认定奖励"],
}


@pytest.fixture()
def app_client(service_dir: Path) -> Iterator[tuple[object, TestClient]]:
    app = create_app(service_settings(service_dir))
    with TestClient(app) as client:
        yield app, client


def _embedded(app) -> int:
    """Texts the app's embedder has sent to the model so far."""
    return app.state.policymatch.holder.get().embedder.stats.encoded


def test_put_warms_the_query_vectors_so_matching_embeds_nothing(app_client) -> None:
    app, client = app_client
    state = app.state.policymatch
    answer = client.put("/v1/enterprises/warm-zb-1", json=PROFILE, headers=key_headers())
    assert answer.status_code in (200, 201)
    state.warmer.wait(60)
    texts = state.holder.get().query_texts(state.store.get_enterprise("warm-zb-1"))
    assert len(texts) >= 1 + len(PROFILE["needs"])  # the joint query and each need
    before = _embedded(app)
    matched = client.post(
        "/v1/match", json={"enterprise_id": "warm-zb-1"}, params={"as_of": AS_OF.isoformat()}
    )
    assert matched.status_code == 200 and matched.json()["matches"]
    assert _embedded(app) == before


def test_bulk_upload_warms_every_stored_row(app_client) -> None:
    app, client = app_client
    state = app.state.policymatch
    rows = [
        {**PROFILE, "id": "warm-bulk-1", "description": "新建陶瓷膜生产线，申请设备补贴"},
        {
            **PROFILE,
            "id": "warm-bulk-2",
            "needs": ["首台套保险补偿"],
            "description": "研发陶瓷轴承",
        },
    ]
    payload = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode("utf-8")
    answer = client.post(
        "/v1/enterprises/bulk",
        files={"file": ("members.jsonl", payload, "application/json")},
        headers=key_headers(),
    )
    assert answer.status_code == 200 and answer.json()["stored"] == 2
    state.warmer.wait(60)
    before = _embedded(app)
    for row in rows:
        matched = client.post(
            "/v1/match", json={"enterprise_id": row["id"]}, params={"as_of": AS_OF.isoformat()}
        )
        assert matched.status_code == 200
    assert _embedded(app) == before
