"""Console pages rendered through TestClient: forms, results, cards, push lists, feedback."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from fastapi.testclient import TestClient
from test_api_support import API_KEY, AS_OF, service_settings

from api.deps import API_KEY_COOKIE
from api.main import create_app

HTML = {"Accept": "text/html"}


def test_home_offers_stored_enterprises_and_a_profile_form(console: TestClient) -> None:
    page = console.get("/").text
    assert "企业查政策" in page and 'value="ent-001"' in page and "济南华拓精密机械有限公司" in page
    for field in ("name", "region", "industry", "employees", "revenue", "qualifications", "needs"):
        assert f'name="{field}"' in page
    assert 'class="match ' not in page


def test_stored_enterprise_results_show_verdicts_conditions_and_marks(console: TestClient) -> None:
    page = console.get("/", params={"enterprise_id": "ent-001", "as_of": AS_OF.isoformat()}).text
    assert "济南华拓精密机械有限公司：匹配到" in page
    badges = re.findall(
        r'<span class="badge (v-ok|v-maybe|v-no)">(推荐|可能符合|不符合)</span>', page
    )
    assert badges and all(
        {"v-ok": "推荐", "v-maybe": "可能符合", "v-no": "不符合"}[c] == v for c, v in badges
    )
    assert '<li class="met"' in page and "<mark>" in page
    assert "金额：" in page and "申报：" in page
    # Feedback needs the key or the open-console setting; neither is given here.
    assert 'data-label="useful"' not in page


def test_profile_form_matches_and_reports_bad_fields_in_chinese(console: TestClient) -> None:
    form = {
        "mode": "profile",
        "name": "济南某数控设备有限公司",
        "region": "山东省济南市历城区",
        "industry": "通用设备制造业",
        "employees": "150",
        "revenue": "9000",
        "qualifications": "专精特新中小企业，高新技术企业",
        "needs": "贷款贴息 设备更新",
        "as_of": AS_OF.isoformat(),
    }
    page = console.get("/", params=form).text
    assert "济南某数控设备有限公司：匹配到" in page and 'class="match ' in page
    bad = console.get("/", params={**form, "employees": "一百多"}).text
    assert "从业人员：" in bad and "应填写整数" in bad and 'class="match ' not in bad
    missing = console.get("/", params={"enterprise_id": "ent-999"}).text
    assert "未找到企业：ent-999" in missing


def test_policy_library_page_searches_and_links(console: TestClient) -> None:
    page = console.get("/policies", params={"q": "专精特新"}).text
    links = re.findall(r'<td class="title"><a href="/policies/([^"]+)">', page)
    assert links[0] == "sa-001"  # the one with 专精特新 in its title ranks first
    assert f"共 {len(links)} 份政策文件" in page
    assert "<option>资金奖励</option>" in page
    nothing = console.get("/policies", params={"q": "不存在的词语组合"}).text
    assert "没有符合条件的政策" in nothing


def test_policy_page_shows_the_card_and_a_downloadable_push_list(console: TestClient) -> None:
    page = console.get(f"/policies/{quote('sa-001#2')}", params={"as_of": AS_OF.isoformat()}).text
    for label in ("谁可以申请", "能得到什么", "需要满足", "何时申报", "受理部门"):
        assert f"<dt>{label}</dt>" in page
    assert (
        "推送名单" in page
        and "/v1/policies/sa-001%232/enterprises?format=xlsx&amp;as_of=2026-01-15" in page
    )
    assert "ent-001" in page.split('id="push"')[1]
    whole = console.get("/policies/sa-001").text
    assert whole.count("<dt>谁可以申请</dt>") >= 3 and "跳到推送名单" in whole
    missing = console.get("/policies/nope", headers=HTML)
    assert (
        missing.status_code == 404
        and "<html" in missing.text
        and "未找到政策或条款" in missing.text
    )
    api_missing = console.get("/v1/policies/nope", headers=HTML)
    assert api_missing.headers["content-type"].startswith("application/json")


def _feedback(client: TestClient, back: str = "/?enterprise_id=ent-001") -> str:
    answer = client.post(
        "/feedback",
        data={"enterprise_id": "ent-001", "item_id": "sa-001#2", "label": "granted", "back": back},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    return answer.headers["location"]


def test_console_feedback_needs_the_key_or_the_open_setting(
    console: TestClient,
    service_dir: Path,
) -> None:
    before = console.get("/v1/feedback/qrels").text
    assert _feedback(console).endswith("fb=nokey")
    assert console.get("/v1/feedback/qrels").text == before
    # An absolute URL in "back" must not become an open redirect.
    assert _feedback(console, back="https://evil.example.com/").startswith("/?")
    console.cookies.set(API_KEY_COOKIE, API_KEY)
    try:
        page = console.get(
            "/", params={"enterprise_id": "ent-001", "as_of": AS_OF.isoformat()}
        ).text
        assert 'data-label="useful"' in page and "已获批" in page
        assert _feedback(console).endswith("fb=ok")
    finally:
        console.cookies.clear()
    assert "ent-001 0 sa-001#2 2" in console.get("/v1/feedback/qrels").text
    open_app = create_app(
        service_settings(service_dir, console_feedback_open=True), update_index=False
    )
    with TestClient(open_app) as open_console:
        location = _feedback(open_console)
        assert location.endswith("fb=ok")
        assert "已记录反馈" in open_console.get(location).text
