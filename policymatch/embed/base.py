"""The Embedder interface every backend implements, and the checks they share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised dense vectors.

    Queries (enterprise needs and descriptions) and passages (policy items) are encoded
    separately because asymmetric models (e5, bge) expect different prefixes for each.

    Attributes:
        model_id: Names the model and everything that changes its vectors; an index or a
            cache built with one ``model_id`` is never read with another.
        dim: Length of each vector.
    """

    model_id: str
    dim: int

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Encode search queries.

        Returns:
            ``(len(texts), dim)`` float32, each row of unit length.
        """
        ...

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Encode passages to be searched.

        Returns:
            ``(len(texts), dim)`` float32, each row of unit length.
        """
        ...


def as_unit_rows(vectors: np.ndarray, dim: int) -> np.ndarray:
    """Return ``vectors`` as C-contiguous float32 ``(n, dim)`` with unit-length rows.

    Backends already normalise; this guards the contract (and zero vectors stay zero).
    """
    matrix = np.ascontiguousarray(np.atleast_2d(vectors), dtype=np.float32)
    if matrix.shape[1] != dim:
        raise ValueError(f"embedder returned vectors of width {matrix.shape[1]}, expected {dim}")
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    np.divide(matrix, norms, out=matrix, where=norms > 0)
    return matrix
