"""Bulk insert of historical dossiers: one multi-row statement per batch, duplicates skipped by code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from dossier_api.models import Dossier


class ImportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert_new(self, rows: Sequence[dict[str, Any]]) -> int:
        """Insert rows whose code is not present yet; returns how many were inserted."""
        if not rows:
            return 0
        insert = postgresql.insert if self.session.get_bind().dialect.name == "postgresql" else sqlite.insert
        statement = insert(Dossier).on_conflict_do_nothing(index_elements=[Dossier.code]).returning(Dossier.code)
        result = await self.session.execute(statement, list(rows))
        return len(result.all())
