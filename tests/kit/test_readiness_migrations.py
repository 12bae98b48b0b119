"""Readiness and schema versions: behind is not ready; at head or ahead (a newer release's expand step) is."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from motcua_kit.db import Database
from motcua_kit.health import database_checks
from motcua_kit.migrations import head_revisions, known_revisions, upgrade_engine
from motcua_kit.settings import DatabaseSettings

MIGRATIONS = "procedure_catalog:migrations"


async def test_schema_behind_at_head_and_ahead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    database = Database.from_settings(DatabaseSettings(url=f"sqlite:///{tmp_path}/ready.db"))
    try:
        check = database_checks(database, MIGRATIONS)["migrations"]
        ready, detail = await check()
        assert not ready  # nothing migrated yet
        assert detail["current"] == []

        await upgrade_engine(database.engine, MIGRATIONS)
        assert await check() == (True, "ok")

        # A newer release migrated the database (expand): this code does not know the revision.
        async with database.engine.begin() as connection:
            await connection.execute(text("UPDATE alembic_version SET version_num = 'f00dfacefeed'"))
        ready, detail = await check()
        assert ready
        assert detail == {"ahead": ["f00dfacefeed"], "expected": sorted(head_revisions(MIGRATIONS))}

        # Behind: a revision of this code's history that is not its head (the migration job has not run).
        monkeypatch.setattr(
            "motcua_kit.health.known_revisions", lambda _location: known_revisions(MIGRATIONS) | {"0ldrevision"}
        )
        behind_check = database_checks(database, MIGRATIONS)["migrations"]
        async with database.engine.begin() as connection:
            await connection.execute(text("UPDATE alembic_version SET version_num = '0ldrevision'"))
        ready, detail = await behind_check()
        assert not ready
        assert detail == {"current": ["0ldrevision"], "expected": sorted(head_revisions(MIGRATIONS))}
    finally:
        await database.dispose()
