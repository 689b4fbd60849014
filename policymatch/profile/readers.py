"""Reading member databases: JSONL, JSON, CSV/TSV and XLSX files of enterprise records.

Columns may carry the Chinese names member lists use (企业名称, 统一社会信用代码, 所属地区,
营业收入(万元) …; see ``policymatch/profile/data/columns.json``). Rows are numbered as
a person opening the file sees them: JSONL by line, CSV and XLSX by row with the header as row 1,
a JSON array by position from 1.

A batch job that should go on past bad rows passes ``on_error``:

    >>> bad = []
    >>> profiles = list(read_profiles("members.xlsx", on_error=bad.append))  # doctest: +SKIP
    >>> [(e.line, e.field, e.message) for e in bad]  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policymatch.corpus.encoding import decode_bytes, decode_lines
from policymatch.errors import InputError
from policymatch.profile.models import EnterpriseProfile
from policymatch.profile.normalize import normalize_profile, resolve_header

logger = logging.getLogger(__name__)

_HEADER_SEARCH_ROWS = 5
SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".xlsx", ".xlsm")


@dataclass(frozen=True, slots=True)
class ProfileRow:
    """One record as the file holds it.

    Attributes:
        source: File path.
        line: Line (JSONL), row (CSV/XLSX, header = 1) or position (JSON array, from 1).
        raw: Column name as written -> cell value.
    """

    source: str
    line: int
    raw: dict[str, Any]


def iter_profile_rows(path: str | Path) -> Iterator[ProfileRow]:
    """Records of a member file, blank rows skipped, values not yet parsed.

    Raises:
        InputError: Unknown file type, unreadable encoding, a JSON line that is not an
            object, or an XLSX without a header row; names the file and line.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(
            f"不支持的文件类型 {suffix or '(无后缀)'}; 支持 {', '.join(SUFFIXES)}", source=str(path)
        )
    if not path.is_file():
        raise InputError("文件不存在", source=str(path))
    if suffix in (".jsonl", ".ndjson"):
        yield from _jsonl_rows(path)
    elif suffix == ".json":
        yield from _json_rows(path)
    elif suffix in (".csv", ".tsv"):
        yield from _csv_rows(path, delimiter="\t" if suffix == ".tsv" else ",")
    else:
        yield from _xlsx_rows(path)


def _text(path: Path) -> str:
    return decode_bytes(path.read_bytes(), source=str(path))


def _jsonl_rows(path: Path) -> Iterator[ProfileRow]:
    for number, line in enumerate(decode_lines(path.read_bytes(), source=str(path)), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"不是合法的 JSON: {exc.msg}", source=str(path), line=number) from exc
        if not isinstance(record, dict):
            raise InputError("每行应为一个 JSON 对象", source=str(path), line=number)
        yield ProfileRow(str(path), number, record)


def _json_rows(path: Path) -> Iterator[ProfileRow]:
    try:
        records = json.loads(_text(path))
    except json.JSONDecodeError as exc:
        raise InputError(f"不是合法的 JSON: {exc.msg}", source=str(path), line=exc.lineno) from exc
    if isinstance(records, dict):
        records = records.get("enterprises", records.get("profiles", [records]))
    if not isinstance(records, list):
        raise InputError("JSON 文件应为企业记录的数组", source=str(path))
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise InputError("数组元素应为 JSON 对象", source=str(path), line=number)
        yield ProfileRow(str(path), number, record)


def _is_header(cells: list[Any], number: int, source: Path) -> bool:
    """Whether a row is the header: the first naming a known column (企业名称, 所属地区 …).

    A title line (会员企业名单) above the header is skipped.

    Raises:
        InputError: No header among the first rows.
    """
    if any(c is not None and resolve_header(str(c))[0] is not None for c in cells):
        return True
    if number >= _HEADER_SEARCH_ROWS:
        raise InputError(
            f"前 {number} 行中没有可识别的表头 (如 企业名称、所属地区、营业收入)",
            source=str(source),
            line=number,
        )
    return False


def _csv_rows(path: Path, delimiter: str) -> Iterator[ProfileRow]:
    reader = csv.reader(io.StringIO(_text(path), newline=""), delimiter=delimiter)
    header: list[str] | None = None
    for number, cells in enumerate(reader, start=1):
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            if _is_header(cells, number, path):
                header = [c.strip() for c in cells]
            continue
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            raise InputError(
                f"本行有 {len(cells)} 列, 表头只有 {len(header)} 列", source=str(path), line=number
            )
        yield ProfileRow(
            str(path), number, {h: c for h, c in zip(header, cells, strict=False) if h}
        )


def _xlsx_rows(path: Path) -> Iterator[ProfileRow]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors alike
        raise InputError(f"无法打开 Excel 文件: {exc}", source=str(path)) from exc
    try:
        sheet = workbook.worksheets[0]
        header: list[str | None] | None = None
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            if header is None:
                if _is_header(list(cells), number, path):
                    header = [str(c).strip() if c is not None else None for c in cells]
                continue
            raw = {h: _cell(c) for h, c in zip(header, cells, strict=False) if h}
            yield ProfileRow(str(path), number, raw)
        if header is None:
            raise InputError("Excel 工作表没有表头行", source=str(path))
    finally:
        workbook.close()


def _cell(value: Any) -> Any:
    # Excel stores long digit strings (信用代码, phone numbers) as floats: 1.38e10 -> '13800000000'
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1e6:
        return str(int(value))
    return value


def read_profiles(
    path: str | Path,
    *,
    as_of: dt.date | None = None,
    on_error: Callable[[InputError], None] | None = None,
) -> Iterator[EnterpriseProfile]:
    """Normalised profiles of every record in a member file.

    Args:
        path: ``.jsonl``, ``.json``, ``.csv``, ``.tsv`` or ``.xlsx`` file.
        as_of: Date ages are counted to; today when None.
        on_error: Called with the :class:`InputError` of each bad record (file, row, field);
            the record is skipped and reading goes on. Without it the first bad record raises.

    Raises:
        InputError: A bad record when ``on_error`` is None, or a file that cannot be read at
            all (always raised).
    """
    seen: dict[str, int] = {}
    for row in iter_profile_rows(path):
        try:
            profile = normalize_profile(row.raw, as_of=as_of)
            if profile.id in seen:
                raise InputError(f"id {profile.id} 与第 {seen[profile.id]} 行重复", field="id")
        except InputError as exc:
            located = InputError(exc.message, source=row.source, line=row.line, field=exc.field)
            if on_error is None:
                raise located from exc
            logger.debug("skipping %s", located)
            on_error(located)
            continue
        seen[profile.id] = row.line
        yield profile
