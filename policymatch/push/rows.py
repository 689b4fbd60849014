"""Raw enterprise records -> normalised profiles, with every bad row reported and the rest kept.

A row whose id column is blank, or whose normalisation raises an
:class:`~policymatch.errors.InputError` (an unparseable number, an unknown 区划 or industry
code, nothing to identify it), is skipped and reported; a row whose region text names no known
区划 is kept (region conditions then read as unknown) and reported too, so the chamber can fix
its member database. Profiles of records seen before come from the
:class:`~policymatch.push.profile_cache.ProfileCache` when one is given.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from policymatch.errors import InputError
from policymatch.profile import normalize_profile
from policymatch.profile.models import EnterpriseProfile
from policymatch.profile.normalize import resolve_header
from policymatch.push.models import RowError
from policymatch.push.profile_cache import ProfileCache, record_key
from policymatch.push.sources import RawChunk

logger = logging.getLogger(__name__)


@dataclass
class ParsedChunk:
    """The usable profiles of a chunk, aligned with their row numbers."""

    profiles: list[EnterpriseProfile] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def parse_chunk(
    chunk: RawChunk, as_of: dt.date | None = None, cache: ProfileCache | None = None
) -> ParsedChunk:
    """Normalise every record of ``chunk``; bad ones become :class:`RowError` s.

    Args:
        chunk: Raw records.
        as_of: Day ages are counted to (None: today).
        cache: Profiles of records normalised before, looked up in one query per chunk.
    """
    parsed = ParsedChunk()
    for error in chunk.errors:
        parsed.errors.append(
            RowError(row=error.line or 0, field=error.field or "", message=error.message)
        )
    keys = [record_key(raw, as_of) for raw in chunk.rows] if cache is not None else []
    cached = cache.get_many(keys) if cache is not None else {}
    fresh: dict[str, EnterpriseProfile] = {}
    for position, (raw, row) in enumerate(zip(chunk.rows, chunk.row_numbers, strict=True)):
        profile = cached.get(keys[position]) if cache is not None else None
        errors: list[RowError] = []
        if profile is None:
            profile, errors = parse_row(raw, row, as_of)
            if profile is not None and cache is not None:
                fresh[keys[position]] = profile
        if profile is not None:
            errors.extend(_kept_warnings(raw, profile, row))
        parsed.errors.extend(errors)
        if profile is None:
            continue
        parsed.profiles.append(profile)
        parsed.row_numbers.append(row)
    if cache is not None:
        cache.put_many(fresh)
    return parsed


def parse_row(
    raw: Any, row: int, as_of: dt.date | None = None
) -> tuple[EnterpriseProfile | None, list[RowError]]:
    """One record -> its profile (None when skipped) and the errors that skipped it."""
    if isinstance(raw, dict):
        blank_id = next(
            (
                key
                for key, value in raw.items()
                if _field_of(str(key)) == "id" and (value is None or not str(value).strip())
            ),
            None,
        )
        if blank_id is not None:
            return None, [RowError(row=row, field=blank_id, message="missing enterprise id")]
    try:
        profile = normalize_profile(raw, as_of=as_of)
    except InputError as exc:
        return None, [RowError(row=row, field=exc.field or "", message=exc.message)]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return None, [RowError(row=row, field=where, message=first["msg"])]
    return profile, []


def _kept_warnings(raw: Any, profile: EnterpriseProfile, row: int) -> list[RowError]:
    """Problems that leave the row in the campaign: a region text no 区划 matches."""
    region_key, region_text = _region_text(raw)
    if region_text and profile.region_code is None:
        return [
            RowError(
                row=row,
                field=region_key,
                message=f"unknown region {region_text!r}",
                skipped=False,
            )
        ]
    return []


def _region_text(raw: Any) -> tuple[str, str]:
    if isinstance(raw, dict):
        for key, value in raw.items():
            if _field_of(str(key)) == "region" and value not in (None, ""):
                return str(key), str(value).strip()
        return "region", ""
    value = getattr(raw, "region", None)
    return "region", str(value).strip() if value else ""


@lru_cache(maxsize=4096)
def _field_of(header: str) -> str | None:
    return resolve_header(header)[0]


def skipped_rows(errors: Sequence[RowError]) -> int:
    """Rows left out of the campaign (several errors on one row count once)."""
    return len({e.row for e in errors if e.skipped})
