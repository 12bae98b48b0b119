"""``python -m satisfaction_survey serve|migrate|revision|current|seed-demo|dispatch``."""

from __future__ import annotations

import sys
from typing import Any

from motcua_kit.cli import ServiceCommand, main
from motcua_kit.db import Database
from motcua_kit.events.dispatcher import Dispatcher
from satisfaction_survey.config import SurveySettings
from satisfaction_survey.demo import seed_demo
from satisfaction_survey.events import STORE
from satisfaction_survey.main import MIGRATIONS


def dispatcher(settings: Any, database: Database) -> Dispatcher:
    """The survey's event dispatcher (``python -m satisfaction_survey dispatch``)."""
    assert isinstance(settings, SurveySettings)
    return Dispatcher(database, STORE, settings.events)


if __name__ == "__main__":
    sys.exit(
        main(
            ServiceCommand(
                settings_factory=SurveySettings,
                app_factory="satisfaction_survey.main:create_app",
                migrations=MIGRATIONS,
                seed_demo=seed_demo,
                dispatcher=dispatcher,
            )
        )
    )
