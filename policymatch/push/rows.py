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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

import numpy as np
from pydantic import ValidationError

from policymatch.errors import InputError
from policymatch.match.columns import ProfileColumns
from policymatch.profile import normalize_profile
from policymatch.profile.models import EnterpriseProfile
from policymatch.profile.normalize import resolve_header
from policymatch.push.models import RowError
from policymatch.push.profile_cache import ProfileCache, key_prefix, record_key
from policymatch.push.sources import ArrowChunk, RawChunk

logger = logging.getLogger(__name__)


class ColumnEncoder(Protocol):
    """A scorer that can score from columns (:class:`~policymatch.match.batch.BatchScorer`)."""

    def column_fingerprint(self) -> str: ...

    def columns_of(self, profiles: Sequence[EnterpriseProfile]) -> ProfileColumns: ...


@dataclass
class ParsedChunk:
    """The usable records of a chunk, aligned with their row numbers.

    With a profile cache and a column-scoring scorer a chunk is parsed into ``columns`` and
    profiles are built only when asked for (:meth:`profiles_at`); otherwise every profile is
    built up front.

    Attributes:
        ids: Enterprise id of each usable record.
        row_numbers: Its row in the source.
        errors: Bad rows (skipped) and warnings (kept).
        columns: The scoring columns of the usable records, or None.
    """

    ids: list[str] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    columns: ProfileColumns | None = None
    _profiles: dict[int, EnterpriseProfile] = field(default_factory=dict)
    _keys: list[str] = field(default_factory=list)
    _cache: ProfileCache | None = None

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def profiles(self) -> list[EnterpriseProfile]:
        """Every usable record's profile (builds the ones not built yet)."""
        return self.profiles_at(range(len(self.ids)))

    def profiles_at(self, rows: Iterable[int]) -> list[EnterpriseProfile]:
        """The profiles of ``rows``, reading the missing ones from the cache in one query."""
        rows = [int(r) for r in rows]
        missing = sorted({r for r in rows if r not in self._profiles})
        if missing:
            if self._cache is None:
                raise KeyError(f"profiles of rows {missing[:5]} were not kept")
            found = self._cache.get_many([self._keys[r] for r in missing])
            for r in missing:
                self._profiles[r] = found[self._keys[r]]
        return [self._profiles[r] for r in rows]


def parse_chunk(
    chunk: RawChunk,
    as_of: dt.date | None = None,
    cache: ProfileCache | None = None,
    encoder: ColumnEncoder | None = None,
) -> ParsedChunk:
    """Normalise every record of ``chunk``; bad ones become :class:`RowError` s.

    Args:
        chunk: Raw records.
        as_of: Day ages are counted to (None: today).
        cache: Profiles of records normalised before, looked up in one query per chunk.
        encoder: With ``cache``, parse into columns: records seen before are read back as
            scoring columns (no profile built), new ones are normalised, encoded and stored.
    """
    if cache is not None and encoder is not None and hasattr(encoder, "columns_of"):
        return _parse_columns(chunk, as_of, cache, encoder)
    parsed = ParsedChunk(errors=_read_errors(chunk))
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
            errors.extend(_kept_warnings(raw, profile.region_code, row))
        parsed.errors.extend(errors)
        if profile is None:
            continue
        parsed._profiles[len(parsed.ids)] = profile
        parsed.ids.append(profile.id)
        parsed.row_numbers.append(row)
    if cache is not None:
        cache.put_many(fresh)
    return parsed


def _parse_columns(
    chunk: RawChunk, as_of: dt.date | None, cache: ProfileCache, encoder: ColumnEncoder
) -> ParsedChunk:
    """:func:`parse_chunk` into columns: cached records as packed rows, the rest normalised."""
    parsed = ParsedChunk(errors=_read_errors(chunk), _cache=cache)
    fingerprint = encoder.column_fingerprint()
    if isinstance(chunk, ArrowChunk):  # hashed from the columns, no dict per record
        keys = chunk.record_keys(key_prefix(as_of))
    else:
        keys = [record_key(raw, as_of) for raw in chunk.rows]
    cached = cache.get_columns(fingerprint, keys)
    fresh: dict[str, EnterpriseProfile] = {}
    packed: list[bytes] = []
    fresh_rows: list[int] = []  # positions in ``packed`` still to fill from fresh profiles
    for position, row in enumerate(chunk.row_numbers):
        key = keys[position]
        hit = cached.get(key)
        if hit is not None:
            parsed.ids.append(hit[0])
            packed.append(hit[1])
        else:
            profile = fresh.get(key)
            if profile is None:
                profile, errors = parse_row(chunk.record(position), row, as_of)
                parsed.errors.extend(errors)
                if profile is None:
                    continue
                fresh[key] = profile
            parsed._profiles[len(parsed.ids)] = profile
            parsed.ids.append(profile.id)
            packed.append(b"")
            fresh_rows.append(len(packed) - 1)
        parsed._keys.append(key)
        parsed.row_numbers.append(row)
    if fresh:
        profiles = list(fresh.values())
        rows = cache.pack_columns(encoder.columns_of(profiles))
        by_key = dict(zip(fresh, rows, strict=True))
        cache.put_many(fresh)
        cache.put_columns(fingerprint, {k: (fresh[k].id, by_key[k]) for k in fresh})
        for position in fresh_rows:
            packed[position] = by_key[parsed._keys[position]]
    if packed:
        parsed.columns = cache.unpack_columns(parsed.ids, packed)
        _add_kept_warnings(parsed, chunk)
    return parsed


def _add_kept_warnings(parsed: ParsedChunk, chunk: RawChunk) -> None:
    """Warnings of column-parsed rows, in row order among the chunk's other errors."""
    columns = parsed.columns
    if columns is None:
        return
    regions = columns.values["region"]
    unknown = {
        code for code in np.unique(columns.codes["region"]).tolist() if regions[code] is None
    }
    if not unknown:
        return
    position_of = {row: position for position, row in enumerate(chunk.row_numbers)}
    for position in np.flatnonzero(np.isin(columns.codes["region"], list(unknown))).tolist():
        row = parsed.row_numbers[position]
        parsed.errors.extend(_kept_warnings(chunk.record(position_of[row]), None, row))
    # unreadable records first, then every row's errors in row order, as parse_chunk lists them
    unreadable = len(chunk.errors)
    parsed.errors[unreadable:] = sorted(parsed.errors[unreadable:], key=lambda e: e.row)


def _read_errors(chunk: RawChunk) -> list[RowError]:
    return [
        RowError(row=error.line or 0, field=error.field or "", message=error.message)
        for error in chunk.errors
    ]


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


def _kept_warnings(raw: Any, region_code: str | None, row: int) -> list[RowError]:
    """Problems that leave the row in the campaign: a region text no 区划 matches."""
    region_key, region_text = _region_text(raw)
    if region_text and region_code is None:
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
