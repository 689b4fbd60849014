"""Ingest policies sent to the API: a JSON document or an uploaded file.

Uploads go through the same pipeline as ``policymatch ingest`` (read, normalise, split,
translate, store) from a temporary file, so the API and the CLI never disagree on how a
document is read. Before storing, each document's content hash is compared with what is
stored under its id: different content needs ``replace=true`` (else 409, nothing stored).
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
from pathlib import Path
from typing import Any

from api.errors import ApiError
from api.schemas import IngestResponse, PolicyCreate
from policymatch.corpus.metadata import build_document
from policymatch.corpus.pipeline import ingest
from policymatch.corpus.readers import scan_path
from policymatch.errors import InputError

logger = logging.getLogger(__name__)

UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".htm", ".docx", ".pdf", ".jsonl", ".csv")


def _safe_name(filename: str) -> str:
    # Keep the stem: a single-document file takes its id from its name.
    name = Path(filename).name or "upload.txt"
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)


def ingest_upload(store: Any, filename: str, data: bytes, replace: bool) -> IngestResponse:
    """Store every readable document of one uploaded file.

    Raises:
        ApiError: 415 for a file type the readers do not handle; 409 on an id conflict.
        InputError: Nothing in the file could be read (names the file and line).
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
        return _ingest_file(store, path, Path(filename).name, replace)


def ingest_record(store: Any, payload: PolicyCreate, replace: bool) -> IngestResponse:
    """Store one document sent as JSON (the fields of a JSONL corpus line)."""
    with tempfile.TemporaryDirectory(prefix="policymatch-upload-") as tmp:
        path = Path(tmp) / "document.jsonl"
        record = payload.model_dump(exclude_none=True)
        # Without an id the reader would name it after our temporary file, so two different
        # documents would collide; name it after its content instead.
        record.setdefault("id", "api-" + _digest(payload.title or "", payload.text)[:12])
        path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
        return _ingest_file(store, path, "request body", replace)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _relocated(error: InputError, shown_as: str) -> InputError:
    """The same error naming the file the client sent, not our temporary copy."""
    return InputError(error.message, source=shown_as, line=error.line, field=error.field)


def _ingest_file(store: Any, path: Path, shown_as: str, replace: bool) -> IngestResponse:
    errors: list[InputError] = []
    documents = []
    for result in scan_path(path):
        if isinstance(result, InputError):
            errors.append(_relocated(result, shown_as))
            continue
        try:
            documents.append(build_document(result))
        except InputError as exc:
            errors.append(_relocated(exc, shown_as))
    if not documents:
        raise (
            errors[0]
            if errors
            else InputError("没有读到任何政策文本 / no policy text found", source=shown_as)
        )
    replaced, unchanged = [], []
    for doc in documents:
        stored_hash = store.content_hash(doc.id)
        if stored_hash is None:
            continue
        if stored_hash == doc.content_hash:
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
    report = ingest([path], store, skip_errors=True)
    stored_ids = [
        doc.id
        for doc in documents
        if doc.id not in unchanged and store.content_hash(doc.id) == doc.content_hash
    ]
    logger.info("ingested %d documents from %s", len(stored_ids), shown_as)
    return IngestResponse(
        documents=stored_ids,
        items=report.items,
        replaced=replaced,
        unchanged=unchanged,
        errors=[str(error) for error in errors],
        index="stale",
    )
