"""Shared set-up of the API and console tests: a small store and index built once per session.

Three documents of the project's sample corpus (data/policies: 山东 专精特新, 济南历城区 科技创新,
青岛 融资) and the twelve sample enterprises are ingested and indexed with the real pipeline and
embedder into a session temp folder; every test app is built over that folder. The build
takes a few seconds of e5 embedding, once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from api.index_update import build_index
from policymatch.corpus.pipeline import ingest
from policymatch.embed import get_embedder
from policymatch.profile import read_profiles
from policymatch.settings import Settings
from policymatch.store import PolicyStore

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_POLICIES = ROOT / "data" / "policies"
SAMPLE_ENTERPRISES = ROOT / "data" / "enterprises" / "sample_enterprises.jsonl"
DOC_IDS = ("sa-001", "sa-002", "sb-007")
API_KEY = "pm-test-key-7f3a"
# The sample policies run to mid-2026; judging validity on a fixed day keeps results stable.
AS_OF = dt.date(2026, 1, 15)


def service_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings of a test app over ``data_dir`` with the test API key."""
    values: dict[str, object] = {
        "data_dir": data_dir,
        "api_key_hashes": [hashlib.sha256(API_KEY.encode()).hexdigest()],
        "index_check_seconds": 0.5,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def _sample_records() -> list[str]:
    lines = []
    for path in sorted(SAMPLE_POLICIES.glob("sample_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and json.loads(line).get("id") in DOC_IDS:
                lines.append(line)
    return lines


def build_service_dir(folder: Path) -> Path:
    """Ingest, load enterprises and index into ``folder`` unless a previous call did."""
    ready = folder / "ready"
    if ready.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    settings = service_settings(folder)
    records = _sample_records()
    if len(records) != len(DOC_IDS):
        pytest.skip(f"sample corpus lacks some of {DOC_IDS} under {SAMPLE_POLICIES}")
    corpus = folder / "corpus.jsonl"
    corpus.write_text("\n".join(records) + "\n", encoding="utf-8")
    store = PolicyStore(settings.resolved_database_url)
    try:
        ingest([corpus], store)
        store.upsert_enterprises(read_profiles(SAMPLE_ENTERPRISES))
        build_index(store, get_embedder(settings), settings.resolved_index_dir)
    finally:
        store.close()
    ready.touch()
    return folder


def key_headers() -> dict[str, str]:
    return {"X-API-Key": API_KEY}
