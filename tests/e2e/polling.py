"""Waiting for real processes: events travel through dispatchers, servers take time to start."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    check: Callable[[], Awaitable[T]], *, within: float = 60, what: str = "it", every: float = 0.2
) -> T:
    """Poll ``check`` until it returns something true; fail after ``within`` seconds naming ``what``."""
    deadline = time.monotonic() + within
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {within:.0f} s for {what}")
        await asyncio.sleep(every)
