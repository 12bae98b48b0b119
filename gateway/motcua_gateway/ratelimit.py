"""Request budgets per client and per IP: sliding window counters, in memory or shared through Redis.

Three budgets (``RateLimitSettings``):

- ``anonymous``: calls without credentials, and calls whose credentials fail, per client IP;
- ``client``: authenticated calls, per client (the token's subject, or the API client's name);
- ``lookup``: public lookups by a code or a token (``Limit.LOOKUP`` in the policy), per IP and
  also per client, so neither many IPs with one token nor one IP can enumerate codes.

The algorithm is the sliding window counter (the count of the current fixed window plus the
previous one's, weighted by how much of it the sliding window still covers): constant memory per
key, no burst at window edges. With ``storage_url`` the counters live in Redis, through the
`limits` library (one Lua call per check), so that several gateway replicas share them. Without
it they live in this process: :class:`MemoryWindows` does the same arithmetic in a dictionary,
because `limits`' in-memory storage cost ~25 µs per check (locks, timers) on a hot path whose
whole budget is ~150 µs. If Redis cannot be reached the gateway lets requests through and logs it:
losing the limiter must not take the public door down with it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from limits import RateLimitItem, parse_many
from limits.aio.storage import RedisStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from motcua_gateway.config import RateLimitSettings
from motcua_kit.logging import get_logger

log = get_logger("motcua.gateway.ratelimit")


class Budget(StrEnum):
    ANONYMOUS = "anonymous"
    CLIENT = "client"
    LOOKUP = "lookup"


@dataclass(frozen=True, slots=True)
class Window:
    """``amount`` requests per ``seconds``."""

    amount: int
    seconds: int


class MemoryWindows:
    """Sliding window counters in a dictionary: ``key -> [window number, previous count, current count]``."""

    MAX_KEYS = 200_000  # beyond this, counters of windows that have ended are dropped

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._counters: dict[tuple[str, int, int], list[int]] = {}

    def hit(self, window: Window, key: str) -> float | None:
        """Count one request: ``None`` if within ``window``, else seconds until one would be."""
        now = self.clock()
        period = window.seconds
        number = int(now // period)
        slot = (key, window.amount, period)
        counter = self._counters.get(slot)
        if counter is None:
            if len(self._counters) >= self.MAX_KEYS:
                self._forget_ended(now)
            counter = self._counters[slot] = [number, 0, 0]
        elif counter[0] != number:
            # The window moved on: the current count becomes the previous one (or nothing, if idle longer).
            counter[1] = counter[2] if counter[0] == number - 1 else 0
            counter[2] = 0
            counter[0] = number
        elapsed = now - number * period
        previous_weight = (period - elapsed) / period
        if counter[1] * previous_weight + counter[2] + 1 <= window.amount:
            counter[2] += 1
            return None
        return self._wait(window, counter[1], counter[2], elapsed)

    @staticmethod
    def _wait(window: Window, previous: int, current: int, elapsed: float) -> float:
        period = window.seconds
        if current + 1 > window.amount:
            # Full on its own: wait for the next window, where this count then weighs in as "previous".
            return period - elapsed + period * (current + 1 - window.amount) / max(current, 1)
        # The previous window's share must fade: previous * (1 - x / period) <= amount - current - 1.
        x = period * (1 - (window.amount - current - 1) / previous)
        return max(x - elapsed, 0.001)

    def _forget_ended(self, now: float) -> None:
        self._counters = {
            slot: counter for slot, counter in self._counters.items() if counter[0] >= int(now // slot[2]) - 1
        }
        if len(self._counters) >= self.MAX_KEYS:
            self._counters.clear()  # a flood of distinct keys: start over rather than grow without end

    def reset(self) -> None:
        self._counters.clear()


class RateLimiter:
    def __init__(self, settings: RateLimitSettings) -> None:
        self.settings = settings
        self.enabled = settings.enabled
        self.items: dict[Budget, list[RateLimitItem]] = {
            Budget.ANONYMOUS: parse_many(settings.anonymous),
            Budget.CLIENT: parse_many(settings.client),
            Budget.LOOKUP: parse_many(settings.lookup),
        }
        self.windows = {
            budget: [Window(item.amount, item.get_expiry()) for item in items] for budget, items in self.items.items()
        }
        self.memory = MemoryWindows()
        self._storage: RedisStorage | None = None
        self._shared: SlidingWindowCounterRateLimiter | None = None
        self._storage_failing_since: float | None = None

    def _redis(self) -> SlidingWindowCounterRateLimiter:
        # Built on first use, inside the running event loop.
        if self._shared is None:
            assert self.settings.storage_url is not None
            url = self.settings.storage_url
            self._storage = RedisStorage(
                url if url.startswith("async+") else "async+" + url,
                implementation="redispy",
                key_prefix=self.settings.key_prefix,
                wrap_exceptions=True,
                socket_timeout=0.5,
                socket_connect_timeout=0.5,
            )
            self._shared = SlidingWindowCounterRateLimiter(self._storage)
        return self._shared

    async def hit(self, budget: Budget, key: str) -> int | None:
        """Spend one request of ``key``'s ``budget``: ``None`` if allowed, else whole seconds to wait."""
        if not self.enabled:
            return None
        if self.settings.storage_url is None:
            for window in self.windows[budget]:
                wait = self.memory.hit(window, f"{budget.value}:{key}")
                if wait is not None:
                    return max(1, math.ceil(wait))
            return None
        return await self._hit_shared(budget, key)

    async def _hit_shared(self, budget: Budget, key: str) -> int | None:
        limiter = self._redis()
        try:
            for item in self.items[budget]:
                if not await limiter.hit(item, budget.value, key):
                    stats = await limiter.get_window_stats(item, budget.value, key)
                    return max(1, math.ceil(stats.reset_time - time.time()))
        except Exception as exc:  # the shared store is down: fail open, loudly
            if self._storage_failing_since is None:
                self._storage_failing_since = time.monotonic()
                log.error("rate limit storage unavailable; requests are not limited", error=type(exc).__name__)
            return None
        if self._storage_failing_since is not None:
            self._storage_failing_since = None
            log.warning("rate limit storage is back")
        return None

    async def healthy(self) -> tuple[bool, str]:
        """For ``/readyz``: whether the counters' store answers (informational)."""
        if not self.enabled:
            return True, "disabled"
        if self.settings.storage_url is None:
            return True, "memory"
        self._redis()
        assert self._storage is not None
        try:
            ok = await self._storage.check()
        except Exception as exc:
            return False, type(exc).__name__
        return (True, "ok") if ok else (False, "unreachable")

    async def reset(self) -> None:
        """Forget every counter (tests, and an operator clearing a mistaken block)."""
        self.memory.reset()
        if self.settings.storage_url is not None:
            self._redis()
            assert self._storage is not None
            await self._storage.reset()

    async def aclose(self) -> None:
        """Close the connections to the shared store (the gateway's shutdown)."""
        bridge = getattr(self._storage, "bridge", None)
        client = getattr(bridge, "storage", None)
        close = getattr(client, "aclose", None)
        if close is not None:
            await close()
        self._storage = self._shared = None
