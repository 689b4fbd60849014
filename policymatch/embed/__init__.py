"""Embedders: the :class:`Embedder` interface, its backends and the disk cache.

:func:`get_embedder` picks the backend named in :class:`~policymatch.settings.Settings`.
"""

from __future__ import annotations

from policymatch.embed.base import Embedder
from policymatch.embed.cache import CachedEmbedder
from policymatch.settings import Settings

__all__ = ["CachedEmbedder", "Embedder", "get_embedder"]


def get_embedder(settings: Settings, cache: bool = True) -> Embedder:
    """Build the embedder the settings name.

    Args:
        settings: ``embedder`` picks the backend (``e5`` or ``sentence-transformers``);
            ``embedder_model`` is the local model folder the latter needs;
            ``embed_batch_size`` texts go to the model per call.
        cache: Wrap the backend in a :class:`CachedEmbedder` under ``settings.cache_dir``.

    Raises:
        ValueError: sentence-transformers chosen without ``embedder_model``.
        ImportError: the chosen backend's package is missing (the message names the extra).
    """
    backend: Embedder
    if settings.embedder == "e5":
        from policymatch.embed.e5 import E5Embedder

        backend = E5Embedder(batch_size=settings.embed_batch_size)
    else:
        if not settings.embedder_model:
            raise ValueError(
                "POLICYMATCH_EMBEDDER=sentence-transformers needs POLICYMATCH_EMBEDDER_MODEL,"
                " the folder of a local model"
            )
        from policymatch.embed.sentence_transformers import SentenceTransformerEmbedder

        backend = SentenceTransformerEmbedder(
            settings.embedder_model, batch_size=settings.embed_batch_size
        )
    if cache:
        return CachedEmbedder(backend, settings.cache_dir)
    return backend
