"""The procedure-catalog application."""

from __future__ import annotations

from fastapi import FastAPI

from motcua_kit.app import API_PREFIX, create_service_app
from motcua_kit.db import Database
from motcua_kit.events.metrics import register_delivery_metrics
from motcua_kit.events.subscriptions import subscriptions_router
from motcua_kit.pagination import Page
from procedure_catalog import __version__
from procedure_catalog.announcements.router import router as announcements_router
from procedure_catalog.config import CatalogSettings
from procedure_catalog.events import EVENT_TYPES, STORE
from procedure_catalog.exchange.router import router as exchange_router
from procedure_catalog.procedures.router import drafts_router
from procedure_catalog.procedures.router import router as procedures_router
from procedure_catalog.procedures.schemas import ProcedureSummary
from procedure_catalog.procedures.search_cache import SearchCache
from procedure_catalog.reference.router import router as reference_router
from procedure_catalog.stats.router import router as stats_router

MIGRATIONS = "procedure_catalog:migrations"
IMPORT_PATH = f"{API_PREFIX}/procedures/import"


def create_app(settings: CatalogSettings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or CatalogSettings()
    database = database or Database.from_settings(settings.database)
    app = create_service_app(
        settings=settings,
        title="motcua procedure-catalog",
        version=__version__,
        description=(
            "The catalogue of administrative procedures (TTHC): bilingual records, immutable versions made by "
            "announcement decisions, search without diacritics, exchange with the national database."
        ),
        # Fixed paths (/procedures/stats, /export, /import, /drafts) before /procedures/{code}.
        routers=[
            stats_router,
            exchange_router,
            drafts_router,
            procedures_router,
            announcements_router,
            reference_router,
            subscriptions_router(STORE, EVENT_TYPES, prefix="/subscriptions/procedures"),
        ],
        database=database,
        migrations=MIGRATIONS,
        body_limits={IMPORT_PATH: settings.import_max_bytes},
    )
    register_delivery_metrics(app.state.metrics, database, STORE)
    app.state.search_cache = SearchCache[Page[ProcedureSummary]](
        settings.search_cache_items, weight=lambda page: len(page.items)
    )
    return app
