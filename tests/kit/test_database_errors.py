"""Database trouble is a clear problem, never a 500: races are 409, an unreachable database 503."""

from __future__ import annotations

import httpx

from motcua_kit.app import create_service_app
from motcua_kit.db import Database
from motcua_kit.health import database_checks
from motcua_kit.settings import DatabaseSettings
from motcua_kit.testing import api_client, assert_problem
from tests.kit.conftest import KitSettings, router


async def test_constraint_violation_at_commit_is_409(kit_client: httpx.AsyncClient) -> None:
    assert (await kit_client.post("/api/v1/items/unchecked", json={"name": "u", "quantity": 1})).status_code == 201
    response = await kit_client.post("/api/v1/items/unchecked", json={"name": "u", "quantity": 1})
    assert_problem(response, 409, "integrity_conflict")


async def test_unreachable_database_is_503_and_not_ready(kit_settings: KitSettings) -> None:
    database = Database.from_settings(
        DatabaseSettings(url="postgresql://postgres@127.0.0.1:9/none", pool_timeout_seconds=1)
    )
    app = create_service_app(
        settings=kit_settings,
        title="t",
        version="0",
        description="t",
        routers=[router],
        database=database,
        readiness_checks={"database": database_checks(database, "procedure_catalog:migrations")["database"]},
    )
    async with api_client(app) as client:
        response = await client.get("/api/v1/items")
        assert_problem(response, 503, "database_unavailable")
        assert response.headers["retry-after"] == "1"
        ready = await client.get("/readyz")
        body = assert_problem(ready, 503, "not_ready")
        assert body["checks"]["database"]["ok"] is False
