"""The statistics queries: one scan with conditional aggregates, and a monthly series; all in SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from dossier_api.dossiers.repository import (
    in_progress_at_end_condition,
    overdue_at_condition,
    paid_condition,
)
from dossier_api.models import Channel, Dossier, DossierStatus, ReturnMethod, Timeliness


class StatsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _scope(self, agency: str | None, procedure: str | None) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        # A transferred dossier still belongs to (and counts once for) the agency that received it.
        if agency is not None:
            conditions.append(Dossier.agency_code == agency)
        if procedure is not None:
            conditions.append(Dossier.procedure_code == procedure)
        return conditions

    def open_until(self) -> ColumnElement[Any]:
        """The day a dossier stopped being open, or far away; the expression of the statistics index."""
        if self.session.get_bind().dialect.name == "postgresql":
            return func.coalesce(Dossier.finished_on, literal_column("DATE '9999-12-31'"))
        return func.coalesce(Dossier.finished_on, literal_column("'9999-12-31'"))

    def _month(self, column: Any) -> ColumnElement[str]:
        if self.session.get_bind().dialect.name == "postgresql":
            return func.to_char(column, "YYYY-MM")
        return func.substr(column, 1, 7)

    async def totals(
        self, first: dt.date, last: dt.date, as_of: dt.datetime, agency: str | None, procedure: str | None
    ) -> dict[str, int]:
        new = Dossier.received_on.between(first, last)
        # In progress when the day before the period ended: received before it, not finished before it.
        carried = in_progress_at_end_condition(first - dt.timedelta(days=1))
        finished_in_period = Dossier.finished_on.between(first, last)
        resolved = Dossier.resolved_on.between(first, last)
        # Received (so never refused) and not finished by the end of the period.
        open_at_end = in_progress_at_end_condition(last)
        # The named rule `progress`, judged at the end of the period (or now).
        overdue = overdue_at_condition(as_of, self.session.get_bind().dialect.name)

        def count(condition: ColumnElement[bool]) -> Any:
            return func.count().filter(condition)

        columns: dict[str, Any] = {
            "new": count(new),
            "carried_over": count(carried),
            "resolved": count(resolved),
            "open_at_end": count(open_at_end),
            "overdue_at_end": count(and_(open_at_end, overdue)),
            "refused": count(and_(finished_in_period, Dossier.status == DossierStatus.REFUSED)),
            "withdrawn": count(and_(finished_in_period, Dossier.status == DossierStatus.WITHDRAWN)),
            "stopped": count(and_(finished_in_period, Dossier.status == DossierStatus.STOPPED)),
            "paid_online": count(and_(new, Dossier.paid_online.is_(True))),
            "paid": count(and_(new, paid_condition())),
            "results_online": count(and_(resolved, Dossier.return_method == ReturnMethod.ONLINE)),
        }
        for label in Timeliness:
            columns[f"resolved_{label.value}"] = count(and_(resolved, Dossier.timeliness == label))
        for channel in Channel:
            columns[f"new_{channel.value}"] = count(and_(new, Dossier.channel == channel))
            columns[f"carried_{channel.value}"] = count(and_(carried, Dossier.channel == channel))
        # Received by the end of the period and not finished before it began, or finished (refused,
        # withdrawn, ...) within it; written so PostgreSQL scans only the statistics index.
        relevant = and_(self.open_until() >= first, func.coalesce(Dossier.received_on, Dossier.finished_on) <= last)
        statement = select(*(c.label(name) for name, c in columns.items())).where(
            relevant, *self._scope(agency, procedure)
        )
        row = (await self.session.execute(statement)).one()
        return {name: int(value or 0) for name, value in row._mapping.items()}

    async def monthly(
        self, first: dt.date, last: dt.date, agency: str | None, procedure: str | None
    ) -> dict[str, dict[str, int]]:
        series: dict[str, dict[str, int]] = {}
        scope = self._scope(agency, procedure)
        received_month = self._month(Dossier.received_on).label("month")
        received = (
            select(received_month, func.count().label("received"))
            .where(Dossier.received_on.between(first, last), *scope)
            .group_by(received_month)
        )
        for month, value in (await self.session.execute(received)).all():
            series.setdefault(str(month), {})["received"] = int(value)
        finished_month = self._month(Dossier.finished_on).label("month")
        finished = (
            select(
                finished_month,
                func.count().filter(Dossier.resolved_on.is_not(None)).label("resolved"),
                *(func.count().filter(Dossier.timeliness == label).label(label.value) for label in Timeliness),
                func.count().filter(Dossier.status == DossierStatus.REFUSED).label("refused"),
                func.count().filter(Dossier.status == DossierStatus.WITHDRAWN).label("withdrawn"),
            )
            .where(self.open_until().between(first, last), *scope)
            .group_by(finished_month)
        )
        for row in (await self.session.execute(finished)).all():
            values = row._mapping
            series.setdefault(str(values["month"]), {}).update(
                {key: int(values[key] or 0) for key in ("resolved", "early", "on_time", "late", "refused", "withdrawn")}
            )
        return series


def months_between(first: dt.date, last: dt.date) -> Sequence[str]:
    months: list[str] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
