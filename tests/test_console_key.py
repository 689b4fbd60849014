"""The console's key form (/key): log in, open-redirect guard, read-gated pages, log out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from test_api_support import API_KEY, AS_OF, service_settings

from api.deps import API_KEY_COOKIE
from api.main import create_app
from api.routes.console import safe_next

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def guarded(service_dir: Path) -> Iterator[TestClient]:
    app = create_app(service_settings(service_dir, read_requires_key=True), update_index=False)
    with TestClient(app) as client:
        yield client


def _login(client: TestClient, key: str, next_page: str = "/") -> object:
    return client.post(
        "/key", data={"key": key, "next": next_page}, follow_redirects=False, headers=HTML
    )


def _feedback(client: TestClient) -> str:
    answer = client.post(
        "/feedback",
        data={
            "enterprise_id": "ent-001",
            "item_id": "sa-001#1",
            "label": "useful",
            "back": "/?enterprise_id=ent-001",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303
    return answer.headers["location"]


def test_the_form_is_a_chinese_page_in_the_console_layout(console: TestClient) -> None:
    page = console.get("/key", params={"next": "/policies?q=专精特新"}, headers=HTML)
    assert page.status_code == 200
    assert "密钥登录" in page.text and 'type="password"' in page.text
    assert "企业查政策" in page.text and "政策库" in page.text  # the console's header
    assert 'name="next" value="/policies?q=专精特新"' in page.text


def test_a_wrong_key_is_refused_with_401_no_cookie_and_no_echo(console: TestClient) -> None:
    console.cookies.clear()
    wrong = "pm-wrong-key-0000"
    answer = _login(console, wrong)
    assert answer.status_code == 401
    assert "密钥无效" in answer.text and "密钥登录" in answer.text
    assert wrong not in answer.text
    assert "set-cookie" not in answer.headers
    assert API_KEY_COOKIE not in console.cookies
    assert _login(console, "").status_code == 401


def test_the_right_key_sets_a_strict_httponly_cookie_and_feedback_then_works(
    console: TestClient,
) -> None:
    console.cookies.clear()
    assert _feedback(console).endswith("fb=nokey")
    answer = _login(console, API_KEY, "/?enterprise_id=ent-001")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/?enterprise_id=ent-001"
    cookie = answer.headers["set-cookie"].lower()
    assert cookie.startswith(f"{API_KEY_COOKIE}=")
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    assert "secure" not in cookie  # plain http: a Secure cookie would never come back
    try:
        page = console.get(
            "/", params={"enterprise_id": "ent-001", "as_of": AS_OF.isoformat()}
        ).text
        assert "已登录" in page and 'id="logout"' in page
        assert 'data-label="useful"' in page
        assert _feedback(console).endswith("fb=ok")
    finally:
        console.cookies.clear()


def test_over_https_the_cookie_is_secure(service_dir: Path) -> None:
    app = create_app(service_settings(service_dir), update_index=False)
    with TestClient(app, base_url="https://console.example.cn") as client:
        answer = _login(client, API_KEY)
    assert answer.status_code == 303 and "secure" in answer.headers["set-cookie"].lower()


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example/path",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "policies",
    ],
)
def test_next_outside_the_site_goes_to_the_console_home(console: TestClient, target: str) -> None:
    answer = _login(console, API_KEY, target)
    console.cookies.clear()
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    assert safe_next(target) == "/"


def test_the_nokey_notice_links_to_the_form_with_the_page_to_come_back_to(
    console: TestClient,
) -> None:
    console.cookies.clear()
    location = _feedback(console)
    page = console.get(location).text
    assert "反馈需要 API 密钥" in page and 'id="notice-login"' in page
    assert 'href="/key?next=%2F%3Fenterprise_id%3Dent-001"' in page
    assert 'id="login-link"' in page and "已登录" not in page


def test_read_gated_pages_send_the_browser_to_the_form_and_back(guarded: TestClient) -> None:
    guarded.cookies.clear()
    answer = guarded.get(
        "/policies", params={"q": "专精特新"}, headers=HTML, follow_redirects=False
    )
    assert answer.status_code == 303
    location = urlsplit(answer.headers["location"])
    assert location.path == "/key"
    next_page = parse_qs(location.query)["next"][0]
    assert urlsplit(next_page).path == "/policies"
    assert parse_qs(urlsplit(next_page).query) == {"q": ["专精特新"]}
    form = guarded.get(answer.headers["location"], headers=HTML)
    assert form.status_code == 200 and "密钥登录" in form.text
    assert guarded.get("/policies/sa-001", follow_redirects=False).status_code == 303
    # The JSON API keeps answering 401 with its JSON error.
    api = guarded.get("/v1/policies", headers=HTML)
    assert api.status_code == 401 and api.headers["content-type"].startswith("application/json")

    back = _login(guarded, API_KEY, next_page)
    assert back.status_code == 303 and back.headers["location"] == next_page
    try:
        page = guarded.get(back.headers["location"], headers=HTML)
        assert page.status_code == 200 and "共 " in page.text and "已登录" in page.text
    finally:
        guarded.cookies.clear()
    # A header key still opens console pages, as before.
    assert guarded.get("/", headers={"X-API-Key": API_KEY}).status_code == 200


def test_read_gate_without_configured_keys_keeps_the_403(service_dir: Path) -> None:
    settings = service_settings(service_dir, read_requires_key=True, api_key_hashes=[])
    with TestClient(create_app(settings, update_index=False)) as client:
        answer = client.get("/policies", headers=HTML, follow_redirects=False)
        assert answer.status_code == 403 and "POLICYMATCH_API_KEY_HASHES" in answer.text
        refused = _login(client, API_KEY)
        assert refused.status_code == 401 and "未配置 API 密钥" in refused.text


def test_logout_clears_the_cookie(console: TestClient) -> None:
    console.cookies.clear()
    assert _login(console, API_KEY).status_code == 303
    assert console.cookies.get(API_KEY_COOKIE) == API_KEY
    answer = console.post("/key/logout", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cleared = answer.headers["set-cookie"].lower()
    assert cleared.startswith(f'{API_KEY_COOKIE}=""') and "max-age=0" in cleared
    assert API_KEY_COOKIE not in console.cookies
    assert _feedback(console).endswith("fb=nokey")
    assert 'id="login-link"' in console.get("/").text
