"""The procedure-catalog application."""

from __future__ import annotations

from fastapi import FastAPI

from motcua_kit.app import create_service_app
from motcua_kit.db import Database
from procedure_catalog import __version__
from procedure_catalog.config import CatalogSettings
from procedure_catalog.procedures.router import router as procedures_router

MIGRATIONS = "procedure_catalog:migrations"


def create_app(settings: CatalogSettings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or CatalogSettings()
    return create_service_app(
        settings=settings,
        title="motcua procedure-catalog",
        version=__version__,
        description="The catalogue of administrative procedures (TTHC), versioned by announcement decisions.",
        routers=[procedures_router],
        database=database or Database.from_settings(settings.database),
        migrations=MIGRATIONS,
    )
