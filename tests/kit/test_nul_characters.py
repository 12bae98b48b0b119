"""NUL characters in any text input are a 422 naming the field (PostgreSQL would fail the statement)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from motcua_kit.app import create_service_app
from motcua_kit.db import Database
from motcua_kit.nul import nul_paths
from motcua_kit.testing import TokenFactory, api_client, assert_problem
from tests.kit.conftest import KitSettings


class Note(BaseModel):
    title: str
    tags: list[str] = []
    extra: dict[str, str] = {}


echo = APIRouter(prefix="/notes")


@echo.post("/{slug}")
async def post_note(
    slug: Annotated[str, Path(max_length=50)], body: Note, lang: Annotated[str, Query(max_length=5)] = "vi"
) -> dict[str, str]:
    return {"slug": slug, "title": body.title, "lang": lang}


@pytest.fixture
async def client(kit_database: Database, kit_settings: KitSettings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_service_app(
        settings=kit_settings, title="t", version="0", description="t", routers=[echo], database=kit_database
    )
    async with api_client(app) as client:
        yield client


def fields(response: httpx.Response) -> set[tuple[str, str]]:
    problem = assert_problem(response, 422, "validation_error")
    assert {e["type"] for e in problem["errors"]} == {"string_nul_character"}
    return {(e["location"], e["field"]) for e in problem["errors"]}


async def test_nul_in_body_strings_names_each_field(client: httpx.AsyncClient) -> None:
    body = {"title": "a\x00b", "tags": ["ok", "x\x00"], "extra": {"k": "\x00"}}
    response = await client.post("/api/v1/notes/n1", json=body)
    assert fields(response) == {("body", "title"), ("body", "tags.1"), ("body", "extra.k")}


async def test_nul_in_path_and_declared_query_parameters(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/notes/a%00b", params={"lang": "v\x00"}, json={"title": "t"})
    assert fields(response) == {("path", "slug"), ("query", "lang")}


async def test_undeclared_query_parameters_stay_ignored(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/notes/n1", params={"other": "\x00"}, json={"title": "t"})
    assert response.status_code == 200, response.text


async def test_text_that_only_looks_like_an_escape_is_accepted(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/notes/n1", json={"title": "C:\\u0000"})
    assert response.status_code == 200, response.text
    assert response.json()["title"] == "C:\\u0000"


async def test_malformed_json_is_still_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/notes/n1", content=b'{"title": "\\u0000', headers={"content-type": "application/json"}
    )
    assert_problem(response, 400, "malformed_body")


async def test_every_service_app_refuses_nul(kit_client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    """Every service inherits the check: the kit's own test app, on a route that writes to the database."""
    response = await kit_client.post(
        "/api/v1/items", json={"name": "a\x00", "quantity": 1}, headers=tokens.headers("catalog_editor")
    )
    assert fields(response) == {("body", "name")}


def test_nul_paths_walks_nested_documents() -> None:
    document = {"a": [{"b": "\x00"}, "ok"], "c\x00": 1, "d": {"e": "x\x00y"}}
    assert list(nul_paths(document)) == ["a.0.b", "c\\u0000", "d.e"]
