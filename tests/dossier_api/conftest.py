from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from dossier_api.config import DossierSettings
from dossier_api.main import MIGRATIONS
from dossier_api.main import create_app as create_dossier_app
from dossier_api.models import Base
from motcua_kit.db import Database
from motcua_kit.testing import api_client, migrated_engine
from tests.dossier_api.fake_catalog import FakeCatalog


@pytest.fixture
async def client(dossier_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(dossier_app) as client:
        yield client


class CommittingDatabase(Database):
    """A database whose transactions really commit (concurrent requests, a dispatcher's own
    transactions), on an engine the test session owns."""

    async def dispose(self) -> None:
        """The engine belongs to the test session, not to the app under test."""


@pytest.fixture(scope="session")
async def committing_engine(db_backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AsyncEngine]:
    """A database of its own for tests that commit, so they never leave rows in ``dossier_engine``'s."""
    async with migrated_engine(db_backend, "dossier_commits", MIGRATIONS, tmp_path_factory) as engine:
        yield engine


@pytest.fixture
async def committing_database(committing_engine: AsyncEngine) -> AsyncIterator[CommittingDatabase]:
    """Real commits; every table is emptied after the test, so each test still starts clean."""
    yield CommittingDatabase(committing_engine)
    async with committing_engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(delete(table))


@pytest.fixture
def committing_app(
    committing_database: CommittingDatabase, dossier_settings: DossierSettings, fake_catalog: FakeCatalog
) -> FastAPI:
    return create_dossier_app(dossier_settings, database=committing_database, catalog_transport=fake_catalog.transport)
