"""HTTP for /api/v1/dossiers: reception, reading, staff lists, the timeline."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response, status
from fastapi.responses import JSONResponse

from dossier_api.calendar.rules import Progress
from dossier_api.calendars.repository import CalendarRepository
from dossier_api.calendars.service import CalendarService
from dossier_api.catalog.lookup import ProcedureInForce, ProcedureLookup
from dossier_api.config import DossierSettings
from dossier_api.dossiers.repository import SORTABLE, DossierFilter, DossierRepository
from dossier_api.dossiers.schemas import DossierCode, DossierCreate, DossierRead, DossierReceipt, DossierSummary
from dossier_api.dossiers.service import DossierService, request_fingerprint
from dossier_api.dossiers.timeline_schemas import TimelineEntryRead
from dossier_api.dossiers.views import dossier_etag, dossier_version_etag, to_read, to_receipt, to_summary
from dossier_api.models import Channel, DossierStatus, ReturnMethod, Timeliness
from dossier_api.observability import dossier_metrics
from motcua_kit.auth import Principal, Role, require_roles
from motcua_kit.concurrency import set_etag
from motcua_kit.db import DBSession, utcnow
from motcua_kit.errors import problem_responses
from motcua_kit.pagination import Page, Pagination, SortKey, page_of, sort_param
from motcua_kit.timezone import Day, Instant, local_date

router = APIRouter(prefix="/dossiers", tags=["dossiers"])

CodePath = Annotated[DossierCode, Path(description="Dossier code, `<agency>-YYMMDD-NNNN`.")]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=r"^[\x21-\x7e]{1,200}$",
        description="A unique string per intended reception: a retry with the same key and body gets the same answer.",
    ),
]

READERS = (
    Role.RECEPTION_OFFICER,
    Role.PROCESSING_OFFICER,
    Role.LEADER,
    Role.REPORTER,
    Role.INTEGRATION,
    Role.CITIZEN,
    Role.INTERMEDIARY,
)


async def get_service(request: Request, session: DBSession) -> DossierService:
    settings: DossierSettings = request.app.state.settings
    calendars = CalendarService(CalendarRepository(session), request.app.state.calendars)
    return DossierService(
        DossierRepository(session), calendars, agency_code=settings.agency_code, metrics=dossier_metrics(request)
    )


Service = Annotated[DossierService, Depends(get_service)]


async def procedure_in_force(body: DossierCreate, request: Request) -> ProcedureInForce:
    """Asked before the transaction opens, so no database lock is held during the call."""
    procedures: ProcedureLookup = request.app.state.procedures
    return await procedures.in_force(body.procedure_code, local_date(utcnow()))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Receive a dossier",
    responses=problem_responses(409, 502, 503),
)
async def receive_dossier(
    *,
    body: DossierCreate,
    response: Response,
    principal: Annotated[
        Principal, require_roles(Role.RECEPTION_OFFICER, Role.INTEGRATION, Role.CITIZEN, Role.INTERMEDIARY)
    ],
    procedure: Annotated[ProcedureInForce, Depends(procedure_in_force)],
    service: Service,
    idempotency_key: IdempotencyKey = None,
) -> DossierReceipt:
    """Register a dossier and give it its code, due date and tracking secret (shown once).

    Staff receive it at once (or record it as incomplete, or refuse it); an applicant's awaits
    reception. The procedure must be in force in the catalogue today; its name, processing time
    and fees for the channel are frozen onto the dossier. When the catalogue cannot be reached, the
    version in force in the local copy of the catalogue (kept from its events) is used, and
    `procedure.source` says so.
    """
    fingerprint = request_fingerprint(body)
    if idempotency_key is not None:
        replay = await service.replay(principal, idempotency_key, fingerprint)
        if replay is not None:
            return JSONResponse(  # type: ignore[return-value]
                replay.body,
                status_code=replay.status,
                headers={
                    "Location": f"/api/v1/dossiers/{replay.body['code']}",
                    "Idempotent-Replayed": "true",
                    # The first answer's ETag, as its body is the first answer's: stale (412) if the dossier moved on.
                    "ETag": dossier_version_etag(replay.body["code"], replay.body["version"]),
                },
            )
    reception = await service.receive(body, principal, procedure)
    receipt = to_receipt(reception.dossier, principal, reception.tracking_secret)
    if idempotency_key is not None:
        await service.remember(principal, idempotency_key, status.HTTP_201_CREATED, receipt.model_dump(mode="json"))
    response.headers["Location"] = f"/api/v1/dossiers/{reception.dossier.code}"
    set_etag(response, dossier_etag(reception.dossier))
    return receipt


@router.get("", summary="List dossiers")
async def list_dossiers(
    *,
    service: Service,
    page: Pagination,
    principal: Annotated[Principal, require_roles(*READERS)],
    sort: Annotated[list[SortKey], sort_param(list(SORTABLE), default="-received_at")],
    status_: Annotated[list[DossierStatus] | None, Query(alias="status", max_length=10)] = None,
    procedure: Annotated[str | None, Query(max_length=40, description="Procedure code (MaTTHC).")] = None,
    channel: Channel | None = None,
    agency: Annotated[str | None, Query(max_length=20, description="Receiving or current agency.")] = None,
    officer: Annotated[str | None, Query(max_length=100, description="Assigned officer.")] = None,
    overdue: Annotated[bool | None, Query(description="In progress and past the due date (or not).")] = None,
    timeliness: Annotated[
        list[Timeliness] | None, Query(max_length=3, description="Early, on time, late (repeat for several).")
    ] = None,
    due_before: Instant | None = None,
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
    intermediary: Annotated[str | None, Query(max_length=40, description="Intermediary organisation code.")] = None,
    receiving_agency: Annotated[
        str | None, Query(max_length=20, description="The agency that received it (as the statistics count).")
    ] = None,
    resolved_from: Annotated[dt.date | None, Query(description="Resolved on or after this day (Vietnam).")] = None,
    resolved_to: Annotated[dt.date | None, Query(description="Resolved on or before this day.")] = None,
    finished_from: Annotated[
        dt.date | None, Query(description="Finished (resolved, refused, withdrawn, stopped) on or after this day.")
    ] = None,
    finished_to: Annotated[dt.date | None, Query(description="Finished on or before this day.")] = None,
    open_after: Annotated[dt.date | None, Query(description="Not finished on or before this day.")] = None,
    progress: Annotated[
        Progress | None,
        Query(description="In progress at the end of `progress_on` and, judged then, in time or overdue."),
    ] = None,
    progress_on: Annotated[Day | None, Query(description="The day `progress` is judged at (default today).")] = None,
    paid: Annotated[bool | None, Query(description="Fees paid (by any method) or not.")] = None,
    paid_online: Annotated[bool | None, Query(description="Fees paid online or not.")] = None,
    return_method: Annotated[ReturnMethod | None, Query(description="How the result goes back.")] = None,
) -> Page[DossierSummary]:
    """Dossiers, filtered. Staff see all (personal data masked for leaders and reporters); citizens and
    intermediaries see only their own. Each figure of `GET /dossiers/stats` links here with the
    filters that reproduce its count."""
    filters = DossierFilter(
        status=status_ or (),
        procedure_code=procedure,
        channel=channel,
        agency_code=agency,
        officer=officer,
        overdue=overdue,
        timeliness=timeliness or (),
        due_before=due_before,
        received_from=received_from,
        received_to=received_to,
        intermediary_code=intermediary,
        receiving_agency=receiving_agency,
        resolved_from=resolved_from,
        resolved_to=resolved_to,
        finished_from=finished_from,
        finished_to=finished_to,
        open_after=open_after,
        progress=progress,
        progress_on=progress_on,
        paid=paid,
        paid_online=paid_online,
        return_method=return_method,
    )
    now = utcnow()
    rows, total = await service.list(filters, principal, sort=sort, page=page, now=now)
    return page_of(rows, total, page, lambda d: to_summary(d, principal, now))


@router.get("/{code}", summary="Read a dossier", responses=problem_responses(404))
async def get_dossier(
    *,
    code: CodePath,
    service: Service,
    response: Response,
    principal: Annotated[Principal, require_roles(*READERS)],
) -> DossierRead:
    """One dossier, for staff or for the applicant who filed it. The ETag goes back in If-Match for actions."""
    dossier = await service.get(code, principal)
    set_etag(response, dossier_etag(dossier))
    return to_read(dossier, principal)


@router.get("/{code}/timeline", summary="The dossier's timeline", responses=problem_responses(404))
async def get_timeline(
    *,
    code: CodePath,
    service: Service,
    principal: Annotated[Principal, require_roles(*READERS)],
) -> list[TimelineEntryRead]:
    """Every step: who, in which role and unit, when, what, and the step's deadline (process-control record)."""
    dossier = await service.get(code, principal)
    return [TimelineEntryRead.model_validate(e) for e in await service.timeline(dossier)]
