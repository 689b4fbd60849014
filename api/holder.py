"""Hold the loaded Matcher and swap in a rebuilt index without a restart.

``policymatch index`` builds a new index directory and swaps it in (the index path is a
symlink, or the directory's manifest is rewritten). The holder notices a change of the
resolved path or of the manifest's mtime, at most every ``check_every`` seconds, loads the new
index in a background thread and swaps the reference in one assignment. A request that
already holds the old Matcher keeps using it until it finishes; nothing waits for a load.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

logger = logging.getLogger(__name__)

M = TypeVar("M")

# Files a built index may use to mark itself complete; the first that exists is watched.
_MANIFEST_NAMES = ("manifest.json", "MANIFEST.json", "meta.json")


def index_fingerprint(index_dir: Path) -> tuple[str, int] | None:
    """Identify the index on disk: its resolved path and its manifest's mtime (ns).

    Returns:
        None when no index exists at ``index_dir``.
    """
    try:
        resolved = Path(os.path.realpath(index_dir))
        if not resolved.is_dir():
            return None
        for name in _MANIFEST_NAMES:
            manifest = resolved / name
            if manifest.exists():
                return str(resolved), manifest.stat().st_mtime_ns
        return str(resolved), resolved.stat().st_mtime_ns
    except OSError:
        return None


class IndexNotReadyError(RuntimeError):
    """No index has been loaded yet (none built, or the load failed)."""


class MatcherHolder(Generic[M]):
    """The current Matcher, reloaded when the index on disk changes.

    Args:
        index_dir: The configured index path (a directory or a symlink to one).
        loader: Builds a Matcher from a directory, e.g. ``Matcher.load``.
        check_every: Seconds between looks at the disk; 0 checks on every ``get``.
        on_swap: Called with each newly loaded Matcher (metrics, caches).
    """

    def __init__(
        self,
        index_dir: Path,
        loader: Callable[[Path], M],
        *,
        check_every: float = 5.0,
        on_swap: Callable[[M], None] | None = None,
    ) -> None:
        self.index_dir = index_dir
        self._loader = loader
        self._check_every = check_every
        self._on_swap = on_swap
        self._matcher: M | None = None
        self._fingerprint: tuple[str, int] | None = None
        self._last_check = 0.0
        self._lock = threading.Lock()
        self._loading: threading.Thread | None = None
        self.last_error: str | None = None
        self.loaded_at: float | None = None

    @property
    def ready(self) -> bool:
        return self._matcher is not None

    @property
    def fingerprint(self) -> tuple[str, int] | None:
        """The fingerprint of the index currently served."""
        return self._fingerprint

    def load(self) -> bool:
        """Load the index now, in this thread (start-up and forced reloads).

        Returns:
            True when a Matcher was loaded and swapped in.
        """
        with self._lock:
            self._last_check = time.monotonic()
            return self._load_locked(index_fingerprint(self.index_dir))

    def get(self) -> M:
        """The Matcher to serve this request with; may start a background reload.

        Raises:
            IndexNotReadyError: No index has been loaded.
        """
        self._maybe_reload_in_background()
        matcher = self._matcher
        if matcher is None:
            raise IndexNotReadyError(self.last_error or f"no index at {self.index_dir}")
        return matcher

    def wait_for_reload(self, timeout: float | None = None) -> None:
        """Block until a background reload in progress finishes (tests, admin reload)."""
        thread = self._loading
        if thread is not None:
            thread.join(timeout)

    def _maybe_reload_in_background(self) -> None:
        now = time.monotonic()
        if now - self._last_check < self._check_every:
            return
        if not self._lock.acquire(blocking=False):
            return  # another request is checking or a load is being started
        try:
            self._last_check = now
            if self._loading is not None and self._loading.is_alive():
                return
            found = index_fingerprint(self.index_dir)
            if found is None or found == self._fingerprint:
                return
            thread = threading.Thread(
                target=self._load_in_thread, args=(found,), name="index-reload", daemon=True
            )
            self._loading = thread
            thread.start()
        finally:
            self._lock.release()

    def _load_in_thread(self, found: tuple[str, int]) -> None:
        with self._lock:
            self._load_locked(found)

    def _load_locked(self, found: tuple[str, int] | None) -> bool:
        if found is None:
            self.last_error = f"no index at {self.index_dir}; run `policymatch index`"
            return False
        try:
            matcher = self._loader(Path(found[0]))
        except Exception as exc:  # a half-written or incompatible index: keep the old one
            self.last_error = f"loading the index at {found[0]} failed: {exc}"
            logger.exception("loading the index at %s failed; keeping the current one", found[0])
            # Remember it so a broken build is not retried on every check.
            self._fingerprint = found if self._matcher is not None else None
            return False
        self._matcher = matcher  # one assignment: requests see the old or the new, never a mix
        self._fingerprint = found
        self.last_error = None
        self.loaded_at = time.time()
        logger.info("index loaded from %s", found[0])
        if self._on_swap is not None:
            self._on_swap(matcher)
        return True

    def describe(self) -> dict[str, Any]:
        """What /readyz reports: ready, path, when loaded, last error."""
        return {
            "ready": self.ready,
            "index_dir": str(self.index_dir),
            "serving": self._fingerprint[0] if self._fingerprint else None,
            "loaded_at": self.loaded_at,
            "error": self.last_error,
        }
