"""``python -m procedure_catalog serve|migrate|revision|current|seed-demo``."""

from __future__ import annotations

import sys

from motcua_kit.cli import ServiceCommand, main
from procedure_catalog.config import CatalogSettings
from procedure_catalog.demo import seed_demo
from procedure_catalog.main import MIGRATIONS

if __name__ == "__main__":
    sys.exit(
        main(
            ServiceCommand(
                settings_factory=CatalogSettings,
                app_factory="procedure_catalog.main:create_app",
                migrations=MIGRATIONS,
                seed_demo=seed_demo,
            )
        )
    )
