"""Dense retrieval over item embeddings with FAISS.

Inner product on unit vectors is cosine similarity. Below ``IVF_THRESHOLD`` items the index is
exact (``IndexIDMap2(IndexFlatIP)``) and the matcher scores every item with one matrix product
over a numpy copy of the vectors. From ``IVF_THRESHOLD`` items on it is an
``IndexIVFFlat`` (nlist ~ 4 sqrt(n), searched with ``nprobe`` lists) and the matcher reads only
the top candidates. Both kinds take ``add_with_ids`` and ``remove_ids`` with stable int64 ids, so
documents come and go without a rebuild.

The threshold, from ``python -m bench.match --corpus real --dense`` (2 cores, quiet machine;
vectors scattered around the 5,239 real item embeddings, 74 real enterprise queries): scoring
every item exactly costs 0.3 ms per query at 10k items, 3.6 ms at 50k, 7.4 ms at 100k, 15 ms at
200k and 32 ms at 400k, at 1.5 KB of memory per item. IVF answers in 0.3-1.4 ms but finds only
0.59-0.65 of the true top 10 with ``nprobe`` 16 and 0.82-0.93 with 64. Exact search is cheap
and right up to 200k items (about 300 MB of vectors), so IVF (``nprobe`` 64) starts there.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Literal

import faiss
import numpy as np

logger = logging.getLogger(__name__)

DenseKind = Literal["flat", "ivf"]
IVF_THRESHOLD = 200_000
DEFAULT_NPROBE = 64


class DenseIndex:
    """Unit vectors keyed by int64 ids.

    Args:
        index: A FAISS index with an id map (``IndexIDMap2``) or an IVF index.
    """

    def __init__(self, index: faiss.Index, nprobe: int = DEFAULT_NPROBE) -> None:
        self.index = index
        self.dim = int(index.d)
        self._matrix: np.ndarray | None = None  # numpy copy of a flat index's vectors
        ivf = self._ivf()
        if ivf is not None:
            ivf.nprobe = nprobe
            ivf.set_direct_map_type(faiss.DirectMap.Hashtable)  # reconstruct() and remove_ids()

    @property
    def kind(self) -> DenseKind:
        return "ivf" if self._ivf() is not None else "flat"

    @classmethod
    def build(
        cls, vectors: np.ndarray, ids: np.ndarray, ivf_threshold: int = IVF_THRESHOLD
    ) -> DenseIndex:
        """Index ``vectors`` (``(n, dim)`` float32, unit rows) under ``ids`` (``(n,)`` int64).

        Exact below ``ivf_threshold`` rows, IVF (trained on these vectors) from it on.
        """
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dim = vectors.shape[1]
        n = vectors.shape[0]
        if n >= ivf_threshold:
            nlist = max(1, min(int(4 * math.sqrt(n)), n // 39))  # FAISS wants >= 39 points a list
            quantizer = faiss.IndexFlatIP(dim)
            index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
            index.train(vectors)
            logger.info("dense: IVF index, %d lists, for %d vectors", nlist, n)
        else:
            index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        dense = cls(index)
        dense.add(vectors, ids)
        return dense

    @classmethod
    def load(cls, path: Path) -> DenseIndex:
        """Read an index written by :meth:`save`."""
        return cls(faiss.read_index(str(path)))

    def save(self, path: Path) -> None:
        faiss.write_index(self.index, str(path))

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def add(self, vectors: np.ndarray, ids: np.ndarray) -> None:
        """Add ``(m, dim)`` unit vectors under ``(m,)`` int64 ids not yet present."""
        if len(ids):
            self._matrix = None
            self.index.add_with_ids(
                np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64)
            )

    def remove(self, ids: np.ndarray) -> int:
        """Remove the vectors of ``ids``; returns how many were removed."""
        if not len(ids):
            return 0
        self._matrix = None
        return int(self.index.remove_ids(np.asarray(ids, dtype=np.int64)))

    def ids(self) -> np.ndarray:
        """Ids in storage order (flat) — the row order of :meth:`matrix`."""
        if self.kind == "flat":
            return faiss.vector_to_array(self.index.id_map).astype(np.int64)
        raise TypeError("an IVF index has no single storage order; use search()")

    def matrix(self) -> np.ndarray | None:
        """The ``(n, dim)`` vectors of an exact index, read-only, in storage order; None for IVF.

        A numpy copy made on first use after each change (``add``/``remove`` make a new one), so
        a caller may keep it while the index changes or goes away: a bare view of FAISS's
        storage would dangle once FAISS reallocates or frees it.
        """
        if self.kind != "flat":
            return None
        if self._matrix is None:
            flat = faiss.downcast_index(self.index.index)
            n = int(flat.ntotal)
            if n == 0:
                matrix = np.empty((0, self.dim), dtype=np.float32)
            else:
                matrix = faiss.rev_swig_ptr(flat.get_xb(), n * self.dim).reshape(n, self.dim).copy()
            matrix.flags.writeable = False
            self._matrix = matrix
        return self._matrix

    def reconstruct(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of ``ids``, ``(len(ids), dim)`` float32."""
        ids = np.asarray(ids, dtype=np.int64)
        if not len(ids):
            return np.empty((0, self.dim), dtype=np.float32)
        return np.vstack([self.index.reconstruct(int(i)) for i in ids]).astype(np.float32)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top ``k`` per query: ``(scores (nq, k) float32, ids (nq, k) int64)``, -1 ids pad."""
        k = max(1, min(k, len(self)))
        return self.index.search(np.ascontiguousarray(queries, dtype=np.float32), k)

    def _ivf(self) -> faiss.IndexIVF | None:
        try:
            return faiss.extract_index_ivf(self.index)
        except RuntimeError:
            return None
