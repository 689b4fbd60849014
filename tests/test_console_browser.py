"""The console end to end in headless Chromium: fill the form, read the matches, give feedback,
open a policy and download its push list.

Needs Debian's ``chromium`` (apt) and the PyPI ``playwright`` package; the browser is never
downloaded by Playwright. Skipped, with the reason, when either is missing.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from openpyxl import load_workbook
from test_api_support import AS_OF, service_settings

from api.main import create_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the PyPI package playwright is not installed"
)
if not Path(CHROMIUM).exists():
    pytest.skip(
        "Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True
    )

uvicorn = pytest.importorskip("uvicorn")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(app: object, name: str) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a daemon thread on a free port; yields its base URL."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the console server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def base_url(service_dir: Path) -> Iterator[str]:
    settings = service_settings(service_dir, console_feedback_open=True)
    with served(create_app(settings, update_index=False), "console-server") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except sync_api.Error as exc:
            pytest.skip(f"chromium at {CHROMIUM} does not start: {exc}")
        yield chromium
        chromium.close()


def test_fill_the_profile_form_and_give_feedback(browser: object, base_url: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page.goto(f"{base_url}/?as_of={AS_OF.isoformat()}")
    page.fill("#f-name", "济南精工数控设备有限公司")
    page.fill("#f-region", "山东省济南市历城区")
    page.fill("#f-industry", "通用设备制造业")
    page.fill("#f-employees", "160")
    page.fill("#f-revenue", "12000")
    page.fill("#f-quals", "专精特新中小企业，高新技术企业")
    page.fill("#f-needs", "贷款贴息，设备更新")
    page.click("#profile-form button[type=submit]")
    page.wait_for_selector("article.match")
    assert "济南精工数控设备有限公司：匹配到" in page.inner_text("#results h2")
    badges = page.locator("article.match .badge").all_inner_texts()
    assert badges and set(badges) <= {"推荐", "可能符合", "不符合"}
    assert page.locator("article.match mark").count() > 0
    assert page.locator("article.match ul.checks li.met").count() > 0
    # A typed-in profile is not stored, so it offers no feedback buttons.
    assert page.locator("button[data-label]").count() == 0

    page.select_option("#enterprise_id", "ent-001")
    page.click("#pick-form button[type=submit]")
    page.wait_for_selector("article.match")
    page.locator("article.match").first.locator("button[data-label=useful]").click()
    page.wait_for_selector(".notice")
    assert "已记录反馈" in page.inner_text(".notice")
    assert page.locator("article.match").count() > 0  # back on the same results
    page.close()


def test_open_a_policy_and_download_its_push_list(
    browser: object, base_url: str, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)  # type: ignore[attr-defined]
    page.goto(f"{base_url}/policies/sa-001?as_of={AS_OF.isoformat()}")
    page.wait_for_selector("dl.card")
    assert "谁可以申请" in page.inner_text("dl.card >> nth=0")
    page.locator("a", has_text="只看此条并生成推送名单").first.click()
    page.wait_for_selector("#push")
    with page.expect_download() as pending:
        page.click("#download-xlsx")
    target = tmp_path / "push.xlsx"
    pending.value.save_as(target)
    sheet = load_workbook(target).active
    rows = list(sheet.values)
    assert rows[0][:4] == ("排名", "企业编号", "企业名称", "判断")
    table_rows = page.locator("#push tbody tr").count()
    assert table_rows > 0 and len(rows) - 1 == table_rows
    assert "ent-001" in [row[1] for row in rows[1:]]
    page.close()


def test_pages_fit_a_phone_screen(browser: object, base_url: str) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})  # type: ignore[attr-defined]
    day = AS_OF.isoformat()
    for path in (
        "/",
        f"/?enterprise_id=ent-001&as_of={day}",
        "/policies",
        f"/policies/sa-001?as_of={day}",
    ):
        page.goto(base_url + path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{path} scrolls sideways by {overflow}px on a phone"
    page.goto(f"{base_url}/?enterprise_id=ent-001&as_of={day}")
    results_top = page.locator("#results").bounding_box()["y"]
    form_top = page.locator("#profile-form").bounding_box()["y"]
    assert results_top < form_top  # the answer comes before the form on a phone
    page.close()
