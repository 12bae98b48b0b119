"""Database trouble is a clear problem, never a 500: races are 409, an unreachable database 503."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy import text

from motcua_kit.app import create_service_app
from motcua_kit.db import Database
from motcua_kit.errors import DatabaseUnavailable
from motcua_kit.health import database_checks
from motcua_kit.settings import DatabaseSettings
from motcua_kit.testing import POSTGRES_URL, api_client, assert_problem
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


@pytest.fixture
async def silent_server() -> AsyncIterator[int]:
    """A port that accepts connections and never says a word: a database behind a network partition."""
    held: list[asyncio.StreamWriter] = []

    async def accept(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    for writer in held:
        writer.transport.abort()
    server.close()
    await server.wait_closed()


async def test_a_database_that_never_answers_is_503_within_the_connect_timeout(
    kit_settings: KitSettings, silent_server: int
) -> None:
    database = Database.from_settings(
        DatabaseSettings(url=f"postgresql://postgres@127.0.0.1:{silent_server}/none", connect_timeout_seconds=0.5)
    )
    app = create_service_app(
        settings=kit_settings, title="t", version="0", description="t", routers=[router], database=database
    )
    async with api_client(app) as client:
        started = time.monotonic()
        response = await client.post("/api/v1/items", json={"name": "n", "quantity": 1})
        took = time.monotonic() - started
    await database.dispose()
    assert_problem(response, 503, "database_unavailable")
    assert response.headers["retry-after"] == "1"
    assert took < 3, f"answered after {took:.1f} s"


@pytest.mark.skipif(not POSTGRES_URL, reason="a PostgreSQL command timeout needs PostgreSQL")
async def test_a_command_past_its_timeout_is_database_unavailable_and_its_connection_is_dropped() -> None:
    assert POSTGRES_URL is not None
    database = Database.from_settings(
        DatabaseSettings(url=POSTGRES_URL, pool_size=1, max_overflow=0, command_timeout_seconds=0.5)
    )
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseUnavailable):
            async with database.transaction(write=False) as session:
                await session.execute(text("SELECT pg_sleep(5)"))
        assert time.monotonic() - started < 3
        # The one pooled connection was mid-command: it is replaced, not handed out again.
        async with database.transaction(write=False) as session:
            assert await session.scalar(text("SELECT 1")) == 1
    finally:
        await database.dispose()


@pytest.mark.skipif(not POSTGRES_URL, reason="terminating a server connection needs PostgreSQL")
async def test_a_connection_cut_mid_transaction_is_database_unavailable() -> None:
    assert POSTGRES_URL is not None
    database = Database.from_settings(DatabaseSettings(url=POSTGRES_URL, pool_size=1, max_overflow=0))
    admin = await asyncpg.connect(POSTGRES_URL)

    async def cut_mid_transaction() -> None:
        async with database.transaction() as session:
            backend = await session.scalar(text("SELECT pg_backend_pid()"))
            await admin.execute("SELECT pg_terminate_backend($1)", backend)
            await session.execute(text("SELECT 1"))

    try:
        with pytest.raises(DatabaseUnavailable):
            await cut_mid_transaction()
        async with database.transaction(write=False) as session:
            assert await session.scalar(text("SELECT 1")) == 1
    finally:
        await admin.close()
        await database.dispose()


async def test_sqlite_waits_for_the_writer_lock_as_long_as_configured(tmp_path: Path) -> None:
    database = Database.from_settings(
        DatabaseSettings(url=f"sqlite:///{tmp_path / 'busy.db'}", sqlite_busy_timeout_ms=1234)
    )
    try:
        async with database.transaction(write=False) as session:
            assert await session.scalar(text("PRAGMA busy_timeout")) == 1234
    finally:
        await database.dispose()


async def test_sqlite_writers_of_a_process_take_turns_in_arrival_order(tmp_path: Path) -> None:
    # Polling for the file's write lock let late writers overtake early ones (seconds of tail latency).
    database = Database.from_settings(DatabaseSettings(url=f"sqlite:///{tmp_path / 'turns.db'}"))
    entered: list[int] = []
    inside = 0

    async def write(number: int) -> None:
        nonlocal inside
        async with database.transaction() as session:
            inside += 1
            assert inside == 1
            entered.append(number)
            await session.execute(text("CREATE TABLE IF NOT EXISTS t (n INTEGER)"))
            await session.execute(text("INSERT INTO t VALUES (:n)"), {"n": number})
            await asyncio.sleep(0.01)
            inside -= 1

    try:
        writers = []
        for number in range(8):
            writers.append(asyncio.create_task(write(number)))
            await asyncio.sleep(0.001)
        # A reader does not queue behind them (WAL).
        async with database.transaction(write=False) as session:
            assert await session.scalar(text("SELECT 1")) == 1
        assert len(entered) < 8
        await asyncio.gather(*writers)
        assert entered == list(range(8))
        async with database.transaction(write=False) as session:
            assert await session.scalar(text("SELECT count(*) FROM t")) == 8
    finally:
        await database.dispose()


async def test_a_sqlite_writer_queued_past_the_busy_timeout_is_database_busy(kit_settings: KitSettings) -> None:
    database = Database.from_settings(DatabaseSettings(url="sqlite:///:memory:", sqlite_busy_timeout_ms=200))
    app = create_service_app(
        settings=kit_settings, title="t", version="0", description="t", routers=[router], database=database
    )
    holding, release = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with database.transaction():
            holding.set()
            await release.wait()

    holder = asyncio.create_task(hold())
    try:
        await holding.wait()
        async with api_client(app) as client:
            started = time.perf_counter()
            response = await client.post("/api/v1/items/unchecked", json={"name": "q", "quantity": 1})
            waited = time.perf_counter() - started
        assert_problem(response, 503, "database_busy")
        assert response.headers["retry-after"] == "1"
        assert 0.2 <= waited < 5
    finally:
        release.set()
        await holder
        await database.dispose()
