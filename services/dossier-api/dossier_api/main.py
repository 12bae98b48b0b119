"""The dossier-api application."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from dossier_api import __version__
from dossier_api.actions.router import router as actions_router
from dossier_api.calendars.router import router as calendars_router
from dossier_api.calendars.schemas import CalendarRulesDoc
from dossier_api.calendars.service import CalendarRegistry
from dossier_api.catalog.client import CatalogClient
from dossier_api.config import DossierSettings
from dossier_api.dossiers.router import router as dossiers_router
from dossier_api.imports.router import IMPORT_PATH, NDJSON
from dossier_api.imports.router import router as imports_router
from dossier_api.slips.router import router as slips_router
from dossier_api.stats.router import router as stats_router
from dossier_api.tracking.router import router as tracking_router
from motcua_kit.app import JSON_MEDIA_TYPES, create_service_app
from motcua_kit.db import Database

MIGRATIONS = "dossier_api:migrations"


def create_app(
    settings: DossierSettings | None = None,
    database: Database | None = None,
    *,
    catalog_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """``catalog_transport`` replaces the network under the catalogue client (tests, benchmarks)."""
    settings = settings or DossierSettings()
    catalog = CatalogClient(settings.catalog.url, timeout=settings.catalog.timeout_seconds, transport=catalog_transport)

    registry = CalendarRegistry()

    async def warm_calendar(_app: FastAPI) -> None:
        # Loading the national holidays takes a moment once per process: not on the first reception.
        await run_in_threadpool(registry.calendar, CalendarRulesDoc())

    async def close_catalog(_app: FastAPI) -> None:
        await catalog.aclose()

    app = create_service_app(
        settings=settings,
        title="motcua dossier-api",
        version=__version__,
        description="Dossiers from reception to returned result, on the Vietnamese working-day calendar.",
        routers=[
            stats_router,
            imports_router,
            dossiers_router,
            actions_router,
            slips_router,
            calendars_router,
            tracking_router,
        ],
        database=database or Database.from_settings(settings.database),
        migrations=MIGRATIONS,
        media_types=[*JSON_MEDIA_TYPES, NDJSON],
        body_limits={IMPORT_PATH: settings.import_max_body_bytes},
        on_startup=[warm_calendar],
        on_shutdown=[close_catalog],
    )
    app.state.catalog = catalog
    app.state.calendars = registry
    return app
