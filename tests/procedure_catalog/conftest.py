from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from motcua_kit.testing import TokenFactory, api_client, migrated_engine, rolled_back
from procedure_catalog.config import CatalogSettings
from procedure_catalog.main import MIGRATIONS, create_app


@pytest.fixture(scope="session")
async def catalog_engine(db_backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AsyncEngine]:
    async with migrated_engine(db_backend, "catalog", MIGRATIONS, tmp_path_factory) as engine:
        yield engine


@pytest.fixture
async def catalog_app(catalog_engine: AsyncEngine, tokens: TokenFactory) -> AsyncIterator[FastAPI]:
    settings = CatalogSettings(_env_file=None, environment="test", auth=tokens.auth_settings())
    async with rolled_back(catalog_engine) as database:
        yield create_app(settings, database=database)


@pytest.fixture
async def client(catalog_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(catalog_app) as client:
        yield client
