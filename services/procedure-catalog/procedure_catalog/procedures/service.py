"""The rules of the procedure catalogue. Raises the kit's problem errors; never commits."""

from __future__ import annotations

from collections.abc import Sequence

from motcua_kit.errors import Conflict, NotFound
from motcua_kit.pagination import PageParams, SortKey
from procedure_catalog.models import Procedure, ProcedureStatus
from procedure_catalog.procedures.repository import ProcedureRepository
from procedure_catalog.procedures.schemas import ProcedureCreate


class ProcedureService:
    def __init__(self, repository: ProcedureRepository) -> None:
        self.repository = repository

    async def create_draft(self, data: ProcedureCreate) -> Procedure:
        """A new procedure starts as a draft; its code must be unused in the catalogue."""
        if await self.repository.get_by_code(data.code) is not None:
            raise Conflict(f"A procedure with code {data.code!r} already exists.", code="duplicate_procedure_code")
        return await self.repository.add(Procedure(**data.model_dump(), status=ProcedureStatus.DRAFT))

    async def get(self, code: str) -> Procedure:
        procedure = await self.repository.get_by_code(code)
        if procedure is None:
            raise NotFound(f"No procedure with code {code!r}.", code="procedure_not_found")
        return procedure

    async def list(
        self,
        *,
        status: ProcedureStatus | None,
        field_code: str | None,
        sort: Sequence[SortKey],
        page: PageParams,
    ) -> tuple[Sequence[Procedure], int]:
        return await self.repository.list(status=status, field_code=field_code, sort=sort, page=page)
