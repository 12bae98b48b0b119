"""HTTP for /api/v1/procedures."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from motcua_kit.auth import Principal, Role, require_roles
from motcua_kit.db import DBSession
from motcua_kit.errors import problem_responses
from motcua_kit.pagination import Page, Pagination, SortKey, page_of, sort_param
from procedure_catalog.models import ProcedureStatus
from procedure_catalog.procedures.repository import SORTABLE, ProcedureRepository
from procedure_catalog.procedures.schemas import ProcedureCode, ProcedureCreate, ProcedureRead
from procedure_catalog.procedures.service import ProcedureService

router = APIRouter(prefix="/procedures", tags=["procedures"])


def get_service(session: DBSession) -> ProcedureService:
    return ProcedureService(ProcedureRepository(session))


Service = Annotated[ProcedureService, Depends(get_service)]


@router.get("", summary="List procedures")
async def list_procedures(
    service: Service,
    page: Pagination,
    sort: Annotated[list[SortKey], sort_param(list(SORTABLE), default="code")],
    status_: Annotated[ProcedureStatus | None, Query(alias="status")] = None,
    field: Annotated[str | None, Query(max_length=40, description="Field (lĩnh vực) code.")] = None,
) -> Page[ProcedureRead]:
    """Procedures of the catalogue, filtered and paginated. Public."""
    rows, total = await service.list(status=status_, field_code=field, sort=sort, page=page)
    return page_of(rows, total, page, ProcedureRead.model_validate)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a draft procedure",
    responses=problem_responses(409),
)
async def create_procedure(
    body: ProcedureCreate,
    service: Service,
    response: Response,
    _principal: Annotated[Principal, require_roles(Role.CATALOG_EDITOR)],
) -> ProcedureRead:
    """Enter a new procedure as a draft. Needs `catalog_editor`."""
    procedure = await service.create_draft(body)
    response.headers["Location"] = f"/api/v1/procedures/{procedure.code}"
    return ProcedureRead.model_validate(procedure)


@router.get("/{code}", summary="Read a procedure", responses=problem_responses(404))
async def get_procedure(
    code: Annotated[ProcedureCode, Path(description="National procedure code (MaTTHC).")],
    service: Service,
) -> ProcedureRead:
    """One procedure by its national code. Public."""
    return ProcedureRead.model_validate(await service.get(code))
