"""Keyword retrieval over jieba tokens: BM25 (bm25s) and a TF-IDF baseline (scikit-learn).

Both score every item for a query, so fusion and eligibility see the whole corpus. Both are
built from the token lists the corpus stage stored with each item; rebuilding either from those
cached tokens takes well under a second for several thousand items, so adding or removing
documents rebuilds the sparse matrix instead of patching it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

logger = logging.getLogger(__name__)
# bm25s pins its logger at DEBUG on import; hand the level back to the application.
logging.getLogger("bm25s").setLevel(logging.NOTSET)


class BM25Index:
    """BM25 (Lucene variant, k1=1.5, b=0.75) over pre-tokenised items.

    Args:
        corpus_tokens: One token list per item, in item order.
    """

    def __init__(self, corpus_tokens: Sequence[Sequence[str]], k1: float = 1.5, b: float = 0.75):
        self.size = len(corpus_tokens)
        self._bm25 = bm25s.BM25(k1=k1, b=b, method="lucene")
        if self.size:
            # bm25s refuses an empty vocabulary; a placeholder keeps token-less items scorable.
            tokens = [list(t) if t else [""] for t in corpus_tokens]
            self._bm25.index(tokens, show_progress=False)

    @classmethod
    def load(cls, folder: Path, size: int) -> BM25Index:
        """Read an index written by :meth:`save` for ``size`` items."""
        if size == 0:
            return cls([])  # nothing was written for an empty corpus
        index = cls.__new__(cls)
        index.size = size
        index._bm25 = bm25s.BM25.load(str(folder), show_progress=False, load_corpus=False)
        found = int(index._bm25.scores["num_docs"]) if size else 0
        if found != size:
            raise ValueError(f"BM25 index in {folder} has {found} documents, expected {size}")
        return index

    def save(self, folder: Path) -> None:
        """Write the sparse score matrix, vocabulary and parameters into ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        if self.size:
            self._bm25.save(str(folder), show_progress=False)

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every item for one query.

        Returns:
            ``(n_items,)`` float32; 0 for items sharing no token with the query.
        """
        if not self.size:
            return np.zeros(0, dtype=np.float32)
        ids = self._bm25.get_tokens_ids([t for t in query_tokens if t])
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores_from_ids(ids), dtype=np.float32)


def _identity(tokens: list[str]) -> list[str]:
    return tokens


class TfidfIndex:
    """TF-IDF cosine over the same tokens: the evaluation's classic baseline.

    Args:
        corpus_tokens: One token list per item, in item order.
    """

    def __init__(self, corpus_tokens: Sequence[Sequence[str]]):
        self.size = len(corpus_tokens)
        self._vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True)
        self._matrix = None
        if self.size and any(corpus_tokens):
            self._matrix = self._vectorizer.fit_transform([list(t) for t in corpus_tokens])

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """Cosine similarity of every item to the query's TF-IDF vector.

        Returns:
            ``(n_items,)`` float32 in [0, 1].
        """
        if self._matrix is None:
            return np.zeros(self.size, dtype=np.float32)
        query = self._vectorizer.transform([list(query_tokens)])
        return np.asarray((self._matrix @ query.T).toarray().ravel(), dtype=np.float32)
