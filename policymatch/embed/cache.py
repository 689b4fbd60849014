"""A disk cache of embeddings keyed by (model id, query or passage, sha1 of the text).

Re-indexing an unchanged corpus or re-scoring unchanged enterprises then encodes nothing.
One SQLite file holds every model's vectors; WAL mode lets several processes share it.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from policymatch.embed.base import Embedder

logger = logging.getLogger(__name__)

Kind = Literal["query", "passage"]
CACHE_FILE = "embeddings.sqlite"
_SQLITE_MAX_VARIABLES = 900  # below SQLite's default limit on bound parameters


@dataclass
class CacheStats:
    """Texts served from the cache (``hits``) and texts the model encoded (``encoded``)."""

    hits: int = 0
    encoded: int = 0


def text_key(text: str) -> str:
    """sha1 hex digest of the UTF-8 text: the cache key of one text."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class CachedEmbedder:
    """Wraps an :class:`~policymatch.embed.base.Embedder`, storing each vector once on disk.

    Args:
        inner: The embedder that does the encoding on a miss.
        cache_dir: Folder for ``embeddings.sqlite`` (created if missing).
        store_every: Misses encoded and written per step.
    """

    def __init__(self, inner: Embedder, cache_dir: str | Path, store_every: int = 256) -> None:
        self.inner = inner
        self.store_every = store_every
        self.model_id = inner.model_id
        self.dim = inner.dim
        self.stats = CacheStats()
        folder = Path(cache_dir)
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / CACHE_FILE
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model_id TEXT NOT NULL, kind TEXT NOT NULL,"
            " key TEXT NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (model_id, kind, key))"
        )
        self._db.commit()

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Encode queries, reading cached vectors first. Returns ``(n, dim)`` float32."""
        return self._encode(list(texts), "query")

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Encode passages, reading cached vectors first. Returns ``(n, dim)`` float32."""
        return self._encode(list(texts), "passage")

    def close(self) -> None:
        """Close the SQLite connection."""
        with self._lock:
            self._db.close()

    def _encode(self, texts: list[str], kind: Kind) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        keys = [text_key(t) for t in texts]
        found = self._lookup(sorted(set(keys)), kind)
        missing: dict[str, int] = {}  # key -> first position of a text not in the cache
        for position, key in enumerate(keys):
            vector = found.get(key)
            if vector is not None:
                out[position] = vector
            elif key not in missing:
                missing[key] = position
        if missing:
            encode = self.inner.encode_queries if kind == "query" else self.inner.encode_passages
            todo = list(missing.items())
            new: dict[str, np.ndarray] = {}
            for start in range(0, len(todo), self.store_every):
                # stored chunk by chunk, so an interrupted build keeps what it encoded
                chunk = todo[start : start + self.store_every]
                vectors = encode([texts[p] for _, p in chunk])
                done = {key: vector for (key, _), vector in zip(chunk, vectors, strict=True)}
                self._store(done, kind)
                new.update(done)
            for position, key in enumerate(keys):
                if key in new:
                    out[position] = new[key]
        self.stats.hits += len(texts) - len(missing)
        self.stats.encoded += len(missing)
        logger.debug("%s cache: %d hits, %d encoded", kind, len(texts) - len(missing), len(missing))
        return out

    def _lookup(self, keys: list[str], kind: Kind) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(keys), _SQLITE_MAX_VARIABLES):
                chunk = keys[start : start + _SQLITE_MAX_VARIABLES]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT key, vector FROM vectors WHERE model_id = ? AND kind = ?"
                    f" AND key IN ({marks})",
                    [self.model_id, kind, *chunk],
                )
                for key, blob in rows:
                    vector = np.frombuffer(blob, dtype=np.float32)
                    if vector.shape[0] == self.dim:  # a stale row of another width is a miss
                        found[key] = vector
        return found

    def _store(self, vectors: dict[str, np.ndarray], kind: Kind) -> None:
        rows = [
            (self.model_id, kind, key, np.asarray(v, dtype=np.float32).tobytes())
            for key, v in vectors.items()
        ]
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?)", rows)
            self._db.commit()
