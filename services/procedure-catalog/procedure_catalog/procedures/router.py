"""HTTP for /api/v1/procedures: lists and search, reading versions, drafts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response, status

from motcua_kit.auth import Principal, Role, require_roles
from motcua_kit.concurrency import IfMatch, set_etag
from motcua_kit.db import DBSession
from motcua_kit.errors import problem_responses
from motcua_kit.pagination import Page, Pagination, SortKey, page_of, sort_param
from procedure_catalog.constraints import Day, ProcedureCode
from procedure_catalog.dependencies import Filters, Language, Today
from procedure_catalog.procedures.repository import SORTABLE, ProcedureRepository
from procedure_catalog.procedures.schemas import (
    DraftRead,
    DraftSummary,
    ProcedureCreate,
    ProcedureRead,
    ProcedureSummary,
    VersionDiff,
    VersionSummary,
)
from procedure_catalog.procedures.search_cache import SearchCache
from procedure_catalog.procedures.service import DraftState, ProcedureService, draft_etag, version_etag
from procedure_catalog.procedures.views import draft_summary, draft_view, summary_view, version_summary, version_view
from procedure_catalog.reference.repository import ReferenceRepository
from procedure_catalog.reference.service import ReferenceService

router = APIRouter(prefix="/procedures", tags=["procedures"])
drafts_router = APIRouter(prefix="/procedures", tags=["procedure drafts"])

Code = Annotated[ProcedureCode, Path(description="National procedure code (MaTTHC).")]
VersionNumber = Annotated[int, Path(ge=1, le=1_000_000, description="Version number, from 1.")]
Editor = Annotated[Principal, require_roles(Role.CATALOG_EDITOR)]


async def get_service(session: DBSession, today: Today) -> ProcedureService:
    return ProcedureService(ProcedureRepository(session), ReferenceService(ReferenceRepository(session)), today)


Service = Annotated[ProcedureService, Depends(get_service)]


async def search_results(request: Request) -> SearchCache[Page[ProcedureSummary]]:
    cache: SearchCache[Page[ProcedureSummary]] = request.app.state.search_cache
    return cache


SearchResults = Annotated[SearchCache[Page[ProcedureSummary]], Depends(search_results)]


def _draft(state: DraftState, response: Response, language: Language) -> DraftRead:
    set_etag(response, draft_etag(state.procedure.code, state.draft))
    read = draft_view(state.procedure.code, state.draft, state.field, state.agency, language)
    language.set_header(response)
    return read


@router.get("", summary="List and search procedures", responses=problem_responses(422))
async def list_procedures(
    *,
    service: Service,
    cache: SearchResults,
    filters: Filters,
    page: Pagination,
    response: Response,
    language: Language,
    sort: Annotated[list[SortKey], sort_param(list(SORTABLE), default="relevance")],
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Words to find in either language, with or without diacritics (`the di lai`, `THẺ ĐI LẠI`).",
        ),
    ] = None,
) -> Page[ProcedureSummary]:
    """The versions in force on a day (today by default), filtered, searched and ranked. Public."""

    async def search() -> Page[ProcedureSummary]:
        rows, total = await service.search(filters, q, sort, page)
        return page_of(rows, total, page, lambda row: summary_view(row, language))

    key = (filters, q, tuple(sort), page, language.language)
    result = await cache.get_or_compute(service.revision, key, language, search)
    language.set_header(response)
    return result


@drafts_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a procedure as a draft",
    responses=problem_responses(409, 422),
)
async def create_procedure(
    body: ProcedureCreate, service: Service, response: Response, language: Language, editor: Editor
) -> DraftRead:
    """Enter a new procedure as a draft; an announcement decision publishes it. Needs `catalog_editor`."""
    state = await service.create_draft(body, editor.subject)
    response.headers["Location"] = f"/api/v1/procedures/{state.procedure.code}/draft"
    return _draft(state, response, language)


@drafts_router.get("/drafts", summary="List open drafts")
async def list_drafts(service: Service, page: Pagination, _editor: Editor) -> Page[DraftSummary]:
    """Every open draft, the most recently edited first. Needs `catalog_editor`."""
    rows, total = await service.drafts(page)
    return page_of(rows, total, page, lambda row: draft_summary(row[1], row[0]))


@router.get("/{code}", summary="Read the version in force", responses=problem_responses(404))
async def get_procedure(
    code: Code,
    service: Service,
    response: Response,
    language: Language,
    at: Annotated[Day | None, Query(description="The day (YYYY-MM-DD) whose version to read; default today.")] = None,
) -> ProcedureRead:
    """The version in force today, or on `at`; an abolished procedure answers with `status: abolished`. Public."""
    version, announcement = await service.in_force(code, at)
    set_etag(response, version_etag(version))
    read = version_view(version, announcement, language)
    language.set_header(response)
    return read


@drafts_router.patch(
    "/{code}",
    summary="Edit the open draft",
    responses=problem_responses(404, 409, 412, 422, 428),
    openapi_extra={"requestBody": {"content": {"application/merge-patch+json": {"schema": {"type": "object"}}}}},
)
async def edit_procedure(
    *,
    code: Code,
    patch: Annotated[dict[str, Any], Body(description="JSON Merge Patch of the record.")],
    service: Service,
    response: Response,
    language: Language,
    editor: Editor,
    if_match: IfMatch = None,
) -> DraftRead:
    """Edit the procedure's open draft (JSON Merge Patch), with its ETag in `If-Match`.

    A published version is never edited: without an open draft this is a 409. Needs `catalog_editor`.
    """
    return _draft(await service.edit_draft(code, patch, if_match, editor.subject), response, language)


@drafts_router.get("/{code}/draft", summary="Read the open draft", responses=problem_responses(404))
async def get_draft(code: Code, service: Service, response: Response, language: Language, _editor: Editor) -> DraftRead:
    """The open draft and its ETag. Needs `catalog_editor`."""
    return _draft(await service.draft(code), response, language)


@drafts_router.post(
    "/{code}/draft",
    status_code=status.HTTP_201_CREATED,
    summary="Open an amendment draft",
    responses=problem_responses(404, 409),
)
async def open_draft(code: Code, service: Service, response: Response, language: Language, editor: Editor) -> DraftRead:
    """Start amending a published procedure: a draft copied from its latest version. Needs `catalog_editor`."""
    state = await service.open_amendment(code, editor.subject)
    response.headers["Location"] = f"/api/v1/procedures/{code}/draft"
    return _draft(state, response, language)


@drafts_router.delete(
    "/{code}/draft",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Discard the open draft",
    responses=problem_responses(404, 412, 428),
)
async def discard_draft(code: Code, service: Service, _editor: Editor, if_match: IfMatch = None) -> None:
    """Throw the draft away (a never-published procedure goes with it). Needs `catalog_editor`."""
    await service.discard_draft(code, if_match)


@router.get("/{code}/versions", summary="Version history", responses=problem_responses(404))
async def list_versions(code: Code, service: Service, today: Today) -> list[VersionSummary]:
    """Every published version, oldest first, with the decision that made it. Public."""
    return [version_summary(v, a, action, today) for v, a, action in await service.history(code)]


@router.get("/{code}/versions/{number}", summary="Read one version", responses=problem_responses(404))
async def get_version(
    code: Code, number: VersionNumber, service: Service, response: Response, language: Language
) -> ProcedureRead:
    """One version of the history, as it was published. Public."""
    version, announcement = await service.version(code, number)
    set_etag(response, version_etag(version))
    read = version_view(version, announcement, language)
    language.set_header(response)
    return read


@router.get("/{code}/versions/{number}/diff", summary="What a version changed", responses=problem_responses(404))
async def diff_version(code: Code, number: VersionNumber, service: Service) -> VersionDiff:
    """Field-by-field difference between version `number` and the one before it. Public."""
    version, previous, changes = await service.diff(code, number)
    return VersionDiff(
        code=code,
        version=version.number,
        previous_version=previous.number if previous else None,
        status=version.status,
        previous_status=previous.status if previous else None,
        changes=changes,
    )
