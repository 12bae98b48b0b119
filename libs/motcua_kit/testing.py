"""The pytest plugin every service's tests use (``pytest_plugins = ["motcua_kit.testing"]``).

- Each test module's database tests run on SQLite, and also on PostgreSQL when ``POSTGRES_URL`` is
  set: the ``db_backend`` fixture is parametrised over the backends.
- Each test worker gets fresh databases (a SQLite file, or a new PostgreSQL database) migrated to
  head once; each test runs inside a transaction that is rolled back, so it starts clean.
- :class:`TokenFactory` signs tokens with a key held in memory; apps under test trust its JWKS.
"""

from __future__ import annotations

import inspect
import json
import os
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from motcua_kit.db import Database, create_engine
from motcua_kit.devtokens import generate_signing_key, jwks_for, mint_token
from motcua_kit.migrations import upgrade_engine
from motcua_kit.settings import AuthSettings, DatabaseSettings, TrustedIssuer

POSTGRES_URL = os.environ.get("POSTGRES_URL")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]


@pytest.fixture(scope="session", params=BACKENDS)
def db_backend(request: pytest.FixtureRequest) -> str:
    backend: str = request.param
    return backend


@asynccontextmanager
async def fresh_database_url(backend: str, label: str, directory: Path) -> AsyncIterator[str]:
    """A new, empty database; a PostgreSQL one is dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / (label + '.db')}"
        return
    assert POSTGRES_URL, "POSTGRES_URL is not set"
    async with scratch_postgres_database(POSTGRES_URL, f"motcua_test_{label}") as url:
        yield url


@asynccontextmanager
async def scratch_postgres_database(server_url: str, prefix: str) -> AsyncIterator[str]:
    """A new database named ``<prefix>_<random>`` on ``server_url``'s server, dropped (forcibly) afterwards."""
    admin_url = make_url(server_url)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin_dsn = admin_url.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(admin_dsn)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        connection = await asyncpg.connect(admin_dsn)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()


@asynccontextmanager
async def migrated_engine(
    backend: str, label: str, script_location: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[AsyncEngine]:
    """An engine on a fresh database at the head of ``script_location``'s history."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    directory = tmp_path_factory.mktemp(f"{label}-{backend}")
    async with fresh_database_url(backend, f"{label}_{worker}", directory) as url:
        engine = create_engine(DatabaseSettings(url=url, pool_size=5))
        try:
            await upgrade_engine(engine, script_location)
            yield engine
        finally:
            await engine.dispose()


class RolledBackDatabase(Database):
    """A database whose every session joins one outer transaction that the test rolls back.

    The code under test commits as usual; its commits release savepoints inside the outer
    transaction, so nothing outlives the test.
    """

    def __init__(self, engine: AsyncEngine, connection: AsyncConnection) -> None:
        super().__init__(engine)
        self.connection = connection
        self.sessionmaker = async_sessionmaker(
            bind=connection, expire_on_commit=False, autoflush=False, join_transaction_mode="create_savepoint"
        )

    @asynccontextmanager
    async def transaction(self, *, write: bool = True) -> AsyncIterator[AsyncSession]:
        async with self.sessionmaker() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def dispose(self) -> None:
        """The engine belongs to the test session, not to the app under test."""


@asynccontextmanager
async def rolled_back(engine: AsyncEngine) -> AsyncIterator[RolledBackDatabase]:
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            yield RolledBackDatabase(engine, connection)
        finally:
            if transaction.is_active:
                await transaction.rollback()


@asynccontextmanager
async def api_client(app: FastAPI, *, base_url: str = "http://testserver") -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client speaking to the app in process, with its lifespan running."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client


class TokenFactory:
    """Signs test tokens that apps configured with :meth:`auth_settings` accept."""

    def __init__(self, *, issuer: str = "motcua-test", audience: str = "motcua") -> None:
        self.issuer = issuer
        self.audience = audience
        self.key = generate_signing_key()
        self.kid = "test-" + uuid.uuid4().hex[:8]

    def jwks(self) -> dict[str, Any]:
        return jwks_for(self.key, self.kid)

    def auth_settings(self, *, trusting: Sequence[TokenFactory] = ()) -> AuthSettings:
        """Settings accepting this factory's tokens, and those of each factory in ``trusting``."""
        return AuthSettings(
            issuer=self.issuer,
            audience=self.audience,
            jwks_json=json.dumps(self.jwks()),
            trusted_issuers=[other.trusted_issuer() for other in trusting],
        )

    def trusted_issuer(self) -> TrustedIssuer:
        """This factory as a further issuer that another application trusts."""
        return TrustedIssuer(issuer=self.issuer, audience=self.audience, jwks_json=json.dumps(self.jwks()))

    def token(self, *roles: str, subject: str = "tester", ttl_seconds: int = 600, **claims: Any) -> str:
        claims.setdefault("iss", self.issuer)
        claims.setdefault("aud", self.audience)
        issuer = claims.pop("iss")
        audience = claims.pop("aud")
        return mint_token(
            self.key,
            self.kid,
            issuer=issuer,
            audience=audience,
            subject=subject,
            roles=roles,
            ttl_seconds=ttl_seconds,
            **claims,
        )

    def headers(self, *roles: str, **claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(*roles, **claims)}"}


@pytest.fixture(scope="session")
def tokens() -> TokenFactory:
    return TokenFactory()


def assert_problem(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """Check that ``response`` is a problem document with ``status`` (and ``code``); return it."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:motcua:problem:")
    assert isinstance(body["title"], str)
    assert body["title"]
    if code is not None:
        assert body["code"] == code, body
    return body


def error_fields(problem: dict[str, Any]) -> set[str]:
    return {e["field"] for e in problem.get("errors") or []}


def without(mapping: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if k not in set(keys)}


def threadpool_calls(app: FastAPI) -> set[str]:
    """Every endpoint and dependency of ``app`` that FastAPI would run in its thread pool.

    A plain ``def`` is handed to a worker thread on every request: two thread switches for what is
    usually a constructor. The services' dependencies do no blocking I/O, so all are ``async def``.
    """
    found: set[str] = set()

    def name(call: Any) -> str:
        return f"{getattr(call, '__module__', '?')}.{getattr(call, '__qualname__', repr(call))}"

    def threaded(call: Any) -> bool:
        if inspect.isclass(call):
            return True
        function = call if inspect.isroutine(call) else type(call).__call__
        return not (inspect.iscoroutinefunction(function) or inspect.isasyncgenfunction(function))

    def dependencies(dependant: Dependant) -> None:
        for sub in dependant.dependencies:
            if sub.call is not None and threaded(sub.call):
                found.add(name(sub.call))
            dependencies(sub)

    def routes(items: Iterable[Any]) -> None:
        for route in items:
            if isinstance(route, APIRoute):
                dependencies(route.dependant)
                if threaded(route.endpoint):
                    found.add(name(route.endpoint))
            elif (included := getattr(route, "original_router", None)) is not None:
                # An included router (FastAPI >= 0.160 keeps it whole), with the include's own dependencies.
                for depends in route.include_context.dependencies:
                    if depends.dependency is not None and threaded(depends.dependency):
                        found.add(name(depends.dependency))
                routes(included.routes)

    routes(app.routes)
    return found
