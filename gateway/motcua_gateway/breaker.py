"""A circuit breaker per upstream, so a service that is down costs its callers nothing but a quick 503.

Closed: requests flow; consecutive failures (unreachable, timed out) are counted and any success
resets the count. After ``failure_threshold`` of them the circuit opens: for ``reset_seconds``
every request is answered at once with 503 and ``Retry-After``, without waiting on the service.
Then one trial request is let through (half open): its success closes the circuit, its failure
opens it again for another period. Only the service's own routes are affected.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from enum import StrEnum


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    def __init__(
        self, *, failure_threshold: int, reset_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.failure_threshold = failure_threshold
        self.reset_seconds = reset_seconds
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_in_flight = False

    @property
    def state(self) -> CircuitState:
        if self._opened_at is None:
            return CircuitState.CLOSED
        if self._clock() - self._opened_at < self.reset_seconds:
            return CircuitState.OPEN
        return CircuitState.HALF_OPEN

    def allow(self) -> bool:
        """Whether a request may go to the upstream now (in half open, only the one trial)."""
        state = self.state
        if state is CircuitState.CLOSED:
            return True
        if state is CircuitState.HALF_OPEN and not self._trial_in_flight:
            self._trial_in_flight = True
            return True
        return False

    def retry_after(self) -> int:
        """Seconds until the next trial, for the 503's ``Retry-After``."""
        if self._opened_at is None:
            return 1
        return max(1, math.ceil(self.reset_seconds - (self._clock() - self._opened_at)))

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._trial_in_flight = False

    def record_failure(self) -> None:
        self._trial_in_flight = False
        self._failures += 1
        if self._opened_at is not None or self._failures >= self.failure_threshold:
            self._opened_at = self._clock()

    def release(self) -> None:
        """A trial request ended without telling whether the upstream is healthy (the client left)."""
        self._trial_in_flight = False
