"""Search pages kept in memory by the catalogue's revision: right after every change, never stale."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy import text

from procedure_catalog.localisation import Localiser
from procedure_catalog.procedures.search_cache import SearchCache
from tests.procedure_catalog.factories import Catalogue


async def _search(catalogue: Catalogue, **params: Any) -> dict[str, Any]:
    response = await catalogue.client.get("/api/v1/procedures", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_repeated_search_is_kept_until_a_decision_changes_the_catalogue(
    catalogue: Catalogue, catalog_app: FastAPI
) -> None:
    cache: SearchCache[Any] = catalog_app.state.search_cache
    first = await catalogue.published(code="2.000635", name_vi="Cho phép tổ chức hội nghị quốc tế")
    found = await _search(catalogue, q="hoi nghi")
    assert [item["code"] for item in found["items"]] == [first]
    assert await _search(catalogue, q="hoi nghi") == found
    assert (cache.hits, cache.misses) == (1, 1)

    # A decision publishes another match: the next request reads a newer revision and searches again.
    second = await catalogue.published(code="2.000999", name_vi="Cho phép tổ chức hội nghị trong nước")
    again = await _search(catalogue, q="hoi nghi")
    assert {item["code"] for item in again["items"]} == {first, second}
    assert again["total"] == 2
    # Amended: the list shows the new name at once.
    amended = await catalogue.amend(second, {"name_vi": "Cho phép tổ chức hội nghị, hội thảo"}, "2024-06-01")
    assert amended.status_code == 201, amended.text
    names = {item["code"]: item["name_vi"] for item in (await _search(catalogue, q="hoi nghi"))["items"]}
    assert names[second] == "Cho phép tổ chức hội nghị, hội thảo"
    # A draft is not the published catalogue: opening one changes nothing.
    before = cache.revision
    await catalogue.draft(code="2.001000", name_vi="Hội nghị nháp")
    await _search(catalogue, q="hoi nghi")
    assert cache.revision == before


async def test_a_kept_page_answers_in_the_language_it_was_asked_in(catalogue: Catalogue, client: Any) -> None:
    await catalogue.published(
        code="1.000948", name_vi="Thẻ đi lại doanh nhân APEC", name_en="APEC Business Travel Card"
    )
    for _ in range(2):
        english = await client.get("/api/v1/procedures", params={"q": "apec"}, headers={"Accept-Language": "en"})
        assert english.headers["content-language"] == "en"
        assert english.json()["items"][0]["name"] == "APEC Business Travel Card"
        vietnamese = await client.get("/api/v1/procedures", params={"q": "apec"})
        assert vietnamese.headers["content-language"] == "vi"
        assert vietnamese.json()["items"][0]["name"] == "Thẻ đi lại doanh nhân APEC"


async def test_bad_searches_are_refused_every_time(client: Any) -> None:
    for _ in range(2):
        response = await client.get("/api/v1/procedures", params={"q": "!!!"})
        assert response.status_code == 422


# The cache on its own ------------------------------------------------------------------------------


class Counter:
    def __init__(self, revision: int = 1) -> None:
        self.revision = revision
        self.reads = 0
        self.computed = 0

    async def read(self) -> int:
        self.reads += 1
        return self.revision

    def compute(self, value: str) -> Any:
        async def run() -> str:
            self.computed += 1
            return value

        return run


def _weight(value: str) -> int:
    return len(value)


async def test_switched_off_it_never_reads_the_revision() -> None:
    cache: SearchCache[str] = SearchCache(0, _weight)
    counter = Counter()
    for _ in range(2):
        assert await cache.get_or_compute(counter.read, "k", Localiser("vi"), counter.compute("v")) == "v"
    assert (counter.reads, counter.computed, len(cache)) == (0, 2, 0)


async def test_least_recently_used_pages_go_first() -> None:
    cache: SearchCache[str] = SearchCache(2, _weight)
    counter = Counter()
    for key in ["a", "b", "a", "c"]:  # "b" is the least recently used when "c" comes
        await cache.get_or_compute(counter.read, key, Localiser("vi"), counter.compute(key))
    assert counter.computed == 3
    await cache.get_or_compute(counter.read, "a", Localiser("vi"), counter.compute("a"))
    await cache.get_or_compute(counter.read, "b", Localiser("vi"), counter.compute("b"))
    assert counter.computed == 4


async def test_a_page_computed_at_an_older_revision_is_not_kept() -> None:
    cache: SearchCache[str] = SearchCache(10, _weight)
    old, new = Counter(revision=1), Counter(revision=2)
    await cache.get_or_compute(new.read, "k", Localiser("vi"), new.compute("new"))
    # A request that read its revision before the write committed: answered, not kept.
    assert await cache.get_or_compute(old.read, "k", Localiser("vi"), old.compute("old")) == "old"
    assert await cache.get_or_compute(new.read, "k", Localiser("vi"), new.compute("again")) == "new"
    assert (cache.revision, len(cache)) == (2, 1)


async def test_pages_are_weighed_by_their_items() -> None:
    cache: SearchCache[str] = SearchCache(5, _weight)
    counter = Counter()
    for key in ["aa", "bbb", "cccc"]:  # 2 + 3 fit; "cccc" pushes out "aa", then "bbb"
        await cache.get_or_compute(counter.read, key, Localiser("vi"), counter.compute(key))
    assert (len(cache), cache.kept_items) == (1, 4)
    await cache.get_or_compute(counter.read, "x" * 6, Localiser("vi"), counter.compute("x" * 6))  # too big to keep
    assert (len(cache), cache.kept_items) == (1, 4)
    await cache.get_or_compute(counter.read, "", Localiser("vi"), counter.compute(""))  # an empty page weighs 1
    assert (len(cache), cache.kept_items) == (2, 5)


async def test_without_its_revision_row_nothing_is_answered_from_memory(
    catalogue: Catalogue, catalog_app: FastAPI
) -> None:
    await catalogue.published(code="2.000635", name_vi="Cho phép tổ chức hội nghị quốc tế")
    assert (await _search(catalogue, q="hoi nghi"))["total"] == 1
    async with catalog_app.state.database.transaction() as session:
        await session.execute(text("DELETE FROM catalogue_revision"))
    assert (await _search(catalogue, q="hoi nghi"))["total"] == 1
    await catalogue.published(code="2.000999", name_vi="Cho phép tổ chức hội nghị trong nước")
    assert (await _search(catalogue, q="hoi nghi"))["total"] == 2
