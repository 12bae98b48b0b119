"""The gateway application: the one public entry to the motcua services."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.middleware import Middleware

from motcua_gateway import __version__
from motcua_gateway.config import GatewaySettings
from motcua_gateway.openapi import OpenAPIComposer
from motcua_gateway.proxy import ProxyMiddleware, Upstream
from motcua_gateway.routes import RouteTable, UpstreamName
from motcua_kit.app import create_service_app
from motcua_kit.health import ReadinessCheck

DESCRIPTION = """The public API of the motcua one-stop backend: the procedure catalogue, dossiers from
reception to result, and citizen satisfaction surveys. Errors are RFC 9457 problem documents with a
stable `code`. Authenticate with a bearer token from the identity provider."""

docs_router = APIRouter()


@docs_router.get("/openapi.json", include_in_schema=False)
async def openapi_document(request: Request) -> JSONResponse:
    composer: OpenAPIComposer = request.app.state.openapi_composer
    return JSONResponse(await composer.document())


@docs_router.get("/docs", include_in_schema=False)
async def swagger_ui() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/openapi.json", title="motcua API")


def _upstream_check(upstream: Upstream) -> ReadinessCheck:
    async def check() -> tuple[bool, Any]:
        try:
            response = await upstream.client.get("/readyz", timeout=2.0)
        except httpx.HTTPError as exc:
            return False, f"unreachable ({type(exc).__name__})"
        return (True, "ok") if response.status_code == 200 else (False, f"not ready ({response.status_code})")

    return check


def create_app(
    settings: GatewaySettings | None = None,
    transports: Mapping[UpstreamName, httpx.AsyncBaseTransport] | None = None,
) -> FastAPI:
    """Build the gateway. ``transports`` replaces the network for tests (e.g. ASGI transports)."""
    settings = settings or GatewaySettings()
    transports = transports or {}
    upstreams = {
        UpstreamName.CATALOG: Upstream(UpstreamName.CATALOG, settings.catalog, transports.get(UpstreamName.CATALOG)),
        UpstreamName.DOSSIER: Upstream(UpstreamName.DOSSIER, settings.dossier, transports.get(UpstreamName.DOSSIER)),
        UpstreamName.SURVEY: Upstream(UpstreamName.SURVEY, settings.survey, transports.get(UpstreamName.SURVEY)),
    }
    routes = RouteTable()

    async def close_upstreams(_app: FastAPI) -> None:
        for upstream in upstreams.values():
            await upstream.aclose()

    app = create_service_app(
        settings=settings,
        title="motcua API",
        version=__version__,
        description=DESCRIPTION,
        routers=[],
        database=None,
        migrations=None,
        informational_checks={name.value: _upstream_check(u) for name, u in upstreams.items()},
        media_types=None,
        serve_docs=False,
        inner_middleware=[
            Middleware(ProxyMiddleware, routes=routes, upstreams=upstreams, public_base_url=settings.public_base_url)
        ],
        on_shutdown=[close_upstreams],
    )
    app.include_router(docs_router)
    app.state.upstreams = upstreams
    app.state.openapi_composer = OpenAPIComposer(
        upstreams, routes, own_document=app.openapi, cache_seconds=settings.openapi_cache_seconds
    )
    return app
