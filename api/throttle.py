"""Failed API-key attempts per client address, so a key cannot be guessed by trying many.

A client that presents a wrong key ``max_failures`` times within ``window_seconds`` is refused
(429, ``Retry-After``) until its oldest counted failure leaves the window, whatever key it sends
meanwhile; a right key clears its count. The console's key form and the ``X-API-Key`` check of
writes share one throttle per app.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

MAX_FAILURES = 10
WINDOW_SECONDS = 300.0
# Clients tracked at most; past it the ones whose failures all left the window are dropped.
_MAX_CLIENTS = 10_000


class KeyThrottle:
    """Counts failed key attempts per client; see the module docstring.

    Args:
        max_failures: Failures within the window that block the client.
        window_seconds: How long a failure counts.
        clock: Seconds from a monotonic clock (tests pass their own).
    """

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window_seconds: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> int | None:
        """Whole seconds ``client`` must wait before its next attempt counts, or None."""
        with self._lock:
            recent = self._recent(client)
            if len(recent) < self.max_failures:
                return None
            wait = recent[0] + self.window_seconds - self._clock()
            return max(1, math.ceil(wait))

    def failed(self, client: str) -> None:
        """Count one wrong key from ``client``."""
        with self._lock:
            if len(self._failures) >= _MAX_CLIENTS:
                self._forget_idle()
            self._failures.setdefault(client, deque()).append(self._clock())

    def succeeded(self, client: str) -> None:
        """A right key: forget ``client``'s failures."""
        with self._lock:
            self._failures.pop(client, None)

    def _recent(self, client: str) -> deque[float]:
        times = self._failures.get(client, deque())
        horizon = self._clock() - self.window_seconds
        while times and times[0] <= horizon:
            times.popleft()
        return times

    def _forget_idle(self) -> None:
        for client in [c for c in self._failures if not self._recent(c)]:
            del self._failures[client]
