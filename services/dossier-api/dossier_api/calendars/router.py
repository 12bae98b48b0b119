"""HTTP for /api/v1/calendars: each agency's working-day calendar, versioned."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from dossier_api.calendars.repository import CalendarRepository
from dossier_api.calendars.schemas import (
    CalendarRead,
    CalendarUpdate,
    CalendarVersionSummary,
    DueDatePreview,
)
from dossier_api.calendars.service import AgencyCalendar, CalendarRegistry, CalendarService, calendar_etag
from motcua_kit.auth import Principal, Role, require_roles
from motcua_kit.concurrency import IfMatch, set_etag
from motcua_kit.db import DBSession
from motcua_kit.errors import problem_responses
from motcua_kit.timezone import Instant

router = APIRouter(prefix="/calendars", tags=["calendars"])

Agency = Annotated[str, Path(pattern=r"^[A-Za-z0-9.]{2,20}$", description="Agency code, e.g. `SNGV`.")]


async def get_service(request: Request, session: DBSession) -> CalendarService:
    registry: CalendarRegistry = request.app.state.calendars
    return CalendarService(CalendarRepository(session), registry)


Service = Annotated[CalendarService, Depends(get_service)]


def to_read(calendar: AgencyCalendar) -> CalendarRead:
    record = calendar.record
    return CalendarRead(
        agency_code=calendar.agency_code,
        version=calendar.version,
        rules=calendar.rules,
        note=record.note if record else None,
        created_by=record.created_by if record else None,
        created_at=record.created_at if record else None,
    )


@router.get("/{agency}", summary="Read an agency's calendar")
async def get_calendar(agency: Agency, service: Service, response: Response) -> CalendarRead:
    """The calendar in force: the agency's latest version (0 when it has added nothing). Public."""
    calendar = await service.current(agency)
    set_etag(response, calendar_etag(agency, calendar.version))
    return to_read(calendar)


@router.put("/{agency}", summary="Change an agency's calendar", responses=problem_responses(409, 412, 428))
async def update_calendar(
    *,
    agency: Agency,
    body: CalendarUpdate,
    service: Service,
    response: Response,
    principal: Annotated[Principal, require_roles(Role.LEADER)],
    if_match: IfMatch = None,
) -> CalendarRead:
    """Write a new version (days off, worked days, closures, working hours). Needs `leader` and If-Match."""
    calendar = await service.update(agency, body, if_match, principal)
    set_etag(response, calendar_etag(agency, calendar.version))
    return to_read(calendar)


@router.get("/{agency}/versions", summary="List the versions of an agency's calendar")
async def list_versions(agency: Agency, service: Service) -> list[CalendarVersionSummary]:
    """Every version, newest first. Public."""
    return [
        CalendarVersionSummary(version=v.version, note=v.note, created_by=v.created_by, created_at=v.created_at)
        for v in await service.versions(agency)
    ]


@router.get("/{agency}/versions/{version}", summary="Read one version", responses=problem_responses(404))
async def get_version(
    *, agency: Agency, version: Annotated[int, Path(ge=0, le=1_000_000)], service: Service
) -> CalendarRead:
    """A past version, as the dossiers it dated saw it. Public."""
    return to_read(await service.version(agency, version))


@router.get("/{agency}/due-date", summary="Preview a due date")
async def preview_due_date(
    *,
    agency: Agency,
    service: Service,
    start: Annotated[Instant, Query(description="Reception instant, with its offset.")],
    working_days: Annotated[float | None, Query(gt=0, le=3650)] = None,
    working_hours: Annotated[float | None, Query(gt=0, le=29200)] = None,
) -> DueDatePreview:
    """When a dossier received at `start` would be due, on the calendar in force. Public."""
    return await service.preview(agency, start, working_days, working_hours)
