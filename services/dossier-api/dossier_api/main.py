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
from dossier_api.catalog.consumer import HANDLERS as CATALOG_EVENT_HANDLERS
from dossier_api.catalog.lookup import ProcedureLookup
from dossier_api.config import DossierSettings
from dossier_api.dossiers.repository import in_progress_by_agency, overdue_by_agency
from dossier_api.dossiers.router import router as dossiers_router
from dossier_api.events.store import DOSSIER_EVENT_TYPES, STORE
from dossier_api.imports.router import IMPORT_PATH, NDJSON
from dossier_api.imports.router import router as imports_router
from dossier_api.integrations.router import router as integrations_router
from dossier_api.observability import install_dossier_metrics
from dossier_api.portal.router import router as portal_router
from dossier_api.slips.router import router as slips_router
from dossier_api.stats.router import router as stats_router
from dossier_api.tracking.router import router as tracking_router
from motcua_kit.app import JSON_MEDIA_TYPES, create_service_app
from motcua_kit.db import Database
from motcua_kit.events.consumer import inbox_router
from motcua_kit.events.metrics import register_delivery_metrics
from motcua_kit.events.subscriptions import subscriptions_router

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

    database = database or Database.from_settings(settings.database)
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
            portal_router,
            calendars_router,
            tracking_router,
            integrations_router,
            subscriptions_router(STORE, DOSSIER_EVENT_TYPES, prefix="/subscriptions/dossiers"),
        ],
        # The catalogue's events keep the local copy of its procedure versions.
        internal_routers=[inbox_router(STORE, CATALOG_EVENT_HANDLERS)],
        database=database,
        migrations=MIGRATIONS,
        media_types=[*JSON_MEDIA_TYPES, NDJSON],
        body_limits={IMPORT_PATH: settings.import_max_body_bytes},
        on_startup=[warm_calendar],
        on_shutdown=[close_catalog],
    )
    app.state.catalog = catalog
    app.state.procedures = ProcedureLookup(catalog, database)
    app.state.calendars = registry
    install_dossier_metrics(
        app, database, overdue_by_agency=overdue_by_agency, in_progress_by_agency=in_progress_by_agency
    )
    register_delivery_metrics(app.state.metrics, database, STORE)
    return app
