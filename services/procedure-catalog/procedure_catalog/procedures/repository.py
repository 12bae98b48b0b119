"""All SQL about procedures."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua_kit.pagination import PageParams, Sortable, SortKey, apply_sort, paginate
from procedure_catalog.models import Procedure, ProcedureStatus

SORTABLE: dict[str, Sortable] = {
    "code": Procedure.code,
    "name_vi": Procedure.name_vi,
    "processing_days": Procedure.processing_days,
    "created_at": Procedure.created_at,
}


class ProcedureRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_by_code(self, code: str) -> Procedure | None:
        return await self.session.scalar(select(Procedure).where(Procedure.code == code))

    async def list(
        self,
        *,
        status: ProcedureStatus | None,
        field_code: str | None,
        sort: Sequence[SortKey],
        page: PageParams,
    ) -> tuple[Sequence[Procedure], int]:
        statement: Select[Any] = select(Procedure)
        if status is not None:
            statement = statement.where(Procedure.status == status)
        if field_code is not None:
            statement = statement.where(Procedure.field_code == field_code)
        statement = apply_sort(statement, sort, SORTABLE).order_by(Procedure.id)
        return await paginate(self.session, statement, page)

    async def add(self, procedure: Procedure) -> Procedure:
        self.session.add(procedure)
        await self.session.flush()
        await self.session.refresh(procedure)
        return procedure
