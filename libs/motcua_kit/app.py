"""``create_service_app``: the wiring every motcua service shares.

It gives an application its state (settings, database, token verifier, metrics, readiness checks),
the problem+json error handlers, the request-context and body-guard middleware, the operational
routes (``/livez``, ``/readyz``, ``/metrics``) and an OpenAPI document in which every error
response is a problem document.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from starlette.middleware import Middleware

from motcua_kit.auth import TokenVerifier, optional_principal
from motcua_kit.db import Database
from motcua_kit.errors import PROBLEM_MEDIA_TYPE, FieldError, Problem, install_problem_handlers, problem_responses
from motcua_kit.health import ReadinessCheck, database_checks, livez, readyz
from motcua_kit.logging import configure_logging
from motcua_kit.metrics import AppMetrics, metrics_endpoint
from motcua_kit.middleware import BodyGuardMiddleware, RequestContextMiddleware
from motcua_kit.nul import reject_nul_characters
from motcua_kit.settings import ServiceSettings

API_PREFIX = "/api/v1"
JSON_MEDIA_TYPES = ("application/json", "application/merge-patch+json", "application/cloudevents+json")

LifespanHook = Callable[[FastAPI], Awaitable[None]]


def create_service_app(
    *,
    settings: ServiceSettings,
    title: str,
    version: str,
    description: str,
    routers: Sequence[APIRouter],
    internal_routers: Sequence[APIRouter] = (),
    database: Database | None = None,
    migrations: str | None = None,
    readiness_checks: dict[str, ReadinessCheck] | None = None,
    informational_checks: dict[str, ReadinessCheck] | None = None,
    media_types: Iterable[str] | None = JSON_MEDIA_TYPES,
    body_limits: Mapping[str, int] | None = None,
    inner_middleware: Sequence[Middleware] = (),
    serve_docs: bool = True,
    on_startup: Sequence[LifespanHook] = (),
    on_shutdown: Sequence[LifespanHook] = (),
    openapi_tags: list[dict[str, Any]] | None = None,
    metrics: AppMetrics | None = None,
) -> FastAPI:
    """Build a service application.

    ``database=None`` and ``migrations=None`` make a process without a database (the gateway).
    ``inner_middleware`` runs inside the kit's request context and body guard, first listed outermost.
    ``body_limits`` maps a few full paths (``/api/v1/...``) to a body limit other than ``max_body_bytes``.
    """
    service = settings.service_name
    configure_logging(service, level=settings.log_level, json=settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for hook in on_startup:
            await hook(app)
        # What exists now (modules, routes, schemas, pools: some 170,000 objects) lives as long as the
        # process. Frozen, it is left out of the collector's full passes, each of which walked all of it
        # (about 0.1 s, stopping every request in flight, every few hundred requests). Unfrozen at
        # shutdown, so that an application built and stopped in a longer process (tests) is collected.
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()
            for hook in on_shutdown:
                await hook(app)
            db: Database | None = getattr(app.state, "database", None)
            if db is not None:
                await db.dispose()

    app = FastAPI(
        title=title,
        version=version,
        description=description,
        lifespan=lifespan,
        openapi_tags=openapi_tags,
        docs_url="/docs" if serve_docs else None,
        openapi_url="/openapi.json" if serve_docs else None,
        redoc_url=None,
        dependencies=[Depends(reject_nul_characters)],
    )
    app.state.settings = settings
    app.state.service = service
    app.state.database = database
    app.state.token_verifier = TokenVerifier.from_settings(settings.auth)
    # A caller may build the registry first, to hand domain metrics to its own middleware.
    app.state.metrics = metrics or AppMetrics(service)
    checks: dict[str, ReadinessCheck] = {}
    if database is not None and migrations is not None:
        checks.update(database_checks(database, migrations))
    checks.update(readiness_checks or {})
    app.state.readiness_checks = checks
    app.state.informational_checks = dict(informational_checks or {})

    api_routes = _api_routes(routers)
    for route, _template in api_routes:
        _document_errors(route)
    route_templates = {id(route): template for route, template in api_routes}

    install_problem_handlers(app)
    for middleware in reversed(inner_middleware):
        app.add_middleware(middleware.cls, *middleware.args, **middleware.kwargs)
    app.add_middleware(
        BodyGuardMiddleware,
        max_body_bytes=settings.max_body_bytes,
        media_types=media_types,
        path_limits=body_limits,
    )
    app.add_middleware(RequestContextMiddleware, metrics=app.state.metrics, route_templates=route_templates)

    app.add_route("/livez", livez, methods=["GET"], include_in_schema=False)
    app.add_route("/readyz", readyz, methods=["GET"], include_in_schema=False)
    app.add_route("/metrics", metrics_endpoint, methods=["GET"], include_in_schema=False)
    for router in routers:
        app.include_router(router, prefix=API_PREFIX)
    # Service-to-service endpoints: outside /api/v1, so the gateway never routes them.
    for router in internal_routers:
        app.include_router(router)
    app.openapi = _openapi_with_problems(app)  # type: ignore[method-assign]
    return app


def _uses(route: APIRoute, target: Callable[..., Any]) -> bool:
    stack = list(route.dependant.dependencies)
    while stack:
        dependant = stack.pop()
        if dependant.call is target:
            return True
        stack.extend(dependant.dependencies)
    return False


def _requires_roles(route: APIRoute) -> bool:
    stack = list(route.dependant.dependencies)
    while stack:
        dependant = stack.pop()
        if getattr(dependant.call, "__motcua_roles__", None) is not None:
            return True
        stack.extend(dependant.dependencies)
    return False


def _api_routes(routers: Sequence[APIRouter]) -> list[tuple[APIRoute, str]]:
    """Every API route with its full path template (the metrics label)."""
    found: list[tuple[APIRoute, str]] = []
    for router in routers:
        for route in router.routes:
            if isinstance(route, APIRoute):
                found.append((route, API_PREFIX + route.path))
            else:
                raise TypeError("service routers are flat: include sub-routers in create_service_app instead")
    return found


def _document_errors(route: APIRoute) -> None:
    """Declare on a route the problem responses the kit itself can produce."""
    statuses: list[int] = []
    if route.dependant.query_params or route.dependant.path_params or route.body_field is not None:
        statuses.append(422)
    if route.body_field is not None:
        statuses += [400, 413, 415]
    if _uses(route, optional_principal):
        statuses.append(401)
    if _requires_roles(route):
        statuses.append(403)
    for status, entry in problem_responses(*statuses).items():
        route.responses.setdefault(status, entry)


def _openapi_with_problems(app: FastAPI) -> Callable[[], dict[str, Any]]:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
        )
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in problem_schema.pop("$defs", {}).items():
            schemas.setdefault(name, definition)
        schemas["Problem"] = problem_schema
        schemas.setdefault("FieldError", FieldError.model_json_schema())
        # Error responses are problem documents only (FastAPI would also list application/json).
        for path_item in document.get("paths", {}).values():
            for operation in path_item.values():
                for status, response in operation.get("responses", {}).items():
                    if status.isdigit() and int(status) >= 400:
                        response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        app.openapi_schema = document
        return document

    return openapi
