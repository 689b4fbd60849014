"""Logging in through the console's key form in headless Chromium (read-gated console).

Same requirements as tests/test_console_browser.py (Debian's chromium, PyPI playwright);
skipped with the reason when either is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_api_support import API_KEY, service_settings
from test_console_browser import CHROMIUM, CHROMIUM_ARGS, served, sync_api

from api.main import create_app


@pytest.fixture(scope="module")
def guarded_url(service_dir: Path) -> Iterator[str]:
    app = create_app(service_settings(service_dir, read_requires_key=True), update_index=False)
    with served(app, "console-key-server") as url:
        yield url


def test_log_in_through_the_form_come_back_and_log_out(guarded_url: str) -> None:
    with sync_api.sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except sync_api.Error as exc:
            pytest.skip(f"chromium at {CHROMIUM} does not start: {exc}")
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(f"{guarded_url}/policies?q=专精特新")
        page.wait_for_selector("#key-form")
        assert page.url.startswith(f"{guarded_url}/key?next=")

        page.fill("#f-key", "pm-wrong-key-0000")
        page.click("#key-form button[type=submit]")
        page.wait_for_selector("#key-error")
        assert "密钥无效" in page.inner_text("#key-error")
        assert page.input_value("#f-key") == ""

        page.fill("#f-key", API_KEY)
        page.click("#key-form button[type=submit]")
        page.wait_for_selector("td.title a")
        assert page.url.endswith("/policies?q=%E4%B8%93%E7%B2%BE%E7%89%B9%E6%96%B0")
        assert "已登录" in page.inner_text("header.top")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"the signed-in header scrolls sideways by {overflow}px"
        assert page.evaluate("document.cookie") == ""  # HttpOnly: scripts cannot read the key

        page.click("#logout")
        page.wait_for_selector("#key-form")  # home is gated too, so 退出 ends on the form
        page.goto(f"{guarded_url}/policies")
        page.wait_for_selector("#key-form")
        browser.close()
