"""The dossier-api application."""

from __future__ import annotations

from fastapi import FastAPI

from dossier_api import __version__
from dossier_api.config import DossierSettings
from dossier_api.dossiers.router import router as dossiers_router
from motcua_kit.app import create_service_app
from motcua_kit.db import Database

MIGRATIONS = "dossier_api:migrations"


def create_app(settings: DossierSettings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or DossierSettings()
    return create_service_app(
        settings=settings,
        title="motcua dossier-api",
        version=__version__,
        description="Dossiers from reception to returned result, on the Vietnamese working-day calendar.",
        routers=[dossiers_router],
        database=database or Database.from_settings(settings.database),
        migrations=MIGRATIONS,
    )
