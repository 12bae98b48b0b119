"""``python -m procedure_catalog serve|migrate|revision|current|seed-demo|dispatch``."""

from __future__ import annotations

import sys
from typing import Any

from motcua_kit.cli import ServiceCommand, main
from motcua_kit.db import Database
from motcua_kit.events.dispatcher import Dispatcher
from procedure_catalog.config import CatalogSettings
from procedure_catalog.demo import seed_demo
from procedure_catalog.events import STORE
from procedure_catalog.main import MIGRATIONS


def dispatcher(settings: Any, database: Database) -> Dispatcher:
    """The catalogue's event dispatcher (``python -m procedure_catalog dispatch``)."""
    assert isinstance(settings, CatalogSettings)
    return Dispatcher(database, STORE, settings.events)


if __name__ == "__main__":
    sys.exit(
        main(
            ServiceCommand(
                settings_factory=CatalogSettings,
                app_factory="procedure_catalog.main:create_app",
                migrations=MIGRATIONS,
                seed_demo=seed_demo,
                dispatcher=dispatcher,
            )
        )
    )
