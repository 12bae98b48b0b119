from __future__ import annotations

import httpx
import pytest

from motcua_kit.testing import TokenFactory, assert_problem


async def test_pages_and_sorting(kit_client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    headers = tokens.headers("catalog_editor")
    for name in ["c", "a", "b", "e", "d"]:
        await kit_client.post("/api/v1/items", json={"name": name, "quantity": 1}, headers=headers)
    page = (await kit_client.get("/api/v1/items", params={"size": 2, "page": 2, "sort": "-name"})).json()
    assert page["total"] == 5
    assert (page["page"], page["size"]) == (2, 2)
    assert [i["name"] for i in page["items"]] == ["c", "b"]
    beyond = (await kit_client.get("/api/v1/items", params={"size": 2, "page": 9})).json()
    assert beyond["items"] == []
    assert beyond["total"] == 5


async def test_unknown_sort_field_is_422(kit_client: httpx.AsyncClient) -> None:
    body = assert_problem(await kit_client.get("/api/v1/items", params={"sort": "name,password"}), 422)
    assert body["errors"][0]["field"] == "sort"
    assert body["errors"][0]["location"] == "query"


@pytest.mark.parametrize("columns", [False, True], ids=["entities", "rows"])
@pytest.mark.parametrize("window", [False, True], ids=["count", "window"])
async def test_totals_of_last_full_and_empty_pages(
    kit_client: httpx.AsyncClient, tokens: TokenFactory, window: bool, columns: bool
) -> None:
    # A page that is not full is the last one: its total is known without a count; a full one is counted,
    # by a second statement or beside the rows (count(*) OVER ()). Rows of columns page the same way.
    empty = (await kit_client.get("/api/v1/items", params={"window": window, "columns": columns})).json()
    assert (empty["items"], empty["total"]) == ([], 0)
    headers = tokens.headers("catalog_editor")
    for name in ["a", "b", "c", "d"]:
        await kit_client.post("/api/v1/items", json={"name": name, "quantity": 1}, headers=headers)
    cases = {(1, 10): (4, 4), (1, 4): (4, 4), (1, 3): (3, 4), (2, 3): (1, 4), (2, 2): (2, 4), (3, 2): (0, 4)}
    for (page, size), (count, total) in cases.items():
        params: dict[str, int | bool | str] = {
            "page": page,
            "size": size,
            "window": window,
            "columns": columns,
            "sort": "name",
        }
        body = (await kit_client.get("/api/v1/items", params=params)).json()
        assert (len(body["items"]), body["total"]) == (count, total), (page, size)
        names = ["a", "b", "c", "d"][(page - 1) * size : page * size]
        assert [item["name"] for item in body["items"]] == names
