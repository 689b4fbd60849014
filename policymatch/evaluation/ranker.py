"""The ranker evaluation drives: a throwaway matcher over the evaluated records, cached by content.

The index for a set of records is kept under ``settings.cache_dir / "eval" / <key>`` where the
key hashes the records' content, the embedder's model id and the indexing code, so a second run
on the same inputs and code skips translation and embedding.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from policymatch.match.results import MatchResults
from policymatch.profile.models import EnterpriseProfile
from policymatch.settings import Settings

if TYPE_CHECKING:
    from policymatch.evaluation.runner import PreparedCorpus

logger = logging.getLogger(__name__)


class Ranker(Protocol):
    """What evaluation needs from a matcher: ranked items per profile for a named method."""

    def rank(
        self,
        profiles: Sequence[EnterpriseProfile],
        method: str,
        k: int,
        *,
        as_of: dt.date | None = None,
        ignore_validity: bool = False,
    ) -> list[MatchResults]: ...


def embedder_id(settings: Settings) -> str:
    """A name for the embedding model, part of the cache key."""
    return f"{settings.embedder}:{settings.embedder_model or 'default'}"


# Packages whose code or tables shape what the index holds (items, cards, tokens, vectors).
_INDEXING_PACKAGES = ("corpus", "translate", "reference", "embed", "match")


def code_fingerprint() -> str:
    """sha256 of the indexing stages' source and data files.

    Part of the cache key so that a change to splitting, translation or indexing (the changes
    this command exists to judge) never meets an index built by the old code.
    """
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for package in _INDEXING_PACKAGES:
        for path in sorted((root / package).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(corpus: PreparedCorpus, settings: Settings) -> str:
    """sha256 (first 16 hex) of the records' content, the embedder's model id and the code."""
    from policymatch.evaluation.datasets import records_sha256

    digest = hashlib.sha256()
    digest.update(records_sha256(corpus.records).encode())
    digest.update(embedder_id(settings).encode())
    digest.update(code_fingerprint().encode())
    return digest.hexdigest()[:16]


def build_ranker(
    corpus: PreparedCorpus,
    settings: Settings,
    progress: Callable[[str, int, int], None] | None = None,
) -> Ranker:
    """A matcher over ``corpus``: loaded from the cache when its key is there, else built and saved.

    Cards come from the translate stage, embeddings from the configured embedder.
    """
    from policymatch.embed import get_embedder
    from policymatch.match.matcher import Matcher
    from policymatch.translate import translate_item

    embedder = get_embedder(settings)
    index_dir = settings.cache_dir / "eval" / cache_key(corpus, settings)
    if (index_dir / "READY").is_file():
        logger.info("eval index cache hit: %s", index_dir)
        return Matcher.load(index_dir, embedder=embedder)

    documents = {doc.id: doc for doc in corpus.documents}
    cards = []
    for done, item in enumerate(corpus.items, start=1):
        cards.append(translate_item(item, documents[item.doc_id]))
        if progress and (done % 50 == 0 or done == len(corpus.items)):
            progress("cards", done, len(corpus.items))
    matcher = Matcher.build(corpus.documents, corpus.items, cards, embedder)
    matcher.save(index_dir)
    (index_dir / "READY").write_text(embedder_id(settings) + "\n", encoding="utf-8")
    logger.info("eval index built and cached: %s", index_dir)
    return matcher
