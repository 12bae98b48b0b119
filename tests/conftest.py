"""Fixtures for each service's application on a clean database (see motcua_kit.testing)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from dossier_api.config import DossierSettings
from dossier_api.main import MIGRATIONS as DOSSIER_MIGRATIONS
from dossier_api.main import create_app as create_dossier_app
from motcua_kit.testing import RolledBackDatabase, TokenFactory, migrated_engine, rolled_back
from procedure_catalog.config import CatalogSettings
from procedure_catalog.main import MIGRATIONS as CATALOG_MIGRATIONS
from procedure_catalog.main import create_app as create_catalog_app
from satisfaction_survey.config import SurveySettings
from satisfaction_survey.main import MIGRATIONS as SURVEY_MIGRATIONS
from satisfaction_survey.main import create_app as create_survey_app
from tests.dossier_api.fake_catalog import FakeCatalog


@pytest.fixture(scope="session")
async def catalog_engine(db_backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AsyncEngine]:
    async with migrated_engine(db_backend, "catalog", CATALOG_MIGRATIONS, tmp_path_factory) as engine:
        yield engine


@pytest.fixture
async def catalog_database(catalog_engine: AsyncEngine) -> AsyncIterator[RolledBackDatabase]:
    async with rolled_back(catalog_engine) as database:
        yield database


@pytest.fixture
def catalog_app(catalog_database: RolledBackDatabase, tokens: TokenFactory) -> FastAPI:
    settings = CatalogSettings(_env_file=None, environment="test", auth=tokens.auth_settings())
    return create_catalog_app(settings, database=catalog_database)


@pytest.fixture(scope="session")
async def dossier_engine(db_backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AsyncEngine]:
    async with migrated_engine(db_backend, "dossier", DOSSIER_MIGRATIONS, tmp_path_factory) as engine:
        yield engine


@pytest.fixture
async def dossier_database(dossier_engine: AsyncEngine) -> AsyncIterator[RolledBackDatabase]:
    async with rolled_back(dossier_engine) as database:
        yield database


@pytest.fixture
def dossier_settings(tokens: TokenFactory) -> DossierSettings:
    return DossierSettings(_env_file=None, environment="test", auth=tokens.auth_settings(), agency_code="SNGV")


@pytest.fixture
def fake_catalog() -> FakeCatalog:
    return FakeCatalog()


@pytest.fixture
def dossier_app(
    dossier_database: RolledBackDatabase, dossier_settings: DossierSettings, fake_catalog: FakeCatalog
) -> FastAPI:
    return create_dossier_app(dossier_settings, database=dossier_database, catalog_transport=fake_catalog.transport)


@pytest.fixture(scope="session")
async def survey_engine(db_backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AsyncEngine]:
    async with migrated_engine(db_backend, "survey", SURVEY_MIGRATIONS, tmp_path_factory) as engine:
        yield engine


@pytest.fixture
async def survey_database(survey_engine: AsyncEngine) -> AsyncIterator[RolledBackDatabase]:
    async with rolled_back(survey_engine) as database:
        yield database


@pytest.fixture
def survey_app(survey_database: RolledBackDatabase, tokens: TokenFactory) -> FastAPI:
    settings = SurveySettings(_env_file=None, environment="test", auth=tokens.auth_settings())
    return create_survey_app(settings, database=survey_database)
