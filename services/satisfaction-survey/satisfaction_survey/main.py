"""The satisfaction-survey application."""

from __future__ import annotations

from fastapi import FastAPI

from motcua_kit.app import create_service_app
from motcua_kit.db import Database
from motcua_kit.events.consumer import inbox_router
from motcua_kit.events.metrics import register_delivery_metrics
from motcua_kit.events.subscriptions import subscriptions_router
from satisfaction_survey import __version__
from satisfaction_survey.config import SurveySettings
from satisfaction_survey.events import DOSSIER_RETURNED, EVENT_TYPES, STORE
from satisfaction_survey.feedback.router import router as feedback_router
from satisfaction_survey.invitations.consumer import dossier_returned_handler
from satisfaction_survey.invitations.router import router as invitations_router
from satisfaction_survey.questionnaires.router import router as questionnaires_router
from satisfaction_survey.responses.router import router as responses_router
from satisfaction_survey.stats.router import router as stats_router

MIGRATIONS = "satisfaction_survey:migrations"


def create_app(settings: SurveySettings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or SurveySettings()
    database = database or Database.from_settings(settings.database)
    app = create_service_app(
        settings=settings,
        title="motcua satisfaction-survey",
        version=__version__,
        description="One evaluation per dossier, online and on paper, and the satisfaction index.",
        routers=[
            questionnaires_router,
            invitations_router,
            responses_router,
            feedback_router,
            stats_router,
            subscriptions_router(STORE, EVENT_TYPES, prefix="/subscriptions/surveys"),
        ],
        # dossier-api's events (signed with SURVEY_EVENTS__INBOX_SECRET): a returned dossier is invited.
        internal_routers=[
            inbox_router(STORE, {DOSSIER_RETURNED: dossier_returned_handler(settings.invitation_ttl_days)})
        ],
        database=database,
        migrations=MIGRATIONS,
    )
    register_delivery_metrics(app.state.metrics, database, STORE)
    return app
