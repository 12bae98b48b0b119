from __future__ import annotations

import httpx
import pytest

from motcua_kit.testing import TokenFactory, assert_problem, error_fields
from tests.procedure_catalog.factories import procedure_payload


async def test_editor_creates_a_draft(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    payload = procedure_payload(code="1.000948", name_vi="Thẻ đi lại doanh nhân APEC")
    response = await client.post("/api/v1/procedures", json=payload, headers=tokens.headers("catalog_editor"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["code"] == "1.000948"
    assert body["name_vi"] == "Thẻ đi lại doanh nhân APEC"
    assert body["status"] == "draft"
    assert response.headers["location"] == "/api/v1/procedures/1.000948"

    read = await client.get("/api/v1/procedures/1.000948")
    assert read.status_code == 200
    assert read.json() == body


async def test_list_is_public_paginated_and_filtered(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    headers = tokens.headers("catalog_editor")
    for field in ["NGV-DN", "NGV-DN", "NGV-LS"]:
        await client.post("/api/v1/procedures", json=procedure_payload(field_code=field), headers=headers)
    listed = (await client.get("/api/v1/procedures", params={"field": "NGV-DN", "size": 1})).json()
    assert listed["total"] == 2
    assert len(listed["items"]) == 1
    everything = (await client.get("/api/v1/procedures", params={"sort": "-code"})).json()
    codes = [p["code"] for p in everything["items"]]
    assert codes == sorted(codes, reverse=True)


async def test_duplicate_code_is_409(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    headers = tokens.headers("catalog_editor")
    payload = procedure_payload()
    assert (await client.post("/api/v1/procedures", json=payload, headers=headers)).status_code == 201
    response = await client.post("/api/v1/procedures", json=payload, headers=headers)
    assert_problem(response, 409, "duplicate_procedure_code")


@pytest.mark.parametrize("role", ["citizen", "reception_officer", "survey_admin", "integration"])
async def test_writing_needs_catalog_editor(client: httpx.AsyncClient, tokens: TokenFactory, role: str) -> None:
    response = await client.post("/api/v1/procedures", json=procedure_payload(), headers=tokens.headers(role))
    assert_problem(response, 403, "missing_role")


async def test_anonymous_write_is_401(client: httpx.AsyncClient) -> None:
    assert_problem(await client.post("/api/v1/procedures", json=procedure_payload()), 401)


async def test_absurd_values_are_422_naming_each_field(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    payload = procedure_payload(code="bad code!", name_vi="  ", processing_days=-3, unexpected="x")
    response = await client.post("/api/v1/procedures", json=payload, headers=tokens.headers("catalog_editor"))
    body = assert_problem(response, 422, "validation_error")
    assert error_fields(body) == {"code", "name_vi", "processing_days", "unexpected"}


async def test_unknown_procedure_is_404(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/procedures/0.000000"), 404, "procedure_not_found")


async def test_readiness_checks_database_and_migrations(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok"}}
