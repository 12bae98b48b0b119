"""The gateway application: the one public door to the motcua services."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from motcua_gateway import __version__
from motcua_gateway.apiclients.router import router as api_clients_router
from motcua_gateway.apiclients.verifier import ApiKeyVerifier
from motcua_gateway.authn import Authenticator
from motcua_gateway.breaker import CircuitState
from motcua_gateway.config import GatewaySettings
from motcua_gateway.headers import CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS, CORS_METHODS, SecurityHeadersMiddleware
from motcua_gateway.internal_tokens import InternalTokenIssuer, load_signing_key
from motcua_gateway.observability import GatewayMetrics
from motcua_gateway.openapi import OpenAPIComposer
from motcua_gateway.policy import Policy
from motcua_gateway.proxy import ClientAddress, EdgeMiddleware
from motcua_gateway.ratelimit import RateLimiter
from motcua_gateway.reports.router import router as reports_router
from motcua_gateway.reports.service import ReportService
from motcua_gateway.reports.sources import Credentials, StatisticsClient
from motcua_gateway.routes import RouteTable, UpstreamName
from motcua_gateway.upstream import Transport, Upstream, UpstreamError
from motcua_kit.app import create_service_app
from motcua_kit.auth import TokenVerifier
from motcua_kit.db import Database
from motcua_kit.health import ReadinessCheck, database_checks
from motcua_kit.logging import get_logger
from motcua_kit.metrics import AppMetrics

MIGRATIONS = "motcua_gateway:migrations"

log = get_logger("motcua.gateway")

DESCRIPTION = """The public API of the motcua one-stop backend: the procedure catalogue, dossiers from
reception to result, and citizen satisfaction surveys. Errors are RFC 9457 problem documents with a
stable `code`. People authenticate with a bearer token of the identity provider; system clients
(the city one-stop system, the national portal) with an API key in `X-API-Key`. Each operation
lists the roles it needs in `x-motcua-roles`; public ones have no security requirement. Budgets per
client and per IP answer 429 with `Retry-After` when spent."""

docs_router = APIRouter()


@docs_router.get("/openapi.json", include_in_schema=False)
async def openapi_document(request: Request) -> JSONResponse:
    composer: OpenAPIComposer = request.app.state.openapi_composer
    return JSONResponse(await composer.document())


@docs_router.get("/docs", include_in_schema=False)
async def swagger_ui() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/openapi.json", title="motcua API")


@docs_router.get("/.well-known/jwks.json", include_in_schema=False)
async def gateway_jwks(request: Request) -> JSONResponse:
    """The public key of the gateway's internal tokens, for the services to trust."""
    issuer: InternalTokenIssuer | None = request.app.state.internal_tokens
    return JSONResponse(issuer.jwks() if issuer is not None else {"keys": []})


def _upstream_check(upstream: Upstream) -> ReadinessCheck:
    async def check() -> tuple[bool, Any]:
        if upstream.breaker.state is CircuitState.OPEN:
            return False, f"circuit open (next try in {upstream.breaker.retry_after()} s)"
        try:
            status, _ = await upstream.fetch("/readyz", within=2.0)
        except UpstreamError as exc:
            return False, f"unreachable ({exc.reason})"
        return (True, "ok") if status == 200 else (False, f"not ready ({status})")

    return check


def create_app(
    settings: GatewaySettings | None = None,
    transports: Mapping[UpstreamName, Transport] | None = None,
    database: Database | None = None,
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
    policy = Policy()
    database = database or Database.from_settings(settings.database)

    signing_key = load_signing_key(settings.internal_tokens)
    internal_tokens = InternalTokenIssuer(settings.internal_tokens, signing_key) if signing_key else None
    pepper = settings.api_keys.pepper
    api_key_verifier = (
        ApiKeyVerifier(database, pepper=pepper.get_secret_value(), cache_seconds=settings.api_keys.cache_seconds)
        if pepper is not None and internal_tokens is not None
        else None
    )
    authenticator = Authenticator(
        TokenVerifier.from_settings(settings.auth),
        api_keys=api_key_verifier,
        internal_tokens=internal_tokens,
        cache_size=settings.token_cache_size,
    )
    rate_limiter = RateLimiter(settings.rate_limits)
    app_metrics = AppMetrics(settings.service_name)
    gateway_metrics = GatewayMetrics(
        app_metrics,
        circuits_open=lambda: {n.value: u.breaker.state is CircuitState.OPEN for n, u in upstreams.items()},
    )

    async def close_upstreams(_app: FastAPI) -> None:
        for upstream in upstreams.values():
            await upstream.aclose()
        await rate_limiter.aclose()

    async def rate_limit_storage() -> tuple[bool, Any]:
        return await rate_limiter.healthy()

    # The gateway's own database (API clients) is informational: without it only API keys fail,
    # so it must not take the whole public door out of rotation.
    informational: dict[str, ReadinessCheck] = {name.value: _upstream_check(u) for name, u in upstreams.items()}
    informational.update({f"gateway-{k}": v for k, v in database_checks(database, MIGRATIONS).items()})
    if settings.rate_limits.enabled and settings.rate_limits.storage_url:
        informational["rate-limit-storage"] = rate_limit_storage

    middleware = [Middleware(SecurityHeadersMiddleware, hsts=settings.public_base_url.startswith("https://"))]
    if settings.cors_allow_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_allow_origins,
                allow_methods=list(CORS_METHODS),
                allow_headers=list(CORS_ALLOW_HEADERS),
                expose_headers=list(CORS_EXPOSE_HEADERS),
                allow_credentials=False,
                max_age=600,
            )
        )
    middleware.append(
        Middleware(
            EdgeMiddleware,
            policy=policy,
            routes=routes,
            upstreams=upstreams,
            authenticator=authenticator,
            rate_limiter=rate_limiter,
            client_address=ClientAddress(settings.trusted_proxies),
            public_base_url=settings.public_base_url,
            metrics=gateway_metrics,
        )
    )
    if api_key_verifier is None:
        log.warning("API keys are disabled: set GATEWAY_API_KEYS__PEPPER and the internal token signing key")

    app = create_service_app(
        settings=settings,
        title="motcua API",
        version=__version__,
        description=DESCRIPTION,
        routers=[api_clients_router, reports_router],
        database=database,
        migrations=None,
        informational_checks=informational,
        media_types=None,
        serve_docs=False,
        inner_middleware=middleware,
        on_shutdown=[close_upstreams],
        metrics=app_metrics,
    )
    app.state.gateway_metrics = gateway_metrics
    app.include_router(docs_router)
    app.state.upstreams = upstreams
    app.state.policy = policy
    app.state.rate_limiter = rate_limiter
    app.state.internal_tokens = internal_tokens
    app.state.api_key_verifier = api_key_verifier
    app.state.reports = ReportService(
        StatisticsClient(
            upstreams,
            Credentials(internal_tokens, settings.reports.client_name),
            timeout=settings.reports.upstream_timeout_seconds,
        ),
        database,
        public_cache_seconds=settings.reports.public_cache_seconds,
    )
    app.state.openapi_composer = OpenAPIComposer(
        upstreams, routes, own_document=app.openapi, cache_seconds=settings.openapi_cache_seconds, policy=policy
    )
    return app
