"""Bulk-load member enterprises from a CSV, XLSX or JSONL file, keeping the good rows.

Used by POST /v1/enterprises/bulk and ``policymatch enterprises load``. Every bad row is
reported with its row number (header = row 1 in CSV/XLSX; JSONL counts lines) and field;
every readable row is stored, in one transaction.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from api.errors import ApiError
from api.schemas import BulkLoadReport, RowError
from policymatch.errors import InputError
from policymatch.profile import read_profiles
from policymatch.profile.models import EnterpriseProfile
from policymatch.profile.readers import SUFFIXES

logger = logging.getLogger(__name__)


OnStored = Callable[[list[EnterpriseProfile]], None]


def load_enterprise_rows(
    store: Any, path: Path, shown_as: str | None = None, on_stored: OnStored | None = None
) -> BulkLoadReport:
    """Read ``path`` and store every profile that normalises.

    Args:
        store: The policy store.
        path: A member file (``.csv``, ``.tsv``, ``.xlsx``, ``.jsonl``, ``.json``).
        shown_as: File name to report instead of ``path``.
        on_stored: Called with the stored profiles (the API queues their query texts for
            embedding).

    Raises:
        InputError: The file cannot be read at all (type, encoding, header).
    """
    errors: list[InputError] = []
    try:
        profiles = list(read_profiles(path, on_error=errors.append))
    except InputError as exc:
        raise InputError(
            exc.message, source=shown_as or str(path), line=exc.line, field=exc.field
        ) from exc
    store.upsert_enterprises(profiles)
    if on_stored is not None and profiles:
        on_stored(profiles)
    logger.info("stored %d enterprises from %s, %d rows skipped", len(profiles), path, len(errors))
    return BulkLoadReport(
        stored=len(profiles),
        ids=[profile.id for profile in profiles],
        errors=[RowError(row=e.line, field=e.field, message=e.message) for e in errors],
    )


def load_enterprise_file(
    store: Any, filename: str, data: bytes, on_stored: OnStored | None = None
) -> BulkLoadReport:
    """Store the enterprises of an uploaded file (see :func:`load_enterprise_rows`).

    Raises:
        ApiError: 415 for a file type the readers do not handle.
    """
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        allowed = " ".join(SUFFIXES)
        raise ApiError(
            415,
            f"不支持的文件类型 {suffix or '（无扩展名）'}，请上传：{allowed}",
            f"Unsupported file type {suffix or '(none)'}; upload one of: {allowed}",
            field="file",
        )
    with tempfile.TemporaryDirectory(prefix="policymatch-members-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        return load_enterprise_rows(store, path, shown_as=Path(filename).name, on_stored=on_stored)
