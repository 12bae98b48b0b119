"""The gateway in front of the real service applications (in process), and helpers to fake upstreams.

The services here trust the gateway's internal tokens as they do under ``make run``: API-key calls
are verified end to end, by the gateway and again by the service.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from dossier_api.config import DossierSettings
from motcua_gateway.config import (
    ApiKeySettings,
    GatewaySettings,
    InternalTokenSettings,
    RateLimitSettings,
)
from motcua_gateway.internal_tokens import InternalTokenIssuer
from motcua_gateway.main import MIGRATIONS as GATEWAY_MIGRATIONS
from motcua_gateway.main import create_app
from motcua_gateway.routes import UpstreamName
from motcua_gateway.upstream import ASGITransport, Transport
from motcua_kit.devtokens import generate_signing_key, private_pem
from motcua_kit.settings import TrustedIssuer
from motcua_kit.testing import RolledBackDatabase, TokenFactory, api_client, migrated_engine, rolled_back
from procedure_catalog.config import CatalogSettings
from procedure_catalog.main import create_app as create_catalog_app
from satisfaction_survey.config import SurveySettings
from satisfaction_survey.main import create_app as create_survey_app

PEPPER = "pepper-for-tests-only-0123456789abcdef"
PUBLIC_URL = "https://dichvucong.example.vn"
# Generous budgets, so only the rate limit tests meet them.
UNLIMITED = RateLimitSettings(anonymous="100000/minute", client="100000/minute", lookup="100000/minute")


@pytest.fixture(scope="session")
def gateway_key() -> ec.EllipticCurvePrivateKey:
    return generate_signing_key()


@pytest.fixture(scope="session")
def gateway_trust(gateway_key: ec.EllipticCurvePrivateKey) -> TrustedIssuer:
    """How a service trusts the gateway's internal tokens."""
    issuer = InternalTokenIssuer(InternalTokenSettings(), gateway_key)
    return TrustedIssuer(issuer="motcua-gateway", jwks_json=json.dumps(issuer.jwks()))


def gateway_settings(
    tokens: TokenFactory, key: ec.EllipticCurvePrivateKey | None = None, **overrides: Any
) -> GatewaySettings:
    values: dict[str, Any] = {
        "_env_file": None,
        "environment": "test",
        "auth": tokens.auth_settings(),
        "public_base_url": PUBLIC_URL,
        "openapi_cache_seconds": 0,
        "rate_limits": UNLIMITED,
    }
    if key is not None:
        values["api_keys"] = ApiKeySettings(pepper=PEPPER, cache_seconds=0)
        values["internal_tokens"] = InternalTokenSettings(signing_key_pem=private_pem(key).decode())
    values.update(overrides)
    return GatewaySettings(**values)


@pytest.fixture(scope="session")
async def gateway_engine(db_backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AsyncEngine]:
    async with migrated_engine(db_backend, "gateway", GATEWAY_MIGRATIONS, tmp_path_factory) as engine:
        yield engine


@pytest.fixture
async def gateway_database(gateway_engine: AsyncEngine) -> AsyncIterator[RolledBackDatabase]:
    async with rolled_back(gateway_engine) as database:
        yield database


def gateway_app(
    tokens: TokenFactory,
    transports: Mapping[UpstreamName, Transport],
    database: RolledBackDatabase,
    key: ec.EllipticCurvePrivateKey | None = None,
    **overrides: Any,
) -> FastAPI:
    return create_app(gateway_settings(tokens, key, **overrides), transports=transports, database=database)


@pytest.fixture
def catalog_app(catalog_database: RolledBackDatabase, tokens: TokenFactory, gateway_trust: TrustedIssuer) -> FastAPI:
    auth = tokens.auth_settings().model_copy(update={"trusted_issuers": [gateway_trust]})
    return create_catalog_app(CatalogSettings(_env_file=None, environment="test", auth=auth), database=catalog_database)


@pytest.fixture
def dossier_settings(tokens: TokenFactory, gateway_trust: TrustedIssuer) -> DossierSettings:
    auth = tokens.auth_settings().model_copy(update={"trusted_issuers": [gateway_trust]})
    return DossierSettings(_env_file=None, environment="test", auth=auth, agency_code="SNGV")


@pytest.fixture
def survey_app(survey_database: RolledBackDatabase, tokens: TokenFactory, gateway_trust: TrustedIssuer) -> FastAPI:
    auth = tokens.auth_settings().model_copy(update={"trusted_issuers": [gateway_trust]})
    return create_survey_app(SurveySettings(_env_file=None, environment="test", auth=auth), database=survey_database)


@pytest.fixture
def service_transports(
    catalog_app: FastAPI, dossier_app: FastAPI, survey_app: FastAPI
) -> dict[UpstreamName, Transport]:
    return {
        UpstreamName.CATALOG: ASGITransport(catalog_app),
        UpstreamName.DOSSIER: ASGITransport(dossier_app),
        UpstreamName.SURVEY: ASGITransport(survey_app),
    }


@pytest.fixture
async def gateway(
    service_transports: dict[UpstreamName, Transport],
    gateway_database: RolledBackDatabase,
    tokens: TokenFactory,
    gateway_key: ec.EllipticCurvePrivateKey,
) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway in front of the three real service apps (in process), API keys enabled."""
    app = gateway_app(tokens, service_transports, gateway_database, gateway_key)
    async with api_client(app) as client:
        yield client
