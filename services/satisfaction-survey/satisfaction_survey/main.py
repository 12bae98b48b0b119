"""The satisfaction-survey application."""

from __future__ import annotations

from fastapi import FastAPI

from motcua_kit.app import create_service_app
from motcua_kit.db import Database
from satisfaction_survey import __version__
from satisfaction_survey.config import SurveySettings
from satisfaction_survey.feedback.router import router as feedback_router
from satisfaction_survey.invitations.router import router as invitations_router
from satisfaction_survey.questionnaires.router import router as questionnaires_router
from satisfaction_survey.responses.router import router as responses_router
from satisfaction_survey.stats.router import router as stats_router

MIGRATIONS = "satisfaction_survey:migrations"


def create_app(settings: SurveySettings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or SurveySettings()
    return create_service_app(
        settings=settings,
        title="motcua satisfaction-survey",
        version=__version__,
        description="One evaluation per dossier, online and on paper, and the satisfaction index.",
        routers=[questionnaires_router, invitations_router, responses_router, feedback_router, stats_router],
        database=database or Database.from_settings(settings.database),
        migrations=MIGRATIONS,
    )
