"""Shared fixtures: where the real data lives, a throw-away store, and the API test service."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

SHARED_DATA = Path(
    os.environ.get(
        "POLICYMATCH_SHARED_DATA", Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
    )
)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` (or ``$POLICYMATCH_SHARED_DATA``); skips the test when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not present at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture()
def policy_store(tmp_path: Path):
    """An empty SQLite :class:`~policymatch.store.PolicyStore` in a temporary folder."""
    from policymatch.store import PolicyStore

    store = PolicyStore(f"sqlite:///{tmp_path / 'store.db'}")
    yield store
    store.close()


@pytest.fixture(scope="session")
def service_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The API tests' store and index, built once per session (see ``test_api_support``)."""
    from test_api_support import build_service_dir

    return build_service_dir(tmp_path_factory.getbasetemp() / "policymatch-service")


@pytest.fixture(scope="module")
def console(service_dir: Path) -> Iterator[TestClient]:
    """A TestClient of the app over :func:`service_dir`, without the index watcher."""
    from fastapi.testclient import TestClient
    from test_api_support import service_settings

    from api.main import create_app

    app = create_app(service_settings(service_dir), update_index=False)
    with TestClient(app) as client:
        yield client
