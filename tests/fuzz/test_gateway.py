"""Fuzzing the gateway's own operations (API clients, reports) in front of the three services in process.

The services' operations behind the gateway are fuzzed directly in the other modules; here only what the
gateway answers itself: its API client registry and the reports it composes from the services' statistics.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from dossier_api.config import DossierSettings
from dossier_api.main import create_app as create_dossier_app
from motcua_gateway.config import GatewaySettings, InternalTokenSettings
from motcua_gateway.internal_tokens import InternalTokenIssuer
from motcua_gateway.main import MIGRATIONS
from motcua_gateway.main import create_app as create_gateway_app
from motcua_gateway.routes import UpstreamName
from motcua_gateway.upstream import ASGITransport
from motcua_kit.devtokens import generate_signing_key
from motcua_kit.settings import AuthSettings, TrustedIssuer
from motcua_kit.testing import RolledBackDatabase, TokenFactory, api_client, migrated_engine, rolled_back
from procedure_catalog.config import CatalogSettings
from procedure_catalog.main import create_app as create_catalog_app
from satisfaction_survey.config import SurveySettings
from satisfaction_survey.main import create_app as create_survey_app
from tests.dossier_api.fake_catalog import FakeCatalog
from tests.fuzz.conftest import FuzzCase, call_and_validate, fuzzing, schema_of
from tests.gateway.conftest import gateway_app

schema = schema_of(create_gateway_app(GatewaySettings(_env_file=None)))


@pytest.fixture(scope="module")
def gateway_key() -> ec.EllipticCurvePrivateKey:
    return generate_signing_key()


@pytest.fixture
def service_auth(tokens: TokenFactory, gateway_key: ec.EllipticCurvePrivateKey) -> AuthSettings:
    """The services trust the gateway's internal tokens, as under ``make run``."""
    issuer = InternalTokenIssuer(InternalTokenSettings(), gateway_key)
    trust = TrustedIssuer(issuer="motcua-gateway", jwks_json=json.dumps(issuer.jwks()))
    return tokens.auth_settings().model_copy(update={"trusted_issuers": [trust]})


@pytest.fixture(scope="session")
async def gateway_engine(db_backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AsyncEngine]:
    async with migrated_engine(db_backend, "fuzzgateway", MIGRATIONS, tmp_path_factory) as engine:
        yield engine


@pytest.fixture
async def gateway_database(gateway_engine: AsyncEngine) -> AsyncIterator[RolledBackDatabase]:
    async with rolled_back(gateway_engine) as database:
        yield database


@pytest.fixture
def services(
    service_auth: AuthSettings,
    catalog_database: RolledBackDatabase,
    dossier_database: RolledBackDatabase,
    survey_database: RolledBackDatabase,
) -> dict[UpstreamName, FastAPI]:
    catalog = CatalogSettings(_env_file=None, environment="test", auth=service_auth)
    dossier = DossierSettings(_env_file=None, environment="test", auth=service_auth, agency_code="SNGV")
    survey = SurveySettings(_env_file=None, environment="test", auth=service_auth)
    return {
        UpstreamName.CATALOG: create_catalog_app(catalog, database=catalog_database),
        UpstreamName.DOSSIER: create_dossier_app(
            dossier, database=dossier_database, catalog_transport=FakeCatalog().transport
        ),
        UpstreamName.SURVEY: create_survey_app(survey, database=survey_database),
    }


@pytest.fixture
async def client(
    services: dict[UpstreamName, FastAPI],
    gateway_database: RolledBackDatabase,
    tokens: TokenFactory,
    gateway_key: ec.EllipticCurvePrivateKey,
) -> AsyncIterator[httpx.AsyncClient]:
    transports = {name: ASGITransport(app) for name, app in services.items()}
    async with api_client(gateway_app(tokens, transports, gateway_database, gateway_key)) as client:
        yield client


@schema.parametrize()
@fuzzing
async def test_operation(case: FuzzCase, client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    await call_and_validate(client, case, tokens.headers("admin"))
