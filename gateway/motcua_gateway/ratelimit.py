"""Request budgets per client and per IP, with the `limits` library (sliding window counters).

Three budgets (``RateLimitSettings``):

- ``anonymous``: calls without credentials, and calls whose credentials fail, per client IP;
- ``client``: authenticated calls, per client (the token's subject, or the API client's name);
- ``lookup``: public lookups by a code or a token (``Limit.LOOKUP`` in the policy), per IP and
  also per client, so neither many IPs with one token nor one IP can enumerate codes.

Counters live in this process's memory by default, or in Redis (``storage_url``) so that several
gateway replicas share them. If Redis cannot be reached the gateway lets requests through and logs
it: losing the limiter must not take the public door down with it.
"""

from __future__ import annotations

import math
import time
from enum import StrEnum

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from motcua_gateway.config import RateLimitSettings
from motcua_kit.logging import get_logger

log = get_logger("motcua.gateway.ratelimit")


class Budget(StrEnum):
    ANONYMOUS = "anonymous"
    CLIENT = "client"
    LOOKUP = "lookup"


def redis_storage_uri(url: str) -> str:
    """``redis://host:6379/0`` as the `limits` async storage URI."""
    return url if url.startswith("async+") else "async+" + url


class RateLimiter:
    def __init__(self, settings: RateLimitSettings) -> None:
        self.settings = settings
        self.enabled = settings.enabled
        self.budgets: dict[Budget, list[RateLimitItem]] = {
            Budget.ANONYMOUS: parse_many(settings.anonymous),
            Budget.CLIENT: parse_many(settings.client),
            Budget.LOOKUP: parse_many(settings.lookup),
        }
        self._storage: Storage | None = None
        self._limiter: SlidingWindowCounterRateLimiter | None = None
        self._storage_failing_since: float | None = None

    def _strategy(self) -> SlidingWindowCounterRateLimiter:
        # Built on first use, inside the running event loop (the memory storage starts a timer task).
        if self._limiter is None:
            if self.settings.storage_url:
                self._storage = RedisStorage(
                    redis_storage_uri(self.settings.storage_url),
                    implementation="redispy",
                    key_prefix=self.settings.key_prefix,
                    wrap_exceptions=True,
                    socket_timeout=0.5,
                    socket_connect_timeout=0.5,
                )
            else:
                self._storage = MemoryStorage()
            self._limiter = SlidingWindowCounterRateLimiter(self._storage)
        return self._limiter

    async def hit(self, budget: Budget, key: str) -> int | None:
        """Spend one request of ``key``'s ``budget``: ``None`` if allowed, else seconds to wait."""
        if not self.enabled:
            return None
        limiter = self._strategy()
        try:
            for item in self.budgets[budget]:
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
        self._strategy()
        assert self._storage is not None
        try:
            ok = await self._storage.check()
        except Exception as exc:
            return False, type(exc).__name__
        return (True, "ok") if ok else (False, "unreachable")

    async def reset(self) -> None:
        """Forget every counter (tests, and an operator clearing a mistaken block)."""
        self._strategy()
        assert self._storage is not None
        await self._storage.reset()

    async def aclose(self) -> None:
        """Close the connections to the shared store (the gateway's shutdown)."""
        bridge = getattr(self._storage, "bridge", None)
        client = getattr(bridge, "storage", None)
        close = getattr(client, "aclose", None)
        if close is not None:
            await close()
        self._storage = self._limiter = None
