"""Everything one app instance owns: settings, store, matcher holder, metrics, index status."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi.templating import Jinja2Templates

from api.catalogue import PolicyCatalogue
from api.holder import MatcherHolder
from api.metrics import ApiMetrics
from api.throttle import KeyThrottle
from api.warm import QueryWarmer
from policymatch.settings import Settings

logger = logging.getLogger(__name__)

IndexUpdate = Callable[[set[str]], None]


@dataclass
class IndexStatus:
    """Whether the served index still reflects the store, and the background update."""

    stale: bool = False
    updating: bool = False
    pending: set[str] = field(default_factory=set)
    last_error: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    worker: threading.Thread | None = None


@dataclass
class AppState:
    """Held on ``app.state.policymatch``; one per app, never module-global.

    ``update_index`` re-indexes a set of document ids (see :mod:`api.index_update`); None
    leaves the index stale until ``policymatch index`` runs. ``match_slots`` bounds how many
    requests compute matches at once.
    """

    settings: Settings
    store: Any
    holder: MatcherHolder[Any]
    metrics: ApiMetrics
    catalogue: PolicyCatalogue
    templates: Jinja2Templates
    update_index: IndexUpdate | None = None
    index: IndexStatus = field(default_factory=IndexStatus)
    warmer: QueryWarmer | None = None  # embeds stored enterprises' query texts in the background
    key_throttle: KeyThrottle = field(default_factory=KeyThrottle)  # wrong keys per client
    # Matching is CPU-bound and the embedder spreads one call over every core: letting the
    # threadpool run many at once oversubscribes the CPU (8 at once served 7x fewer requests
    # per second than one at a time in bench/api.py). Requests queue here instead.
    match_slots: threading.BoundedSemaphore = field(
        default_factory=lambda: threading.BoundedSemaphore(1)
    )

    def documents_changed(self, doc_ids: Iterable[str]) -> Literal["rebuilding", "stale"]:
        """Note that documents were stored or deleted; re-index them in the background.

        Updates queue up: documents changed while an update runs are taken in the next round,
        by the same worker thread, so two updates never write the index at once.
        """
        self.catalogue.invalidate()
        changed = set(doc_ids)
        with self.index.lock:
            self.index.stale = True
            if self.update_index is None:
                return "stale"
            self.index.pending |= changed
            if not self.index.updating:
                self.index.updating = True
                self.index.worker = threading.Thread(
                    target=self._update_worker, name="index-update", daemon=True
                )
                self.index.worker.start()
        return "rebuilding"

    def wait_for_index(self, timeout: float | None = None) -> None:
        """Block until the background update (if any) and the reload after it are done."""
        worker = self.index.worker
        if worker is not None:
            worker.join(timeout)

    def _update_worker(self) -> None:
        while True:
            with self.index.lock:
                batch, self.index.pending = self.index.pending, set()
                if not batch:
                    self.index.updating = False
                    return
            try:
                if self.update_index is not None:
                    self.update_index(batch)
                self.holder.load()
                self.catalogue.invalidate()
                with self.index.lock:
                    self.index.stale = bool(self.index.pending)
                    self.index.last_error = None
            except Exception as exc:  # logged; the old index keeps serving
                self.index.last_error = f"{type(exc).__name__}: {exc}"
                logger.exception("updating the index for %s failed", sorted(batch))
