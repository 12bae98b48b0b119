"""Bulk insert of historical dossiers, duplicates skipped by code.

PostgreSQL: the batch is copied (binary COPY) into a temporary staging table and moved over with one
``INSERT ... SELECT ... ON CONFLICT DO NOTHING``: several times faster than a multi-row INSERT of
~40 columns. SQLite: one multi-row ``INSERT ... ON CONFLICT DO NOTHING``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from dossier_api.models import Dossier

_STAGE = "dossier_import_stage"


class ImportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._staged = False

    async def insert_new(self, rows: Sequence[dict[str, Any]]) -> int:
        """Insert rows whose code is not present yet; returns how many were inserted."""
        if not rows:
            return 0
        if self.session.get_bind().dialect.name == "postgresql":
            return await self._copy_insert(rows)
        statement = sqlite.insert(Dossier).on_conflict_do_nothing(index_elements=[Dossier.code]).returning(Dossier.code)
        result = await self.session.execute(statement, list(rows))
        return len(result.all())

    async def _copy_insert(self, rows: Sequence[dict[str, Any]]) -> int:
        columns = list(rows[0])
        names = ", ".join(columns)
        connection = await self.session.connection()
        if not self._staged:
            # The import's columns only, without constraints; dropped with the transaction (kept, and
            # emptied, when the transaction is a savepoint of a longer one).
            create = f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} ON COMMIT DROP AS SELECT {names} FROM dossiers"  # noqa: S608 - our column names
            await connection.execute(text(create + " WITH NO DATA"))
            self._staged = True
        await connection.execute(text(f"TRUNCATE {_STAGE}"))
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection
        records = [tuple(_plain(row[column]) for column in columns) for row in rows]
        await driver.copy_records_to_table(_STAGE, records=records, columns=columns)
        result = await connection.execute(
            text(
                f"INSERT INTO dossiers ({names}) SELECT {names} FROM {_STAGE} "  # noqa: S608 - column names are ours
                "ON CONFLICT (code) DO NOTHING"
            )
        )
        return int(result.rowcount)


def _plain(value: Any) -> Any:
    """Enum members as their stored string values (COPY bypasses SQLAlchemy's type processing)."""
    enum_value = getattr(value, "value", None)
    return enum_value if isinstance(enum_value, str) else value
