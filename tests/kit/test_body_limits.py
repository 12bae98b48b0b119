"""A route may have its own body limit (a streamed bulk import); every other route keeps the default."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter, Request

from motcua_kit.app import create_service_app
from motcua_kit.testing import TokenFactory, api_client, assert_problem
from tests.kit.conftest import KitSettings

router = APIRouter(prefix="/bulk", tags=["bulk"])


@router.post("/import")
async def bulk_import(request: Request) -> dict[str, int]:
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
    return {"bytes": size}


@router.post("/other")
async def other(request: Request) -> dict[str, int]:
    return {"bytes": len(await request.body())}


@pytest.fixture
async def client(tokens: TokenFactory) -> AsyncIterator[httpx.AsyncClient]:
    settings = KitSettings(_env_file=None, environment="test", auth=tokens.auth_settings(), max_body_bytes=2048)
    app = create_service_app(
        settings=settings,
        title="limits",
        version="0",
        description="limits",
        routers=[router],
        media_types=["application/x-ndjson"],
        body_limits={"/api/v1/bulk/import": 50_000},
    )
    async with api_client(app) as client:
        yield client


def _chunks(count: int) -> AsyncIterator[bytes]:
    async def generate() -> AsyncIterator[bytes]:
        for _ in range(count):
            yield b"x" * 1000

    return generate()


NDJSON = {"content-type": "application/x-ndjson"}


async def test_the_raised_limit_applies_to_its_path_only(client: httpx.AsyncClient) -> None:
    accepted = await client.post("/api/v1/bulk/import", content=b"x" * 40_000, headers=NDJSON)
    assert accepted.json() == {"bytes": 40_000}
    assert_problem(await client.post("/api/v1/bulk/other", content=b"x" * 40_000, headers=NDJSON), 413)


async def test_the_raised_limit_still_holds_for_streamed_bodies(client: httpx.AsyncClient) -> None:
    streamed = await client.post("/api/v1/bulk/import", content=_chunks(30), headers=NDJSON)
    assert streamed.json() == {"bytes": 30_000}
    assert_problem(await client.post("/api/v1/bulk/import", content=_chunks(60), headers=NDJSON), 413)
    assert_problem(await client.post("/api/v1/bulk/import", content=b"x" * 60_000, headers=NDJSON), 413)
