"""A disk cache of normalised profiles keyed by the raw record, for repeated campaigns.

Normalising a member record (区划 lookup with word boundaries, GB/T 4754 codes, SME size,
qualification synonyms) costs about half a millisecond; a chamber runs campaign after campaign
over the same member database, so the second run reads each unchanged record back instead
(sha1 of the record's canonical JSON, the as-of date and :func:`normalizer_version`), in two
forms:

- ``profiles``: the whole profile as JSON, read only for the few enterprises judged in full;
- ``columns``: what batch scoring reads (:class:`~policymatch.match.columns.ProfileColumns`),
  one fixed-size binary row per record: the categorical attributes as ids into the ``vocab``
  table, the numbers, the query vector and its cosine range. A warm chunk is then one query
  and one ``numpy.frombuffer``. Rows are kept per scorer fingerprint (model, index, need
  taxonomy), since the vector and need categories depend on them.

Records that fail normalisation are never stored, so their errors are reported on every run.
One SQLite file in WAL mode, shared safely by several processes (Ray actors on one node).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import sqlite3
import threading
from collections.abc import Hashable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from policymatch.match.columns import CATEGORICALS, NUMBER_COLUMNS, ProfileColumns
from policymatch.profile.models import EnterpriseProfile

logger = logging.getLogger(__name__)

CACHE_FILE = "profiles.sqlite"
_SQLITE_MAX_VARIABLES = 900
_MMAP_BYTES = 1 << 30  # address space, not memory: pages are read in as touched
_CACHE_KIB = 64 * 1024
_PAGE_BYTES = 16 * 1024


def record_key(raw: Any, as_of: dt.date | None) -> str:
    """sha1 over the record's canonical JSON, the as-of day and the normaliser version."""
    if isinstance(raw, EnterpriseProfile):
        text = raw.model_dump_json()
    else:
        text = json.dumps(raw, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha1(f"{key_prefix(as_of)}|{text}".encode()).hexdigest()


def key_prefix(as_of: dt.date | None) -> str:
    """What every record key starts from besides the record: the normaliser version and day."""
    return f"{normalizer_version()}|{as_of.isoformat() if as_of else ''}"


@cache
def normalizer_version() -> str:
    """Hash of the code and tables normalisation reads (``policymatch/profile``, the reference
    tables): a change to either re-normalises every record instead of reading stale ones."""
    import policymatch.profile
    import policymatch.reference

    digest = hashlib.sha1()
    for package in (policymatch.profile, policymatch.reference):
        root = Path(package.__file__).parent
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in {".py", ".json", ".tsv", ".csv", ".txt"}:
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


class ProfileCache:
    """Normalised profiles by :func:`record_key`.

    Args:
        cache_dir: Folder for ``profiles.sqlite`` (created if missing).
    """

    def __init__(self, cache_dir: str | Path) -> None:
        folder = Path(cache_dir)
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / CACHE_FILE
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()  # guards the vocabulary and the list of connections
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        # 1.6 KB packed rows overflow 4 KB pages; on 16 KB pages a warm chunk's reads take a
        # quarter of the CPU (only takes effect when the file is created)
        self._db.execute(f"PRAGMA page_size={_PAGE_BYTES}")
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS profiles (key TEXT PRIMARY KEY, profile BLOB NOT NULL)"
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS columns (fingerprint TEXT NOT NULL, key TEXT NOT NULL,"
            " enterprise_id TEXT NOT NULL, packed BLOB NOT NULL, PRIMARY KEY (fingerprint, key))"
            " WITHOUT ROWID"
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vocab (id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
            " value TEXT NOT NULL, UNIQUE (name, value))"
        )
        self._db.commit()
        self._vocab: dict[str, dict[int, Hashable]] = {name: {} for name in CATEGORICALS}
        self._vocab_ids: dict[str, dict[Hashable, int]] = {name: {} for name in CATEGORICALS}
        self._load_vocab()

    @property
    def _db(self) -> sqlite3.Connection:
        """This thread's connection: the read-ahead thread and the judging thread each have
        one, so neither waits for the other's queries."""
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, check_same_thread=False, timeout=60)
            connection.execute("PRAGMA synchronous=NORMAL")
            # a warm chunk reads ~10,000 random 1.6 KB rows: memory-mapped pages halve the CPU
            # of those reads against copying them through SQLite's small default page cache
            connection.execute(f"PRAGMA mmap_size={_MMAP_BYTES}")
            connection.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    def get_many(self, keys: Sequence[str]) -> dict[str, EnterpriseProfile]:
        """The cached profiles among ``keys``."""
        found: dict[str, EnterpriseProfile] = {}
        unique = sorted(set(keys))
        for start in range(0, len(unique), _SQLITE_MAX_VARIABLES):
            part = unique[start : start + _SQLITE_MAX_VARIABLES]
            marks = ",".join("?" * len(part))
            rows = self._db.execute(
                f"SELECT key, profile FROM profiles WHERE key IN ({marks})", part
            ).fetchall()
            for key, blob in rows:
                found[key] = EnterpriseProfile.model_validate_json(blob)
        self.hits += len(found)
        self.misses += len(unique) - len(found)
        return found

    def put_many(self, profiles: dict[str, EnterpriseProfile]) -> None:
        """Store ``profiles`` by key (one transaction)."""
        if not profiles:
            return
        rows = [(key, p.model_dump_json().encode("utf-8")) for key, p in profiles.items()]
        self._db.executemany("INSERT OR REPLACE INTO profiles VALUES (?, ?)", rows)
        self._db.commit()

    # ------------------------------------------------------------------ columns
    def get_columns(self, fingerprint: str, keys: Sequence[str]) -> dict[str, tuple[str, bytes]]:
        """(enterprise id, packed row) of the cached records among ``keys``, for ``fingerprint``."""
        found: dict[str, tuple[str, bytes]] = {}
        unique = sorted(set(keys))  # in key order, the B-tree pages are read in order
        for start in range(0, len(unique), _SQLITE_MAX_VARIABLES):
            part = unique[start : start + _SQLITE_MAX_VARIABLES]
            marks = ",".join("?" * len(part))
            rows = self._db.execute(
                "SELECT key, enterprise_id, packed FROM columns"
                f" WHERE fingerprint = ? AND key IN ({marks})",
                [fingerprint, *part],
            ).fetchall()
            for key, enterprise_id, packed in rows:
                found[key] = (enterprise_id, packed)
        self.hits += len(found)
        self.misses += len(unique) - len(found)
        return found

    def pack_columns(self, columns: ProfileColumns) -> list[bytes]:
        """One packed row per enterprise of ``columns`` (categoricals as vocab ids)."""
        n = len(columns)
        table = np.empty(n, dtype=row_dtype(columns.vectors.shape[1]))
        for name in CATEGORICALS:
            local = columns.values[name]
            codes = np.array([self._vocab_id(name, local[i]) for i in range(len(local))])
            table[name] = codes[columns.codes[name]] if n else 0
        for name in NUMBER_COLUMNS:
            table[name] = columns.numbers[name]
        table["low"], table["high"] = columns.low, columns.high
        table["vector"] = columns.vectors
        return [table[i : i + 1].tobytes() for i in range(n)]

    def put_columns(self, fingerprint: str, rows: dict[str, tuple[str, bytes]]) -> None:
        """Store packed rows by record key: ``{key: (enterprise id, packed row)}``."""
        if not rows:
            return
        self._db.executemany(
            "INSERT OR REPLACE INTO columns VALUES (?, ?, ?, ?)",
            [(fingerprint, key, eid, packed) for key, (eid, packed) in rows.items()],
        )
        self._db.commit()

    def unpack_columns(self, ids: Sequence[str], packed: Sequence[bytes]) -> ProfileColumns:
        """:class:`ProfileColumns` of packed rows, codes into this cache's vocabulary."""
        if not packed:
            raise ValueError("no rows to unpack")
        dim = (len(packed[0]) - row_dtype(0).itemsize) // 4
        table = np.frombuffer(b"".join(packed), dtype=row_dtype(dim))
        codes = {name: table[name].astype(np.int64) for name in CATEGORICALS}
        if any(int(c) not in self._vocab[n] for n in CATEGORICALS for c in np.unique(codes[n])):
            with self._lock:
                self._load_vocab()  # another process added values since this one read them
        return ProfileColumns(
            ids=np.array(ids, dtype=object),
            codes=codes,
            values=dict(self._vocab),
            numbers={name: table[name].copy() for name in NUMBER_COLUMNS},
            vectors=np.ascontiguousarray(table["vector"]),
            low=table["low"].copy(),
            high=table["high"].copy(),
        )

    def _vocab_id(self, name: str, value: Hashable) -> int:
        code = self._vocab_ids[name].get(value)
        if code is not None:
            return code
        text = json.dumps(value, ensure_ascii=False)
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO vocab (name, value) VALUES (?, ?)", (name, text)
            )
            self._db.commit()
            (code,) = self._db.execute(
                "SELECT id FROM vocab WHERE name = ? AND value = ?", (name, text)
            ).fetchone()
        self._vocab[name][code] = value
        self._vocab_ids[name][value] = code
        return code

    def _load_vocab(self) -> None:
        for code, name, text in self._db.execute("SELECT id, name, value FROM vocab").fetchall():
            if name in self._vocab:
                value = _vocab_value(name, json.loads(text))
                self._vocab[name][code] = value
                self._vocab_ids[name][value] = code

    def close(self) -> None:
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()


def row_dtype(dim: int) -> np.dtype:
    """The packed row: vocab ids, numbers, cosine range, ``dim`` float32 vector components."""
    fields: list[tuple[Any, ...]] = [(name, "<i4") for name in CATEGORICALS]
    fields += [(name, "<f8") for name in (*NUMBER_COLUMNS, "low", "high")]
    fields.append(("vector", "<f4", (dim,)))
    return np.dtype(fields)


def _vocab_value(name: str, value: Any) -> Hashable:
    """A vocabulary value back from JSON (lists become the tuples the scorer groups by)."""
    if name == "kinds":
        qualifications, size = value
        return (tuple(qualifications), size)
    if isinstance(value, list):
        return tuple(value)
    return value
