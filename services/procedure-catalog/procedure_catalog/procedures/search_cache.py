"""Pages of search results kept in memory, by the catalogue's revision.

The catalogue changes only when versions are written (an announcement decision, an import), and
each such write raises the revision (``models.revision``). A page of results computed at revision N
is therefore the answer to the same request for as long as the revision is N and the day is the
same (the day is part of the request: versions in force on it). A request reads the revision (one
primary-key lookup) and then either answers from here or searches and keeps the page.

- The cache holds one revision at a time: the first request that reads a newer one empties it.
  A page computed by a request that read an older revision is not kept.
- A page computed after a write committed but under the revision read before it holds newer data
  than its key says; it is dropped with the rest when a request reads the new revision.
- Each worker process has its own cache; the revision keeps them all right, not in step.
- Without the revision's row (made by the migration, never deleted by the service) there is no
  revision to trust: every request searches.
- ``items`` bounds it by the pages' weight (their number of summaries, at least 1 each; a summary
  takes about 4 kB in memory): least recently used pages go first (cachetools' ``LRUCache``, sized
  by weight); a page heavier than the whole bound is not kept; 0 turns it off.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from cachetools import LRUCache

from procedure_catalog.localisation import Localiser

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Kept(Generic[T]):
    value: T
    languages: frozenset[str]  # the languages the page was written in (Content-Language)
    weight: int


class SearchCache(Generic[T]):
    def __init__(self, items: int, weight: Callable[[T], int]) -> None:
        self.items = items
        self.weight = weight
        self.revision = -1
        self.hits = 0
        self.misses = 0
        self._kept: LRUCache[Hashable, _Kept[T]] = LRUCache(max(items, 1), getsizeof=lambda kept: kept.weight)

    def __len__(self) -> int:
        return len(self._kept)

    @property
    def kept_items(self) -> int:
        """The summaries held, across every kept page."""
        return int(self._kept.currsize)

    async def get_or_compute(
        self,
        read_revision: Callable[[], Awaitable[int | None]],
        key: Hashable,
        localiser: Localiser,
        compute: Callable[[], Awaitable[T]],
    ) -> T:
        """The page for ``key`` at the revision ``read_revision`` gives: kept, or computed and kept."""
        if not self.items:
            return await compute()
        revision = await read_revision()
        if revision is None:  # no revision to trust (its row is gone): nothing is kept or answered from memory
            self.misses += 1
            return await compute()
        if revision > self.revision:
            self._kept.clear()
            self.revision = revision
        kept = self._kept.get(key) if revision == self.revision else None
        if kept is not None:
            self.hits += 1
            localiser.used.update(kept.languages)
            return kept.value
        self.misses += 1
        value = await compute()
        weight = max(1, self.weight(value))
        if revision == self.revision and key not in self._kept and weight <= self.items:
            self._kept[key] = _Kept(value, frozenset(localiser.used), weight)
        return value
