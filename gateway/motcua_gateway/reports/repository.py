"""All SQL of closed report periods."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua_gateway.models import FrozenReport, ReportPeriod, ReportPeriodEvent


class ReportPeriodRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, scope: str, period: str) -> ReportPeriod | None:
        found: ReportPeriod | None = await self.session.scalar(
            select(ReportPeriod).where(ReportPeriod.scope == scope, ReportPeriod.period == period)
        )
        return found

    async def closed_covering(self, scope: str, first: dt.date, last: dt.date) -> ReportPeriod | None:
        """The closed period whose days are exactly ``first`` to ``last`` for ``scope``, if any."""
        found: ReportPeriod | None = await self.session.scalar(
            select(ReportPeriod).where(
                ReportPeriod.scope == scope,
                ReportPeriod.first_day == first,
                ReportPeriod.last_day == last,
                ReportPeriod.status == "closed",
            )
        )
        return found

    async def list(self, scope: str | None, status: str | None) -> Sequence[ReportPeriod]:
        statement = select(ReportPeriod).order_by(
            ReportPeriod.first_day.desc(), ReportPeriod.period, ReportPeriod.scope
        )
        if scope is not None:
            statement = statement.where(ReportPeriod.scope == scope)
        if status is not None:
            statement = statement.where(ReportPeriod.status == status)
        return (await self.session.scalars(statement.limit(1000))).all()

    async def revision(self, period: ReportPeriod, revision: int) -> FrozenReport | None:
        found: FrozenReport | None = await self.session.scalar(
            select(FrozenReport).where(FrozenReport.period_id == period.id, FrozenReport.revision == revision)
        )
        return found

    async def revisions(self, period: ReportPeriod) -> Sequence[tuple[int, dt.datetime, str]]:
        """(revision, closed_at, closed_by) of every revision, without their figures."""
        statement = (
            select(FrozenReport.revision, FrozenReport.closed_at, FrozenReport.closed_by)
            .where(FrozenReport.period_id == period.id)
            .order_by(FrozenReport.revision)
        )
        return [(int(r), at, str(by)) for r, at, by in await self.session.execute(statement)]

    async def log(self, period: ReportPeriod) -> Sequence[ReportPeriodEvent]:
        statement = (
            select(ReportPeriodEvent).where(ReportPeriodEvent.period_id == period.id).order_by(ReportPeriodEvent.id)
        )
        return (await self.session.scalars(statement)).all()

    async def add(self, *rows: ReportPeriod | FrozenReport | ReportPeriodEvent) -> None:
        for row in rows:
            self.session.add(row)
            await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()
