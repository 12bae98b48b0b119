"""All SQL about agency calendars."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dossier_api.models import CalendarVersion


class CalendarRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def latest(self, agency_code: str) -> CalendarVersion | None:
        statement = (
            select(CalendarVersion)
            .where(CalendarVersion.agency_code == agency_code)
            .order_by(CalendarVersion.version.desc())
            .limit(1)
        )
        return await self.session.scalar(statement)

    async def get(self, agency_code: str, version: int) -> CalendarVersion | None:
        statement = select(CalendarVersion).where(
            CalendarVersion.agency_code == agency_code, CalendarVersion.version == version
        )
        return await self.session.scalar(statement)

    async def versions(self, agency_code: str) -> Sequence[CalendarVersion]:
        statement = (
            select(CalendarVersion)
            .where(CalendarVersion.agency_code == agency_code)
            .order_by(CalendarVersion.version.desc())
        )
        return (await self.session.scalars(statement)).all()

    async def add(self, version: CalendarVersion) -> CalendarVersion:
        """Insert a version; the unique (agency, version) pair makes a concurrent edit a 409."""
        self.session.add(version)
        await self.session.flush()
        return version
