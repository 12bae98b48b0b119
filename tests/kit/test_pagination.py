from __future__ import annotations

import httpx

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
