"""All SQL about feedback items."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua_kit.pagination import PageParams, Sortable, SortKey, apply_sort, paginate
from satisfaction_survey.models import FeedbackItem, FeedbackStatus

SORTABLE: dict[str, Sortable] = {"created_at": FeedbackItem.created_at, "status": FeedbackItem.status}


class FeedbackRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, item: FeedbackItem) -> None:
        self.session.add(item)
        await self.session.flush()

    async def get(self, item_id: int) -> FeedbackItem | None:
        return await self.session.get(FeedbackItem, item_id)

    async def list(
        self,
        *,
        agency_code: str | None,
        procedure_code: str | None,
        status: FeedbackStatus | None,
        sort: Sequence[SortKey],
        page: PageParams,
    ) -> tuple[Sequence[FeedbackItem], int]:
        statement: Select[Any] = select(FeedbackItem)
        if agency_code is not None:
            statement = statement.where(FeedbackItem.agency_code == agency_code)
        if procedure_code is not None:
            statement = statement.where(FeedbackItem.procedure_code == procedure_code)
        if status is not None:
            statement = statement.where(FeedbackItem.status == status)
        statement = apply_sort(statement, sort, SORTABLE).order_by(FeedbackItem.id)
        return await paginate(self.session, statement, page)

    async def flush(self) -> None:
        await self.session.flush()
