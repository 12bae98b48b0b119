"""The cyclic garbage collector, paused around bulk work.

A bulk request (an import of thousands of national records) holds a million young objects at once:
the parsed body, the checked records, the rows to insert. Every full pass of CPython's generational
collector walks all of them and frees none, since they are all still in use; an import of 6,000
procedures triggered seven such passes, about 0.15 s each, a third of its time (and two thirds of an
import where nothing changed).

While a block is paused, reference counting frees what it drops, as always; only reference cycles
wait, until the last paused block ends. Nested and concurrent blocks (two imports at once) share one
pause. A process whose collector was already off (``gc.disable()``) is left as it was.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager


class _Pause:
    holders = 0
    resume = False


@contextmanager
def collector_paused() -> Iterator[None]:
    if _Pause.holders == 0:
        _Pause.resume = gc.isenabled()
        gc.disable()
    _Pause.holders += 1
    try:
        yield
    finally:
        _Pause.holders -= 1
        if _Pause.holders == 0 and _Pause.resume:
            gc.enable()


async def pause_collector() -> AsyncIterator[None]:
    """A route dependency: the collector stays paused from the endpoint's start until its response is sent.

    ``dependencies=[Depends(pause_collector)]``.
    """
    with collector_paused():
        yield
