"""Wrong API keys are counted per client: after 10 in 5 minutes the form and the API answer 429
with Retry-After, even to the right key, until the oldest failure leaves the window."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from test_api_support import API_KEY, service_settings

from api.main import create_app
from api.throttle import KeyThrottle

HTML = {"Accept": "text/html"}
WRITE = {"enterprise_id": "ent-001", "item_id": "sa-001#1", "label": "useful"}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_throttle_counts_failures_in_a_sliding_window() -> None:
    clock = FakeClock()
    throttle = KeyThrottle(max_failures=3, window_seconds=60, clock=clock)
    for _ in range(2):
        throttle.failed("10.0.0.1")
        clock.now += 10
    assert throttle.retry_after("10.0.0.1") is None
    throttle.failed("10.0.0.1")
    assert throttle.retry_after("10.0.0.1") == 40  # the first failure, at 1000, counts until 1060
    assert throttle.retry_after("10.0.0.2") is None  # other clients are not affected
    clock.now += 41
    assert throttle.retry_after("10.0.0.1") is None
    throttle.failed("10.0.0.1")
    assert throttle.retry_after("10.0.0.1") == 9  # the oldest counted is now 1010: until 1070
    throttle.succeeded("10.0.0.1")
    assert throttle.retry_after("10.0.0.1") is None


def test_the_form_and_the_api_refuse_a_guessing_client(service_dir: Path) -> None:
    app = create_app(service_settings(service_dir), update_index=False)
    clock = FakeClock()
    with TestClient(app) as client:
        app.state.policymatch.key_throttle = KeyThrottle(clock=clock)
        for attempt in range(10):
            wrong = client.post("/key", data={"key": f"guess-{attempt}", "next": "/"}, headers=HTML)
            assert wrong.status_code == 401
        blocked = client.post("/key", data={"key": API_KEY, "next": "/"}, headers=HTML)
        assert blocked.status_code == 429
        assert blocked.headers["Retry-After"] == "300"
        assert "密钥错误次数过多" in blocked.text and API_KEY not in blocked.text
        api = client.post("/v1/feedback", json=WRITE, headers={"X-API-Key": API_KEY})
        assert api.status_code == 429 and api.headers["Retry-After"] == "300"
        assert "retry in 300 s" in api.text

        clock.now += 301  # the window has passed: the right key works and clears the count
        login = client.post(
            "/key", data={"key": API_KEY, "next": "/"}, headers=HTML, follow_redirects=False
        )
        assert login.status_code == 303
        assert client.post(
            "/v1/feedback", json=WRITE, headers={"X-API-Key": API_KEY}
        ).status_code in (200, 201)


def test_the_api_counts_wrong_header_keys_too(service_dir: Path) -> None:
    app = create_app(service_settings(service_dir), update_index=False)
    with TestClient(app) as client:
        app.state.policymatch.key_throttle = KeyThrottle(max_failures=2, clock=FakeClock())
        for _ in range(2):
            answer = client.post("/v1/feedback", json=WRITE, headers={"X-API-Key": "nope"})
            assert answer.status_code == 401
        assert (
            client.post("/v1/feedback", json=WRITE, headers={"X-API-Key": "nope"}).status_code
            == 429
        )
