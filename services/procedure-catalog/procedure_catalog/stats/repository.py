"""All SQL of the statistics: aggregates over the versions in force on a day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from procedure_catalog.models import Announcement, AnnouncementChange, ChangeAction, ProcedureVersion, VersionStatus
from procedure_catalog.procedures.repository import valid_on

V = ProcedureVersion


class StatsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def flags(self, day: dt.date, scope: Sequence[ColumnElement[bool]]) -> dict[str, int]:
        """Counts of versions on ``day`` under several conditions, in one pass."""
        published = V.status == VersionStatus.PUBLISHED
        conditions: dict[str, ColumnElement[bool]] = {
            "total": V.id.is_not(None),
            "published": published,
            "abolished": V.status == VersionStatus.ABOLISHED,
            "in_person": published & V.in_person,
            "online": published & V.online,
            "postal": published & V.postal,
            "one_stop": published & V.one_stop,
            "inter_agency": published & V.inter_agency,
            "internal": published & V.internal,
            "online_submission_legacy": published & (V.legacy_online_level >= 3),
        }
        columns = [func.count().filter(condition).label(name) for name, condition in conditions.items()]
        row = (await self.session.execute(select(*columns).where(valid_on(day), *scope))).one()
        return {name: int(getattr(row, name) or 0) for name in conditions}

    async def grouped(self, day: dt.date, scope: Sequence[ColumnElement[bool]], *keys: Any) -> list[tuple[Any, ...]]:
        """``(key..., count)`` of the published versions on ``day``, grouped by ``keys``."""
        statement = (
            select(*keys, func.count())
            .where(valid_on(day), V.status == VersionStatus.PUBLISHED, *scope)
            .group_by(*keys)
            .order_by(*keys)
        )
        return [tuple(row) for row in await self.session.execute(statement)]

    async def changes_between(
        self, first: dt.date, last: dt.date, scope: Sequence[ColumnElement[bool]]
    ) -> tuple[list[tuple[dt.date, dt.date]], dict[ChangeAction, int]]:
        """Decisions effective from ``first`` to ``last`` (their signing and effective days) with a change
        in scope, and their changes by action; a change is in scope by the version it made."""
        in_period = Announcement.effective_on.between(first, last)
        made = and_(V.procedure_id == AnnouncementChange.procedure_id, V.number == AnnouncementChange.version_number)
        changes = (
            select(AnnouncementChange.announcement_id, AnnouncementChange.action)
            .join(Announcement, Announcement.id == AnnouncementChange.announcement_id)
            .join(V, made)
            .where(in_period, *scope)
            .subquery()
        )
        decisions = select(Announcement.signed_on, Announcement.effective_on).where(
            Announcement.id.in_(select(changes.c.announcement_id))
        )
        by_action = select(changes.c.action, func.count()).group_by(changes.c.action)
        counts = dict.fromkeys(ChangeAction, 0)
        for action, count in await self.session.execute(by_action):
            counts[ChangeAction(action)] = int(count)
        days = [(signed, effective) for signed, effective in await self.session.execute(decisions)]
        return days, counts

    async def announcements(self, day: dt.date) -> tuple[int, dict[ChangeAction, int]]:
        decisions = await self.session.scalar(
            select(func.count()).select_from(Announcement).where(Announcement.effective_on <= day)
        )
        statement = (
            select(AnnouncementChange.action, func.count())
            .join(Announcement, Announcement.id == AnnouncementChange.announcement_id)
            .where(Announcement.effective_on <= day)
            .group_by(AnnouncementChange.action)
        )
        counts = dict.fromkeys(ChangeAction, 0)
        for action, count in await self.session.execute(statement):
            counts[action] = int(count)
        return int(decisions or 0), counts
