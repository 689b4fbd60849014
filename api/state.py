"""Everything one app instance owns: settings, store, matcher holder, metrics, index status."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi.templating import Jinja2Templates

from api.catalogue import PolicyCatalogue
from api.holder import MatcherHolder
from api.metrics import ApiMetrics
from policymatch.settings import Settings

logger = logging.getLogger(__name__)


@dataclass
class IndexStatus:
    """Whether the served index still reflects the store, and any background rebuild."""

    stale: bool = False
    rebuilding: bool = False
    last_error: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class AppState:
    """Held on ``app.state.policymatch``; one per app, never module-global."""

    settings: Settings
    store: Any
    holder: MatcherHolder[Any]
    metrics: ApiMetrics
    catalogue: PolicyCatalogue
    templates: Jinja2Templates
    index: IndexStatus = field(default_factory=IndexStatus)
    rebuild: Callable[[], None] | None = None

    def request_rebuild(self) -> str:
        """Mark the index stale and start a background rebuild when one is wired in.

        Returns:
            ``"rebuilding"`` when a rebuild runs (now or already), else ``"stale"``.
        """
        self.index.stale = True
        if self.rebuild is None:
            return "stale"
        with self.index.lock:
            if self.index.rebuilding:
                return "rebuilding"
            self.index.rebuilding = True
        threading.Thread(target=self._run_rebuild, name="index-rebuild", daemon=True).start()
        return "rebuilding"

    def _run_rebuild(self) -> None:
        try:
            self.index.stale = False
            if self.rebuild is not None:
                self.rebuild()
            self.index.last_error = None
            self.holder.load()
            self.catalogue.invalidate()
        except Exception as exc:  # logged; the old index keeps serving
            self.index.stale = True
            self.index.last_error = str(exc)
            logger.exception("background index rebuild failed")
        finally:
            with self.index.lock:
                self.index.rebuilding = False
