"""HTTP for /api/v1/reports: the overview (JSON, XLSX, CSV, PDF), the scorecard, the public summary,
and closed periods. The gateway's own routes: its edge has checked the policy; the roles are checked
here again."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from motcua_gateway.config import GatewaySettings
from motcua_gateway.reports.exports.csv_export import render_csv
from motcua_gateway.reports.exports.pdf_export import render_pdf
from motcua_gateway.reports.exports.table import Labels
from motcua_gateway.reports.exports.xlsx_export import render_xlsx
from motcua_gateway.reports.periods import ClosablePeriod, Period, overview_period, parse_period_key
from motcua_gateway.reports.repository import ReportPeriodRepository
from motcua_gateway.reports.schemas import (
    AgencyCode,
    FrozenReportRead,
    Overview,
    PeriodClose,
    PeriodKey,
    PeriodReopen,
    PeriodStatus,
    PublicSummary,
    ReportPeriodRead,
    Scorecard,
)
from motcua_gateway.reports.service import PeriodService, ReportService
from motcua_kit.auth import Principal, Role
from motcua_kit.db import DBSession, utcnow
from motcua_kit.errors import Forbidden, Unauthorized, problem_responses
from motcua_kit.i18n import AcceptLanguage, negotiate_language, set_content_language
from motcua_kit.timezone import local_date


async def no_store(response: Response) -> None:
    """Figures for staff are not kept by shared caches (the public summary says otherwise)."""
    response.headers["Cache-Control"] = "no-store"


router = APIRouter(prefix="/reports", tags=["reports"], dependencies=[Depends(no_store)])

READERS = frozenset({Role.REPORTER, Role.LEADER})
SECURED: dict[str, Any] = {"security": [{"bearerAuth": []}, {"apiKeyAuth": []}]}
AUTH_ERRORS = (401, 403, 429)


async def report_reader(request: Request) -> Principal:
    """The caller the edge authenticated; the policy already required `reporter` or `leader` (or `admin`)."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:
        raise Unauthorized("A bearer token or an API key is required.")
    if not principal.has_any(READERS):
        raise Forbidden("Reports need one of the roles: admin, leader, reporter.", code="missing_role")
    return principal


Reader = Annotated[Principal, Depends(report_reader)]


async def get_reports(request: Request) -> ReportService:
    service: ReportService = request.app.state.reports
    return service


Reports = Annotated[ReportService, Depends(get_reports)]


async def get_periods(session: DBSession) -> PeriodService:
    return PeriodService(ReportPeriodRepository(session))


Periods = Annotated[PeriodService, Depends(get_periods)]


async def requested_period(
    from_: Annotated[
        dt.date | None, Query(alias="from", description="First day (Vietnam), default 1 January of `to`'s year.")
    ] = None,
    to: Annotated[dt.date | None, Query(description="Last day, included (default: today).")] = None,
) -> Period:
    return overview_period(from_, to, local_date(utcnow()))


RequestedPeriod = Annotated[Period, Depends(requested_period)]
Agency = Annotated[AgencyCode | None, Query(description="One agency's figures (default: all agencies).")]
Live = Annotated[bool, Query(description="Compute from the services even when the period is closed.")]
ScopeAgency = Annotated[AgencyCode | None, Query(description="The agency the period was closed for (default all).")]
PeriodPath = Annotated[PeriodKey, Path(description="`YYYY-MM`, `YYYY-Qn` or `YYYY`.")]


class ExportFormat(StrEnum):
    JSON = "json"
    XLSX = "xlsx"
    CSV = "csv"
    PDF = "pdf"


MEDIA_TYPES = {
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.PDF: "application/pdf",
}

EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The overview: JSON, or the file asked for with `format`.",
        "content": {
            MEDIA_TYPES[ExportFormat.XLSX]: {"schema": {"type": "string", "format": "binary"}},
            "text/csv": {"schema": {"type": "string"}},
            MEDIA_TYPES[ExportFormat.PDF]: {"schema": {"type": "string", "format": "binary"}},
        },
    },
    **problem_responses(*AUTH_ERRORS),
}


def _caller_authorization(request: Request) -> str | None:
    return request.headers.get("authorization")


def _filename(overview: Overview, extension: str) -> str:
    scope = overview.agency or "all"
    return f"bao-cao-{scope}-{overview.period.from_:%Y%m%d}-{overview.period.to:%Y%m%d}.{extension}"


@router.get(
    "/overview",
    summary="The figures of a period, across services",
    response_model=Overview,
    responses=EXPORT_RESPONSES,
    openapi_extra=SECURED,
)
async def overview(
    *,
    request: Request,
    reports: Reports,
    _reader: Reader,
    period: RequestedPeriod,
    agency: Agency = None,
    format_: Annotated[ExportFormat, Query(alias="format", description="json (default), xlsx, csv or pdf.")] = (
        ExportFormat.JSON
    ),
    live: Live = False,
    accept_language: AcceptLanguage = None,
) -> Any:
    """The catalogue, dossiers and satisfaction of a period, composed from the services' statistics; every
    dossier count links to the dossier list that produces it. A closed period answers its stored figures
    (`source: frozen`). A service that does not answer leaves its part null and named in `missing`.
    `format=xlsx|csv|pdf` gives the same as a file. Needs `reporter` or `leader`."""
    result, card = await reports.report(period, agency, _caller_authorization(request), live=live)
    if format_ is ExportFormat.JSON:
        return result
    language = negotiate_language(accept_language)
    labels = Labels(language)
    settings: GatewaySettings = request.app.state.settings
    render = {ExportFormat.XLSX: render_xlsx, ExportFormat.CSV: render_csv, ExportFormat.PDF: render_pdf}[format_]
    content = render(result, card, labels, settings.public_base_url)
    response = Response(content, media_type=MEDIA_TYPES[format_])
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename(result, format_.value)}"'
    response.headers["Cache-Control"] = "no-store"
    set_content_language(response, language)
    return response


@router.get(
    "/scorecard",
    summary="The period scored in the shape of Decision 766/QĐ-TTg",
    responses=problem_responses(*AUTH_ERRORS),
    openapi_extra=SECURED,
)
async def scorecard(
    *,
    request: Request,
    reports: Reports,
    _reader: Reader,
    period: RequestedPeriod,
    agency: Agency = None,
    live: Live = False,
) -> Scorecard:
    """Publicity, progress, online services, online payment, satisfaction and digitisation, each with the
    inputs it was computed from (see docs/reports.md for the method). Needs `reporter` or `leader`."""
    return await reports.scorecard(period, agency, _caller_authorization(request), live=live)


@router.get("/public", summary="Headline figures, for everyone", responses=problem_responses(429))
async def public(
    *, reports: Reports, period: RequestedPeriod, agency: Agency = None, response: Response
) -> PublicSummary:
    """Counts and shares only (no lists, no personal data), reused for a few minutes. Public."""
    summary = await reports.public(period, agency)
    response.headers["Cache-Control"] = "public, max-age=60"
    return summary


@router.get(
    "/periods",
    summary="Closed and reopened periods",
    responses=problem_responses(*AUTH_ERRORS),
    openapi_extra=SECURED,
)
async def list_periods(
    *,
    periods: Periods,
    _reader: Reader,
    agency: Annotated[AgencyCode | None, Query(description="Only this agency's periods.")] = None,
    status_: Annotated[PeriodStatus | None, Query(alias="status")] = None,
) -> list[ReportPeriodRead]:
    """Every period ever closed, latest first, with its revisions and log. Needs `reporter` or `leader`."""
    return list(await periods.list(agency, status_))


async def overview_to_close(body: PeriodClose, request: Request, reports: Reports) -> tuple[ClosablePeriod, Overview]:
    """Asked before the request's transaction opens, so no database lock is held while the services answer."""
    closable = parse_period_key(body.period)
    return closable, await reports.live(closable.period, body.agency, _caller_authorization(request))


@router.post(
    "/periods",
    status_code=status.HTTP_201_CREATED,
    summary="Close a period",
    responses=problem_responses(*AUTH_ERRORS, 409, 503),
    openapi_extra=SECURED,
)
async def close_period(
    *,
    body: PeriodClose,
    response: Response,
    reader: Reader,
    closing: Annotated[tuple[ClosablePeriod, Overview], Depends(overview_to_close)],
    periods: Periods,
) -> ReportPeriodRead:
    """Store the figures of a finished month, quarter or year; they are served unchanged from now on, even
    if records are corrected later. 409 `period_not_over`, `period_closed`; 503 `report_incomplete` when a
    service did not answer. Needs `reporter` or `leader`."""
    closable, live_overview = closing
    period = await periods.close(closable, body.agency, live_overview, reader, body.note)
    suffix = f"?agency={body.agency}" if body.agency else ""
    response.headers["Location"] = f"/api/v1/reports/periods/{closable.key}{suffix}"
    return await periods.describe(period)


@router.get(
    "/periods/{period}",
    summary="A closed period and its log",
    responses=problem_responses(*AUTH_ERRORS, 404),
    openapi_extra=SECURED,
)
async def read_period(
    *, period: PeriodPath, periods: Periods, _reader: Reader, agency: ScopeAgency = None
) -> ReportPeriodRead:
    """Its status, revisions and log (who closed or reopened it, when, why). Needs `reporter` or `leader`."""
    return await periods.read(period, agency)


@router.post(
    "/periods/{period}/reopen",
    summary="Reopen a closed period",
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
    openapi_extra=SECURED,
)
async def reopen_period(
    *, period: PeriodPath, body: PeriodReopen, periods: Periods, reader: Reader, agency: ScopeAgency = None
) -> ReportPeriodRead:
    """The period's figures are computed live again until it is closed once more (a new revision); the
    stored revisions stay readable. Logged with the caller and the reason. Needs `reporter` or `leader`."""
    return await periods.describe(await periods.reopen(period, agency, body.reason, reader))


@router.get(
    "/periods/{period}/revisions/{revision}",
    summary="One stored revision of a period",
    responses=problem_responses(*AUTH_ERRORS, 404),
    openapi_extra=SECURED,
)
async def read_revision(
    *,
    period: PeriodPath,
    revision: Annotated[int, Path(ge=1, le=1_000_000)],
    periods: Periods,
    _reader: Reader,
    agency: ScopeAgency = None,
) -> FrozenReportRead:
    """The overview and scorecard exactly as they were closed. Needs `reporter` or `leader`."""
    return await periods.revision(period, agency, revision)
