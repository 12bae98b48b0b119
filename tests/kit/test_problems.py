"""Every error a service can answer is a problem document with a stable code."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from motcua_kit.errors import PROBLEM_MEDIA_TYPE, problem_responses
from motcua_kit.testing import TokenFactory, assert_problem, error_fields


async def test_unknown_route_is_a_problem(kit_client: httpx.AsyncClient) -> None:
    body = assert_problem(await kit_client.get("/api/v1/nowhere"), 404, "not_found")
    assert body["instance"] == "/api/v1/nowhere"


async def test_wrong_method_is_a_problem(kit_client: httpx.AsyncClient) -> None:
    assert_problem(await kit_client.delete("/api/v1/items"), 405, "method_not_allowed")


async def test_validation_error_lists_each_field(kit_client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    response = await kit_client.post(
        "/api/v1/items", json={"name": "", "quantity": -1}, headers=tokens.headers("catalog_editor")
    )
    body = assert_problem(response, 422, "validation_error")
    assert error_fields(body) == {"name", "quantity"}
    for error in body["errors"]:
        assert error["location"] == "body"
        assert error["message"]
        assert error["type"]


async def test_query_validation_names_the_parameter(kit_client: httpx.AsyncClient) -> None:
    body = assert_problem(await kit_client.get("/api/v1/items", params={"size": 1000, "page": 0}), 422)
    assert {(e["location"], e["field"]) for e in body["errors"]} == {("query", "size"), ("query", "page")}


async def test_malformed_json_is_400(kit_client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    response = await kit_client.post(
        "/api/v1/items",
        content=b'{"name": ',
        headers={"content-type": "application/json", **tokens.headers("catalog_editor")},
    )
    assert_problem(response, 400, "malformed_body")


async def test_body_too_large_is_413(kit_client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    response = await kit_client.post(
        "/api/v1/items", json={"name": "x" * 5000, "quantity": 1}, headers=tokens.headers("catalog_editor")
    )
    assert_problem(response, 413, "payload_too_large")


async def test_a_path_can_have_its_own_body_limit(kit_client: httpx.AsyncClient) -> None:
    payload = {"name": "x" * 5000, "quantity": 1}
    # Over the service's 2048 bytes, under the 20,000 given to this path: read, then refused as invalid.
    body = assert_problem(await kit_client.post("/api/v1/items/unchecked", json=payload), 422, "validation_error")
    assert error_fields(body) == {"name"}
    oversized = {"name": "x" * 30_000, "quantity": 1}
    assert_problem(await kit_client.post("/api/v1/items/unchecked", json=oversized), 413, "payload_too_large")


async def test_streamed_body_too_large_is_413(kit_client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"x" * 1000

    response = await kit_client.post(
        "/api/v1/items",
        content=chunks(),
        headers={"content-type": "application/json", **tokens.headers("catalog_editor")},
    )
    assert_problem(response, 413, "payload_too_large")


async def test_unsupported_media_type_is_415(kit_client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    response = await kit_client.post(
        "/api/v1/items",
        content=b"name=x",
        headers={"content-type": "application/x-www-form-urlencoded", **tokens.headers("catalog_editor")},
    )
    assert_problem(response, 415, "unsupported_media_type")


async def test_domain_conflict_is_409(kit_client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    headers = tokens.headers("catalog_editor")
    assert (
        await kit_client.post("/api/v1/items", json={"name": "a", "quantity": 1}, headers=headers)
    ).status_code == 201
    body = assert_problem(
        await kit_client.post("/api/v1/items", json={"name": "a", "quantity": 1}, headers=headers), 409
    )
    assert body["code"] == "duplicate_item"


async def test_unexpected_error_is_a_500_problem_without_details(kit_client: httpx.AsyncClient) -> None:
    response = await kit_client.get("/api/v1/items/boom")
    body = assert_problem(response, 500, "internal_error")
    assert "secret" not in response.text
    assert body["request_id"] == response.headers["x-request-id"]


async def test_a_failed_request_writes_nothing(kit_client: httpx.AsyncClient) -> None:
    response = await kit_client.post("/api/v1/items/then-fail", json={"name": "ghost", "quantity": 1})
    assert_problem(response, 500)
    listed = (await kit_client.get("/api/v1/items", params={"name": "ghost"})).json()
    assert listed["total"] == 0


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 412, 413, 415, 422, 429, 503])
def test_openapi_error_responses_are_problem_documents(status: int) -> None:
    entry = problem_responses(status)[status]
    assert list(entry["content"]) == [PROBLEM_MEDIA_TYPE]


async def test_routes_declare_their_problems_in_openapi(kit_client: httpx.AsyncClient) -> None:
    document = (await kit_client.get("/openapi.json")).json()
    post = document["paths"]["/api/v1/items"]["post"]
    assert {"400", "401", "403", "409", "413", "415", "422"} <= set(post["responses"])
    for status, response in post["responses"].items():
        if int(status) >= 400:
            assert list(response["content"]) == ["application/problem+json"]
    assert "Problem" in document["components"]["schemas"]
    assert "HTTPValidationError" not in document["components"]["schemas"]
