"""Embed stored enterprises' query texts in the background, so matching them skips the model.

PUT /v1/enterprises/{id} and the bulk upload hand the stored profiles to a
:class:`QueryWarmer`; one daemon thread embeds their texts through the served Matcher (whose
embedder writes the disk cache), and POST /v1/match with ``enterprise_id`` then only pays for
retrieval and rules. The write returns at once; a failed warm-up is logged, never raised.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterable
from typing import Any

from policymatch.profile.models import EnterpriseProfile

logger = logging.getLogger(__name__)

# Profiles embedded per call: big enough to batch, small enough to let requests in between
# (the embedder runs one call at a time).
WARM_BATCH = 32


class QueryWarmer:
    """A queue of profiles and the one thread that embeds their query texts.

    Args:
        holder: The app's :class:`~api.holder.MatcherHolder`; the current Matcher is used
            for each batch (nothing is warmed while no index is loaded).
    """

    def __init__(self, holder: Any) -> None:
        self._holder = holder
        self._queue: queue.Queue[EnterpriseProfile] = queue.Queue()
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self.warmed = 0  # texts handed to the embedder so far

    def submit(self, profiles: Iterable[EnterpriseProfile]) -> None:
        """Queue ``profiles`` for embedding; returns at once."""
        for profile in profiles:
            self._queue.put(profile)
        with self._lock:
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name="query-warmer", daemon=True)
                self._worker.start()

    def wait(self, timeout: float | None = None) -> None:
        """Block until every queued profile is embedded (tests, benchmarks)."""
        with self._lock:
            worker = self._worker
        if worker is not None:
            worker.join(timeout)

    def _run(self) -> None:
        while True:
            batch: list[EnterpriseProfile] = []
            while len(batch) < WARM_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if not batch:
                with self._lock:  # a profile submitted meanwhile is taken, not stranded
                    if self._queue.empty():
                        self._worker = None
                        return
                continue
            try:
                self.warmed += self._holder.get().warm_queries(batch)
            except Exception:  # warming is an optimisation; matching embeds on a miss
                logger.exception("warming the query vectors of %d enterprises failed", len(batch))
