"""All SQL about dossiers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from dossier_api.models import Dossier, DossierCodeCounter


class DossierRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def next_sequence(self, agency_code: str, day: dt.date) -> int:
        """Take the next number of the day for an agency, atomically.

        One upsert statement: concurrent receptions serialise on the counter row (PostgreSQL
        row lock, SQLite's single writer), so no two dossiers get the same code.
        """
        insert = postgresql.insert if self.session.get_bind().dialect.name == "postgresql" else sqlite.insert
        statement = (
            insert(DossierCodeCounter)
            .values(agency_code=agency_code, day=day, last_value=1)
            .on_conflict_do_update(
                index_elements=[DossierCodeCounter.agency_code, DossierCodeCounter.day],
                set_={"last_value": DossierCodeCounter.last_value + 1},
            )
            .returning(DossierCodeCounter.last_value)
        )
        value = await self.session.scalar(statement)
        assert value is not None
        return int(value)

    async def add(self, dossier: Dossier) -> Dossier:
        self.session.add(dossier)
        await self.session.flush()
        return dossier

    async def get_by_code(self, code: str) -> Dossier | None:
        return await self.session.scalar(select(Dossier).where(Dossier.code == code))
