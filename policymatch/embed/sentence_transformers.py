"""Optional backend: any sentence-transformers model in a local directory (extra ``st``).

The model directory is read from disk only; nothing is fetched from a model hub. Asymmetric
models need their own query/passage prefixes, chosen from the model's name.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from policymatch.embed.base import as_unit_rows

logger = logging.getLogger(__name__)

BGE_ZH_QUERY_INSTRUCTION = "为这个句子生成表示以用于检索相关文章："
INSTALL_HINT = "pip install 'policymatch[st]'"


def prefixes_for(model_name: str) -> tuple[str, str]:
    """Query and passage prefixes the named model was trained with.

    Args:
        model_name: Directory or hub-style name, e.g. ``multilingual-e5-small``, ``bge-small-zh-v1.5``.

    Returns:
        ``(query_prefix, passage_prefix)``: e5 -> ``query: ``/``passage: ``; bge-*-zh -> the
        bge retrieval instruction for queries only; anything else -> no prefixes.
    """
    name = model_name.lower()
    if "e5" in name:
        return "query: ", "passage: "
    if "bge" in name and "zh" in name:
        return BGE_ZH_QUERY_INSTRUCTION, ""
    return "", ""


class SentenceTransformerEmbedder:
    """A local sentence-transformers model, run on CPU.

    Args:
        model_dir: Folder holding the model (``config_sentence_transformers.json`` and weights).
        batch_size: Texts per forward pass.
        max_seq_length: Tokens kept per text (the head); None keeps the model's own limit.

    Raises:
        ImportError: sentence-transformers is not installed (names the extra to install).
        FileNotFoundError: ``model_dir`` does not exist.
    """

    dim: int

    def __init__(
        self, model_dir: str | Path, batch_size: int = 32, max_seq_length: int | None = None
    ) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ImportError(
                f"the sentence-transformers embedder needs sentence-transformers: {INSTALL_HINT}"
            ) from exc
        path = Path(model_dir).expanduser()
        if not path.is_dir():
            raise FileNotFoundError(f"sentence-transformers model directory not found: {path}")
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        if max_seq_length is not None:
            self._model.max_seq_length = max_seq_length
        self._lock = threading.Lock()
        self.batch_size = batch_size
        dim = (
            self._model.get_embedding_dimension()
            if hasattr(self._model, "get_embedding_dimension")
            else self._model.get_sentence_embedding_dimension()
        )
        self.dim = int(dim)
        self.query_prefix, self.passage_prefix = prefixes_for(path.name)
        self.model_id = f"st/{path.name}+len{self._model.max_seq_length}"

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Encode queries with the model's query prefix. Returns ``(n, dim)`` float32."""
        return self._encode([self.query_prefix + t for t in texts])

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Encode passages with the model's passage prefix. Returns ``(n, dim)`` float32."""
        return self._encode([self.passage_prefix + t for t in texts])

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=logger.isEnabledFor(logging.INFO),
            )
        return as_unit_rows(vectors, self.dim)
