from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

import httpx
import pytest
from fastapi import FastAPI

from motcua_gateway.config import GatewaySettings
from motcua_gateway.main import create_app
from motcua_gateway.routes import UpstreamName
from motcua_kit.testing import TokenFactory, api_client


def gateway_settings(tokens: TokenFactory) -> GatewaySettings:
    return GatewaySettings(
        _env_file=None,
        environment="test",
        auth=tokens.auth_settings(),
        public_base_url="https://dichvucong.example.vn",
        openapi_cache_seconds=0,
    )


def gateway_app(tokens: TokenFactory, transports: Mapping[UpstreamName, httpx.AsyncBaseTransport]) -> FastAPI:
    return create_app(gateway_settings(tokens), transports=transports)


@pytest.fixture
async def gateway(
    catalog_app: FastAPI, dossier_app: FastAPI, survey_app: FastAPI, tokens: TokenFactory
) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway in front of the three real service apps (in process)."""
    transports: dict[UpstreamName, httpx.AsyncBaseTransport] = {
        UpstreamName.CATALOG: httpx.ASGITransport(app=catalog_app),
        UpstreamName.DOSSIER: httpx.ASGITransport(app=dossier_app),
        UpstreamName.SURVEY: httpx.ASGITransport(app=survey_app),
    }
    async with api_client(gateway_app(tokens, transports)) as client:
        yield client
