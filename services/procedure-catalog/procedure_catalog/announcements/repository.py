"""All SQL about announcement decisions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua_kit.pagination import PageParams, paginate
from procedure_catalog.models import Announcement, AnnouncementChange, ChangeAction


class AnnouncementRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_number(self, number: str) -> Announcement | None:
        return await self.session.scalar(select(Announcement).where(Announcement.number == number))

    async def get(self, announcement_id: int) -> Announcement | None:
        return await self.session.get(Announcement, announcement_id)

    async def add(self, announcement: Announcement) -> Announcement:
        self.session.add(announcement)
        await self.session.flush()
        return announcement

    async def add_changes(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(insert(AnnouncementChange), list(rows))

    async def changes(self, announcement_id: int) -> Sequence[AnnouncementChange]:
        statement = (
            select(AnnouncementChange)
            .where(AnnouncementChange.announcement_id == announcement_id)
            .order_by(AnnouncementChange.position)
        )
        return (await self.session.scalars(statement)).all()

    async def list(self, page: PageParams) -> tuple[Sequence[Announcement], int]:
        statement = select(Announcement).order_by(Announcement.effective_on.desc(), Announcement.id.desc())
        return await paginate(self.session, statement, page)

    async def change_counts(self, announcement_ids: Sequence[int]) -> dict[int, dict[ChangeAction, int]]:
        counts: dict[int, dict[ChangeAction, int]] = {i: dict.fromkeys(ChangeAction, 0) for i in announcement_ids}
        if not announcement_ids:
            return counts
        statement = (
            select(AnnouncementChange.announcement_id, AnnouncementChange.action, func.count())
            .where(AnnouncementChange.announcement_id.in_(list(announcement_ids)))
            .group_by(AnnouncementChange.announcement_id, AnnouncementChange.action)
        )
        for announcement_id, action, count in await self.session.execute(statement):
            counts[announcement_id][action] = count
        return counts
