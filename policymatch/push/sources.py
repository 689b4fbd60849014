"""Chunked enterprise readers: CSV, XLSX, JSONL, Parquet or the store, any size, bounded memory.

Each source yields :class:`RawChunk` s of at most ``chunk_size`` records, each record with the
row number a person finds it at (CSV/XLSX count the header as row 1, JSONL counts lines,
Parquet and the store count records from 1). ``start`` skips records already done, which is
how an interrupted campaign resumes. A record that cannot be read at all (a JSONL line that is
not a JSON object) comes out as an :class:`~policymatch.errors.InputError` in ``chunk.errors``
and reading goes on.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

from policymatch.corpus.encoding import detect_encoding
from policymatch.errors import InputError

logger = logging.getLogger(__name__)

SUFFIXES = (".csv", ".xlsx", ".jsonl", ".ndjson", ".json", ".parquet")
_SAMPLE_BYTES = 64 * 1024


@dataclass
class RawChunk:
    """Records read together.

    Attributes:
        offset: Records (good or bad) before this chunk in the source; resume restarts here.
        rows: Records as read: dicts of raw values, or already-built profiles from the store.
        row_numbers: ``rows[i]`` sits at row ``row_numbers[i]`` of the source.
        errors: Records that could not be read at all, each an InputError with its line.
        size: Records this chunk consumed (``len(rows) + len(errors)``).
    """

    offset: int
    rows: list[Any]
    row_numbers: list[int]
    errors: list[InputError] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.rows) + len(self.errors)

    def record(self, position: int) -> Any:
        """The record at ``position`` (``rows[position]``)."""
        return self.rows[position]

    def head(self, count: int) -> RawChunk:
        """The first ``count`` readable records (and the errors among them)."""
        last = self.row_numbers[count - 1] if 0 < count <= len(self.row_numbers) else None
        errors = [e for e in self.errors if last is None or (e.line or 0) <= last]
        return RawChunk(self.offset, self.rows[:count], self.row_numbers[:count], errors)


class EnterpriseSource(Protocol):
    """Where a campaign reads its enterprises from."""

    name: str

    def fingerprint(self) -> str:
        """Changes whenever the enterprises may have changed (file size and mtime, store count)."""
        ...

    def count(self) -> int | None:
        """Records in the source when cheap to know (for the progress bar), else None."""
        ...

    def chunks(self, chunk_size: int, start: int = 0) -> Iterator[RawChunk]:
        """Yield chunks of at most ``chunk_size`` records, skipping the first ``start``."""
        ...


def open_source(path: str | Path | None, store: Any = None) -> EnterpriseSource:
    """The reader for ``path`` by its suffix, or the store's enterprises when ``path`` is None.

    Raises:
        InputError: The file is missing or of a kind no reader knows.
    """
    if path is None:
        if store is None:
            raise InputError("no enterprise file given and no store to read enterprises from")
        return StoreSource(store)
    path = Path(path)
    if not path.is_file():
        raise InputError("enterprise file not found", source=str(path))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return CsvSource(path)
    if suffix == ".xlsx":
        return XlsxSource(path)
    if suffix in (".jsonl", ".ndjson", ".json"):
        return JsonlSource(path)
    if suffix == ".parquet":
        return ParquetSource(path)
    raise InputError(
        f"cannot read enterprises from a {suffix or 'suffix-less'} file; use one of {', '.join(SUFFIXES)}",
        source=str(path),
    )


class _FileSource:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = str(path)

    def fingerprint(self) -> str:
        stat = self.path.stat()
        return f"{self.path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"

    def count(self) -> int | None:
        return None

    def _line_count(self) -> int:
        lines = 0
        with self.path.open("rb") as f:
            while block := f.read(1 << 22):
                lines += block.count(b"\n")
        return lines


def _batched(
    records: Iterator[tuple[int, Any | InputError]], chunk_size: int, start: int
) -> Iterator[RawChunk]:
    """Group ``(row_number, record or error)`` into chunks, after skipping ``start`` records."""
    offset = start
    records = islice(records, start, None)
    while True:
        batch = list(islice(records, chunk_size))
        if not batch:
            return
        chunk = RawChunk(offset=offset, rows=[], row_numbers=[])
        for row_number, record in batch:
            if isinstance(record, InputError):
                chunk.errors.append(record)
            else:
                chunk.rows.append(record)
                chunk.row_numbers.append(row_number)
        offset += len(batch)
        yield chunk


class JsonlSource(_FileSource):
    """One JSON object per line; blank lines are skipped and not counted as records.

    A chunk's lines are parsed with one ``json.loads`` call over the joined lines; only when
    that fails are they parsed one by one to find the bad line.
    """

    def count(self) -> int | None:
        return self._line_count()

    def chunks(self, chunk_size: int, start: int = 0) -> Iterator[RawChunk]:
        return _batched(self._records(chunk_size), chunk_size, start)

    def _records(self, block: int) -> Iterator[tuple[int, Any | InputError]]:
        with self.path.open(encoding="utf-8-sig") as f:
            numbered = ((n, line) for n, line in enumerate(f, start=1) if line.strip())
            while True:
                lines = list(islice(numbered, block))
                if not lines:
                    return
                try:
                    objects = json.loads("[" + ",".join(text for _, text in lines) + "]")
                except json.JSONDecodeError:
                    objects = [self._parse(text, n) for n, text in lines]
                for (n, _), obj in zip(lines, objects, strict=True):
                    if not isinstance(obj, dict | InputError):
                        obj = InputError("not a JSON object", source=self.name, line=n)
                    yield n, obj

    def _parse(self, text: str, line: int) -> Any:
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            return InputError(f"bad JSON: {exc.msg}", source=self.name, line=line)


class CsvSource(_FileSource):
    """A header row then one enterprise per row; UTF-8 (BOM or not), GB18030 or other encodings."""

    def count(self) -> int | None:
        return max(self._line_count() - 1, 0)

    def chunks(self, chunk_size: int, start: int = 0) -> Iterator[RawChunk]:
        return _batched(self._records(), chunk_size, start)

    def _records(self) -> Iterator[tuple[int, Any | InputError]]:
        with self.path.open("rb") as raw:
            sample = raw.read(_SAMPLE_BYTES)
        encoding = detect_encoding(sample, source=self.name, partial=True)
        with self.path.open(encoding=encoding, newline="") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None:
                return
            names = [h.strip() for h in header]
            width = len(names)
            for row_number, values in enumerate(reader, start=2):
                if not any(v.strip() for v in values):
                    continue
                if len(values) > width:
                    yield (
                        row_number,
                        InputError(
                            f"{len(values)} cells but the header names {width} columns",
                            source=self.name,
                            line=row_number,
                        ),
                    )
                    continue
                yield row_number, dict(zip(names, values, strict=False))


class XlsxSource(_FileSource):
    """The first sheet of a workbook: a header row then one enterprise per row."""

    def count(self) -> int | None:
        from openpyxl import load_workbook

        workbook = load_workbook(self.path, read_only=True)
        try:
            rows = workbook.worksheets[0].max_row
        finally:
            workbook.close()
        return max(rows - 1, 0) if rows else None

    def chunks(self, chunk_size: int, start: int = 0) -> Iterator[RawChunk]:
        return _batched(self._records(), chunk_size, start)

    def _records(self) -> Iterator[tuple[int, Any | InputError]]:
        from openpyxl import load_workbook

        workbook = load_workbook(self.path, read_only=True, data_only=True)
        try:
            rows = workbook.worksheets[0].iter_rows(values_only=True)
            header = next(rows, None)
            if header is None:
                return
            names = [str(h).strip() if h is not None else "" for h in header]
            for row_number, values in enumerate(rows, start=2):
                if all(v is None or str(v).strip() == "" for v in values):
                    continue
                yield (
                    row_number,
                    {
                        name: value
                        for name, value in zip(names, values, strict=False)
                        if name and value is not None
                    },
                )
        finally:
            workbook.close()


class ParquetSource(_FileSource):
    """Parquet read batch by batch with pyarrow; only the needed row groups are decoded."""

    def count(self) -> int | None:
        import pyarrow.parquet as pq

        return pq.ParquetFile(self.path).metadata.num_rows

    def chunks(self, chunk_size: int, start: int = 0) -> Iterator[RawChunk]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(self.path)
        # skip whole row groups before ``start`` without decoding them
        skipped, first_group = 0, 0
        metadata = parquet.metadata
        while first_group < metadata.num_row_groups:
            rows = metadata.row_group(first_group).num_rows
            if skipped + rows > start:
                break
            skipped += rows
            first_group += 1
        groups = list(range(first_group, metadata.num_row_groups))
        if not groups:
            return
        offset = skipped
        pending: list[Any] = []  # record batches not yet handed out
        pending_rows = 0
        for batch in parquet.iter_batches(batch_size=chunk_size, row_groups=groups):
            if offset < start:  # the rest of ``start`` inside the first decoded group
                drop = min(start - offset, batch.num_rows)
                batch, offset = batch.slice(drop), offset + drop
            pending.append(batch)
            pending_rows += batch.num_rows
            while pending_rows >= chunk_size:
                table = pa.Table.from_batches(pending).combine_chunks()
                yield ArrowChunk(offset, table.slice(0, chunk_size))
                offset += chunk_size
                rest = table.slice(chunk_size)
                pending, pending_rows = rest.to_batches(), rest.num_rows
        if pending_rows:
            yield ArrowChunk(offset, pa.Table.from_batches(pending).combine_chunks())


class ArrowChunk(RawChunk):
    """A chunk read from Parquet, kept as a pyarrow Table: dict records are built only when
    asked for (:meth:`record`, or ``rows`` for all), and :meth:`record_keys` hashes the records
    from the columns, so a warm campaign never builds a Python object per record.

    Args:
        offset: Records before this chunk (Parquet numbers records from 1).
        table: The chunk's records.
    """

    def __init__(self, offset: int, table: Any) -> None:
        super().__init__(
            offset=offset, rows=[], row_numbers=list(range(offset + 1, offset + 1 + len(table)))
        )
        self.table = table
        self._records: list[Any] | None = None

    @property  # type: ignore[override]
    def rows(self) -> list[Any]:
        if self._records is None:
            self._records = [
                {k: v for k, v in record.items() if v is not None}
                for record in self.table.to_pylist()
            ]
        return self._records

    @rows.setter
    def rows(self, value: list[Any]) -> None:
        self._records = value or None

    @property
    def size(self) -> int:
        return len(self.table) + len(self.errors)

    def record(self, position: int) -> dict[str, Any]:
        """The record at ``position`` as a dict (None values left out, as ``rows`` has them)."""
        if self._records is not None:
            return self._records[position]
        (record,) = self.table.slice(position, 1).to_pylist()
        return {k: v for k, v in record.items() if v is not None}

    def head(self, count: int) -> ArrowChunk:
        """The first ``count`` records."""
        return ArrowChunk(self.offset, self.table.slice(0, count))

    def record_keys(self, prefix: str) -> list[str]:
        """sha1 of ``prefix``, the schema and each record's values (see :func:`arrow_row_texts`)."""
        head = f"{prefix}|arrow|{self.table.schema.to_string(show_schema_metadata=False)}|"
        texts = arrow_row_texts(self.table)
        return [hashlib.sha1((head + text).encode("utf-8")).hexdigest() for text in texts]


# Separators between values, fields and list items; the text of null; the escape character
# that keeps values holding any of these from running into each other.
_ESCAPES = (
    ("\x1b", "\x1b\x1b"),
    ("\x00", "\x1b0"),
    ("\x1d", "\x1bd"),
    ("\x1e", "\x1be"),
    ("\x1f", "\x1bf"),
)
_NULL = "\x00"


def arrow_row_texts(table: Any) -> list[str]:
    """One text per row of ``table`` that differs whenever any value of the row differs
    (null, empty and absent apart), computed column by column in Arrow."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not table.num_columns:
        return [""] * len(table)
    columns = [_column_text(table.column(i).combine_chunks()) for i in range(table.num_columns)]
    joined = pc.binary_join_element_wise(*columns, "\x1e") if len(columns) > 1 else columns[0]
    return joined.cast(pa.string()).to_pylist()


def _column_text(column: Any) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_struct(kind):
        fields = [_column_text(column.field(i)) for i in range(kind.num_fields)]
        marker = pc.if_else(pc.is_valid(column), "+", _NULL)
        return pc.binary_join_element_wise(marker, *fields, "\x1d")
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        try:
            items = pc.list_flatten(column).cast(pa.string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return _json_text(column)
        lengths = pc.fill_null(pc.list_value_length(column), 0).cast(pa.int32())
        offsets = pa.concat_arrays(
            [pa.array([0], pa.int32()), pc.cumulative_sum(lengths).cast(pa.int32())]
        )
        escaped = pa.ListArray.from_arrays(
            offsets, pc.fill_null(_escape(items), _NULL), mask=pc.is_null(column)
        )
        # the item count first: [] and [""] join to the same text
        counted = pc.binary_join_element_wise(
            lengths.cast(pa.string()), pc.binary_join(escaped, "\x1f"), "\x1f"
        )
        return pc.fill_null(counted, _NULL)
    try:
        text = column.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return _json_text(column)
    return pc.fill_null(_escape(text), _NULL)


def _escape(text: Any) -> Any:
    import pyarrow.compute as pc

    for plain, escaped in _ESCAPES:
        text = pc.replace_substring(text, plain, escaped)
    return text


def _json_text(column: Any) -> Any:
    """Fallback for types Arrow cannot cast to text: each value's JSON (Python per value)."""
    import pyarrow as pa

    return _escape(
        pa.array(
            [
                json.dumps(v, ensure_ascii=False, sort_keys=True, default=str)
                for v in column.to_pylist()
            ],
            type=pa.string(),
        )
    )


class StoreSource:
    """The enterprises already loaded into the :class:`~policymatch.corpus.store.PolicyStore`."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.name = "store"

    def fingerprint(self) -> str:
        # the store has no change counter: a digest of every stored profile stands for it
        digest = hashlib.sha1()
        total = 0
        for profile in self.store.iter_enterprises():
            total += 1
            digest.update(profile.model_dump_json().encode("utf-8"))
        return f"store|{total}|{digest.hexdigest()}"

    def count(self) -> int | None:
        return sum(1 for _ in self.store.iter_enterprises())

    def chunks(self, chunk_size: int, start: int = 0) -> Iterator[RawChunk]:
        numbered = enumerate(self.store.iter_enterprises(), start=1)
        return _batched(numbered, chunk_size, start)
