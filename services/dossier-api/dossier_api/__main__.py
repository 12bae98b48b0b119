"""``python -m dossier_api serve|migrate|revision|current|seed-demo|dispatch``."""

from __future__ import annotations

import sys

from dossier_api.config import DossierSettings
from dossier_api.dispatch import build_dispatcher
from dossier_api.main import MIGRATIONS
from motcua_kit.cli import ServiceCommand, main

if __name__ == "__main__":
    sys.exit(
        main(
            ServiceCommand(
                settings_factory=DossierSettings,
                app_factory="dossier_api.main:create_app",
                migrations=MIGRATIONS,
                dispatcher=build_dispatcher,
            )
        )
    )
