"""Shared fixtures: where the real data lives, and a throw-away store."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
