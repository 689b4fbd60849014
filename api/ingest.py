"""Ingest policies sent to the API: a JSON document or an uploaded file.

Uploads go through the same pipeline as ``policymatch ingest`` (read, normalise, split,
translate, store) from a temporary file, so the API and the CLI can never disagree on how a
document is read. Before storing, each document's content hash is compared with what is
stored under its id: different content needs ``replace=true`` (else 409).
"""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path
from typing import Any

from policymatch.corpus.pipeline import ingest

from api.errors import ApiError
from api.schemas import IngestResponse, PolicyCreate
from policymatch.corpus.metadata import build_document
from policymatch.corpus.readers import read_path
from policymatch.errors import InputError

logger = logging.getLogger(__name__)

UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".htm", ".docx", ".pdf", ".jsonl", ".csv")


def _safe_name(filename: str) -> str:
    name = Path(filename).name or "upload.txt"
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)


def ingest_upload(store: Any, filename: str, data: bytes, replace: bool) -> IngestResponse:
    """Store every document of one uploaded file.

    Raises:
        ApiError: 415 for a file type the readers do not handle; 409 on an id conflict.
        InputError: A record the readers cannot read, located by file name and line.
    """
    suffix = Path(filename).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        allowed = " ".join(UPLOAD_SUFFIXES)
        raise ApiError(
            415,
            f"不支持的文件类型 {suffix or '（无扩展名）'}，请上传：{allowed}",
            f"Unsupported file type {suffix or '(none)'}; upload one of: {allowed}",
            field="file",
        )
    with tempfile.TemporaryDirectory(prefix="policymatch-upload-") as tmp:
        path = Path(tmp) / _safe_name(filename)
        path.write_bytes(data)
        return _ingest_file(store, path, filename, replace)


def ingest_record(store: Any, payload: PolicyCreate, replace: bool) -> IngestResponse:
    """Store one document sent as JSON (fields as in a JSONL corpus line)."""
    with tempfile.TemporaryDirectory(prefix="policymatch-upload-") as tmp:
        path = Path(tmp) / "document.jsonl"
        record = payload.model_dump(exclude_none=True)
        path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
        return _ingest_file(store, path, "request body", replace)


def _ingest_file(store: Any, path: Path, shown_as: str, replace: bool) -> IngestResponse:
    try:
        documents = [build_document(raw) for raw in read_path(path)]
    except InputError as exc:
        # Name the file the client sent, not our temporary copy.
        raise InputError(exc.message, source=shown_as, line=exc.line, field=exc.field) from exc
    if not documents:
        raise InputError("没有读到任何政策文本 / no policy text found", source=shown_as)
    replaced, unchanged = [], []
    for doc in documents:
        stored = store.get_document(doc.id)
        if stored is None:
            continue
        if stored.content_hash == doc.content_hash:
            unchanged.append(doc.id)
        elif replace:
            replaced.append(doc.id)
        else:
            raise ApiError(
                409,
                f"编号 {doc.id} 的政策已存在且内容不同；如需覆盖请加 ?replace=true。",
                f"Policy {doc.id!r} exists with different content; add ?replace=true to overwrite.",
                field="id",
            )
    report = ingest([path], store)
    stored_ids = [doc.id for doc in documents if doc.id not in unchanged]
    logger.info("ingested %d documents from %s", len(stored_ids), shown_as)
    return IngestResponse(
        documents=stored_ids,
        items=int(getattr(report, "items", 0)),
        replaced=replaced,
        unchanged=unchanged,
        index="stale",
    )
