"""``python -m satisfaction_survey serve|migrate|revision|current|seed-demo``."""

from __future__ import annotations

import sys

from motcua_kit.cli import ServiceCommand, main
from satisfaction_survey.config import SurveySettings
from satisfaction_survey.demo import seed_demo
from satisfaction_survey.main import MIGRATIONS

if __name__ == "__main__":
    sys.exit(
        main(
            ServiceCommand(
                settings_factory=SurveySettings,
                app_factory="satisfaction_survey.main:create_app",
                migrations=MIGRATIONS,
                seed_demo=seed_demo,
            )
        )
    )
