"""Read policy files into :class:`RawRecord` s: JSONL (plain or .gz), CSV, and folders of documents.

Record files hold one policy (or one support item) per line or row. Required: the text
(``text``, or an alias real exports use: ``text_zh``, ``content``, ``正文`` …). The id falls
back to ``<file stem>:<line>`` and the title to what :mod:`~policymatch.corpus.metadata` finds
in the text. Folders are read recursively: ``.txt .md .html .htm .docx .pdf .jsonl .jsonl.gz
.csv``, one document per file except the record files, with the path below the folder
(without suffix) as the id. Every error is an :class:`~policymatch.errors.InputError`
naming the file and the line (JSONL), row (CSV, header = row 1) or field.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from policymatch.corpus.docx_numbering import ListNumbering
from policymatch.corpus.encoding import decode_bytes, decode_lines, detect_encoding
from policymatch.corpus.models import RawRecord
from policymatch.errors import InputError

logger = logging.getLogger(__name__)

ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "doc_id", "policy_id", "item_id", "编号", "文件编号"),
    "title": ("title", "title_zh", "name", "标题", "政策名称", "文件名称", "名称"),
    "text": (
        "text",
        "text_zh",
        "content",
        "body",
        "full_text",
        "正文",
        "内容",
        "全文",
        "政策内容",
        "政策原文",
    ),
    "issuer": (
        "issuer",
        "issuer_zh",
        "department",
        "agency",
        "发文机关",
        "发布机构",
        "发文单位",
        "发布单位",
    ),
    "region": ("region", "area", "地区", "区域", "适用地区"),
    "publish_date": (
        "publish_date",
        "release_date",
        "pub_date",
        "published",
        "date",
        "发布日期",
        "发布时间",
    ),
    "written_date": ("written_date", "成文日期", "印发日期"),
    "valid_from": (
        "valid_from",
        "effective_date",
        "start_date",
        "施行日期",
        "生效日期",
        "实施日期",
    ),
    "valid_until": ("valid_until", "expiry_date", "end_date", "有效期至", "失效日期", "截止日期"),
    "doc_number": ("doc_number", "document_number", "发文字号", "文号"),
    "url": ("url", "link", "链接", "网址"),
}
_FIELD_OF = {alias.lower(): field for field, names in ALIASES.items() for alias in names}
DOCUMENT_SUFFIXES = {
    ".txt": "text",
    ".md": "md",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
    ".pdf": "pdf",
}
RECORD_SUFFIXES = (".jsonl", ".jsonl.gz", ".csv")


def read_path(path: str | Path) -> Iterator[RawRecord]:
    """Yield the raw records of a file or a folder (recursive, sorted by path).

    Raises:
        InputError: At the first bad file, line or row; records before it have been yielded.
    """
    for result in scan_path(path):
        if isinstance(result, InputError):
            raise result
        yield result


def scan_path(path: str | Path) -> Iterator[RawRecord | InputError]:
    """Like :func:`read_path`, but yield each error in place and go on with the next record.

    A file that cannot be read at all yields one error; a bad line or row yields one error and
    reading continues with the next line or row.
    """
    root = Path(path)
    if root.is_dir():
        files = sorted(p for p in root.rglob("*") if p.is_file() and _readable(p, root))
        if not files:
            logger.warning("%s: no readable files (%s)", root, ", ".join(sorted(DOCUMENT_SUFFIXES)))
        for file in files:
            yield from _scan_file(file, file.relative_to(root).with_suffix("").as_posix())
    elif root.is_file():
        yield from _scan_file(root, root.with_suffix("").name)
    else:
        yield InputError("no such file or folder", source=str(root))


def _readable(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts
    if any(part.startswith((".", "~$")) for part in parts):
        return False
    if path.stem.lower() in {"readme", "license", "changelog"}:
        return False  # a folder's own documentation, not a policy
    name = path.name.lower()
    return name.endswith(RECORD_SUFFIXES) or path.suffix.lower() in DOCUMENT_SUFFIXES


def _scan_file(path: Path, doc_id: str) -> Iterator[RawRecord | InputError]:
    name = path.name.lower()
    try:
        if name.endswith((".jsonl", ".jsonl.gz")):
            yield from _scan_jsonl(path)
        elif name.endswith(".csv"):
            yield from _scan_csv(path)
        elif path.suffix.lower() in DOCUMENT_SUFFIXES:
            yield _read_document(path, doc_id)
        else:
            yield InputError(
                f"unsupported file type {path.suffix!r}; use .jsonl, .csv or {', '.join(DOCUMENT_SUFFIXES)}",
                source=str(path),
            )
    except InputError as exc:
        yield exc
    except OSError as exc:
        yield InputError(f"cannot read file: {exc.strerror or exc}", source=str(path))


# ---------------------------------------------------------------------------------------------
# record files


def _scan_jsonl(path: Path) -> Iterator[RawRecord | InputError]:
    source = str(path)
    with _open_binary(path) as stream:
        try:
            sample = stream.peek(64 * 1024)[: 64 * 1024] if hasattr(stream, "peek") else b""
        except (OSError, EOFError) as exc:
            raise InputError(f"cannot read compressed file: {exc}", source=source) from exc
        encoding = detect_encoding(sample, source=source, partial=True)
        if encoding.startswith(("utf-16", "utf-32")):
            lines: Iterator[bytes | str] = iter(decode_lines(stream.read(), source=source))
        else:
            lines = iter(stream)
        number = 0
        while True:
            try:
                raw_line = next(lines)
            except StopIteration:
                break
            except (OSError, EOFError, zipfile.BadZipFile) as exc:
                yield InputError(
                    f"file is cut or corrupt after line {number}: {exc}", source=source
                )
                return
            number += 1
            try:
                line = raw_line if isinstance(raw_line, str) else raw_line.decode(encoding)
            except UnicodeDecodeError as exc:
                yield InputError(
                    f"undecodable bytes at column {exc.start} ({encoding})",
                    source=source,
                    line=number,
                )
                continue
            line = line.strip().lstrip("\ufeff")
            if not line:
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield InputError(
                    f"malformed JSON: {exc.msg} at column {exc.colno}", source=source, line=number
                )
                continue
            if not isinstance(obj, dict):
                yield InputError("a JSONL line must be a JSON object", source=source, line=number)
                continue
            try:
                yield record_from_mapping(
                    obj,
                    source=source,
                    line=number,
                    default_id=f"{path.name.split('.')[0]}:{number}",
                )
            except InputError as exc:
                yield exc


def _open_binary(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")  # noqa: SIM115 - closed by the caller's with-block


def _scan_csv(path: Path) -> Iterator[RawRecord | InputError]:
    source = str(path)
    text = decode_bytes(path.read_bytes(), source=source)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not any(_FIELD_OF.get(h.lower()) == "text" for h in header):
        raise InputError(
            f"missing required column 'text' (or one of {', '.join(ALIASES['text'][1:])}); "
            f"found columns: {', '.join(header) or 'none'}",
            source=source,
            line=1,
            field="text",
        )
    for row_number, row in enumerate(reader, start=2):
        if None in row:
            yield InputError("row has more cells than the header", source=source, line=row_number)
            continue
        if not any((v or "").strip() for v in row.values()):
            continue
        try:
            yield record_from_mapping(
                {k.strip(): v for k, v in row.items() if k},
                source=source,
                line=row_number,
                default_id=f"{path.stem}:{row_number}",
            )
        except InputError as exc:
            yield exc


def record_from_mapping(
    obj: dict[str, Any], *, source: str, line: int, default_id: str
) -> RawRecord:
    """Map one JSON object or CSV row onto a :class:`RawRecord`, resolving field aliases.

    The first alias present (in :data:`ALIASES` order) wins; unmapped scalar fields go to
    ``extra`` as strings.

    Raises:
        InputError: No text, or a field of the wrong type.
    """
    values: dict[str, str] = {}
    extra: dict[str, str] = {}
    ranked: dict[str, int] = {}
    for key, value in obj.items():
        field = _FIELD_OF.get(str(key).strip().lower())
        if value is None or isinstance(value, list | dict):
            continue
        if not isinstance(value, str | int | float | bool):
            raise InputError(
                f"unexpected value of type {type(value).__name__}",
                source=source,
                line=line,
                field=str(key),
            )
        text_value = str(value)
        if field is None:
            extra[str(key)] = text_value
            continue
        rank = [a.lower() for a in ALIASES[field]].index(str(key).strip().lower())
        if text_value.strip() and (field not in values or rank < ranked[field]):
            values[field], ranked[field] = text_value, rank
    text = values.pop("text", "")
    if not text.strip():
        present = [k for k in obj if _FIELD_OF.get(str(k).strip().lower()) == "text"]
        field_name = present[0] if present else "text"
        reason = (
            "text is empty"
            if present
            else f"no text field (text, {', '.join(ALIASES['text'][1:4])} …)"
        )
        raise InputError(reason, source=source, line=line, field=field_name)
    return RawRecord(
        id=values.pop("id", None) or default_id,
        text=text,
        source=source,
        line=line,
        extra=extra,
        format="html" if looks_like_html(text) else "text",
        **values,
    )


def looks_like_html(text: str) -> bool:
    head = text[:2000].lower()
    return head.lstrip().startswith(("<!doctype html", "<html")) or (
        "<p" in head and "</p>" in text[:20000].lower()
    )


# ---------------------------------------------------------------------------------------------
# documents


def _read_document(path: Path, doc_id: str) -> RawRecord:
    source = str(path)
    kind = DOCUMENT_SUFFIXES[path.suffix.lower()]
    title: str | None = None
    if kind == "docx":
        title, text = _docx_text(path)
    elif kind == "pdf":
        text = _pdf_text(path)
    else:
        text = decode_bytes(path.read_bytes(), source=source)
    if not text.strip():
        reason = (
            "unreadable PDF: no text layer (a scanned PDF needs OCR first)"
            if kind == "pdf"
            else "file holds no text"
        )
        raise InputError(reason, source=source, field="text")
    return RawRecord(id=doc_id, title=title, text=text, source=source, format=kind)


def _docx_text(path: Path) -> tuple[str | None, str]:
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(f"unreadable DOCX: {exc}", source=str(path)) from exc
    lines: list[str] = []
    title = (document.core_properties.title or "").strip() or None
    # Word draws list labels (一、 （一） 1.) from the numbering part; they are not in the text
    numbering = ListNumbering.from_document(document)
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            cell_texts: dict[Any, str] = {}  # merged cells repeat: label (and count) them once
            for row in block.rows:
                cells = [_cell_text(cell, numbering, cell_texts) for cell in row.cells]
                lines.append(" ".join(dict.fromkeys(c for c in cells if c)))  # merged cells repeat
            continue
        text = (numbering.label(block) + block.text).strip()
        style = (block.style.name if block.style is not None else "") or ""
        if title is None and text and style.lower() in {"title", "heading 1", "标题", "标题 1"}:
            title = text
        lines.append(text)
    return title, "\n".join(lines)


def _cell_text(cell: Any, numbering: ListNumbering, seen: dict[Any, str]) -> str:
    key = cell._tc  # held in ``seen``, so lxml hands back this same proxy for a merged cell
    if key not in seen:
        seen[key] = "\n".join(numbering.label(p) + p.text for p in cell.paragraphs).strip()
    return seen[key]


def _pdf_text(path: Path) -> str:
    from pdfminer.high_level import extract_text
    from pdfminer.pdfdocument import PDFException
    from pdfminer.psparser import PSException

    try:
        return extract_text(str(path))
    except (PDFException, PSException, ValueError, KeyError, TypeError, AssertionError) as exc:
        raise InputError(f"unreadable PDF: {type(exc).__name__}: {exc}", source=str(path)) from exc
