"""HTTP for /api/v1/procedures/export and /api/v1/procedures/import."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from motcua_kit.auth import Principal, Role, require_roles
from motcua_kit.collector import pause_collector
from motcua_kit.db import DBSession
from motcua_kit.errors import problem_responses
from procedure_catalog.announcements.repository import AnnouncementRepository
from procedure_catalog.announcements.router import announcement_summary
from procedure_catalog.config import CatalogSettings
from procedure_catalog.dependencies import Filters, Language, Today
from procedure_catalog.exchange.schemas import ExportFormat, ImportOutcome, ImportReport, ImportRequest
from procedure_catalog.exchange.service import ExchangeService
from procedure_catalog.exchange.tabular import headers_for, public_rows, to_csv, to_xlsx
from procedure_catalog.procedures.repository import ProcedureRepository
from procedure_catalog.reference.repository import ReferenceRepository

router = APIRouter(prefix="/procedures", tags=["exchange"])

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {
    ExportFormat.NATIONAL: "application/json",
    ExportFormat.XLSX: XLSX_MEDIA_TYPE,
    ExportFormat.CSV: "text/csv; charset=utf-8",
}


async def get_service(session: DBSession, today: Today) -> ExchangeService:
    return ExchangeService(
        ProcedureRepository(session), ReferenceRepository(session), AnnouncementRepository(session), today
    )


Service = Annotated[ExchangeService, Depends(get_service)]


@router.get(
    "/export",
    summary="Export the catalogue",
    response_class=Response,
    responses={
        200: {
            "description": "The national records (JSON), or the public list as XLSX or CSV.",
            "content": {"application/json": {}, XLSX_MEDIA_TYPE: {}, "text/csv": {}},
        }
    },
    # The whole catalogue in memory at once (see import_procedures).
    dependencies=[Depends(pause_collector)],
)
async def export_procedures(
    service: Service,
    filters: Filters,
    language: Language,
    format_: Annotated[ExportFormat, Query(alias="format")] = ExportFormat.NATIONAL,
) -> Response:
    """The versions in force on a day (same filters as the list) as national records or the public list. Public.

    `national` is the shape `POST /api/v1/procedures/import` takes back; `xlsx` and `csv` are the
    public list (niêm yết) in the language of `Accept-Language`.
    """
    versions = await service.versions(filters)
    stamp = filters.day.strftime("%Y%m%d")
    headers = {
        "Content-Disposition": f'attachment; filename="tthc-{stamp}.{format_.value.replace("national", "json")}"'
    }
    if format_ is ExportFormat.NATIONAL:
        body = await run_in_threadpool(lambda: orjson.dumps(service.national_document(versions, filters.day)))
        return Response(body, media_type=MEDIA_TYPES[format_], headers=headers)
    rows = public_rows(versions, language)
    titles = headers_for(language)
    if format_ is ExportFormat.XLSX:
        sheet = "Danh mục TTHC" if language.language == "vi" else "Procedures"
        body = await run_in_threadpool(to_xlsx, sheet, titles, rows)
    else:
        body = to_csv(titles, rows)
    headers["Content-Language"] = language.content_language
    return Response(body, media_type=MEDIA_TYPES[format_], headers=headers)


@router.post(
    "/import",
    summary="Import national records",
    responses=problem_responses(409, 422),
    # Thousands of records in memory at once: the collector's full passes would walk them all, for nothing
    # (motcua_kit.collector).
    dependencies=[Depends(pause_collector)],
)
async def import_procedures(
    body: ImportRequest,
    service: Service,
    request: Request,
    language: Language,
    editor: Annotated[Principal, require_roles(Role.CATALOG_EDITOR)],
) -> ImportReport:
    """Create, amend or abolish procedures from national records; report each record. Needs `catalog_editor`.

    Idempotent: the same records twice change nothing the second time. Malformed records are
    rejected one by one with their reasons while the others go in; the changes are recorded under
    one announcement decision (`decision`, or one naming the national database).
    """
    settings: CatalogSettings = request.app.state.settings
    records, announcement, counts = await service.import_records(body, editor.subject, settings.import_max_records)
    summary = dict.fromkeys(ImportOutcome, 0)
    for record in records:
        summary[record.outcome] += 1
    return ImportReport(
        summary=summary,
        announcement=announcement_summary(announcement, counts, language) if announcement else None,
        records=records,
    )
