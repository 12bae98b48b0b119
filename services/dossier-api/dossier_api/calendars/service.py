"""Agency calendars as data: versioned additions on top of the national calendar engine."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from dossier_api.calendar.engine import (
    CalendarRangeError,
    Duration,
    DurationUnit,
    WorkingCalendar,
    WorkingPeriod,
    default_rules,
)
from dossier_api.calendars.repository import CalendarRepository
from dossier_api.calendars.schemas import CalendarRulesDoc, CalendarUpdate, DueDatePreview
from dossier_api.models import CalendarVersion
from motcua_kit.auth import Principal
from motcua_kit.concurrency import check_if_match, etag_for
from motcua_kit.db import utcnow
from motcua_kit.errors import NotFound, UnprocessableContent

# National holidays are loaded for these years; a due date beyond them would miss holidays.
FIRST_CALENDAR_YEAR = 1990
YEARS_AHEAD = 5


def calendar_years(today: dt.date | None = None) -> range:
    today = today or dt.datetime.now(dt.UTC).date()
    return range(FIRST_CALENDAR_YEAR, today.year + YEARS_AHEAD + 1)


def calendar_etag(agency_code: str, version: int) -> str:
    return etag_for("calendar", agency_code, version)


@dataclass(frozen=True, slots=True)
class AgencyCalendar:
    agency_code: str
    version: int
    rules: CalendarRulesDoc
    calendar: WorkingCalendar
    record: CalendarVersion | None


class CalendarRegistry:
    """Built calendars, by their rules: a version never changes, so a built one is kept for good.

    Keyed by the rules themselves rather than the version number, so a version written by a
    transaction that then rolled back can never stand in for a later one with the same number.
    """

    def __init__(self, max_entries: int = 256) -> None:
        self._built: dict[str, WorkingCalendar] = {}
        self._lock = threading.Lock()
        self._max_entries = max_entries

    def calendar(self, rules: CalendarRulesDoc) -> WorkingCalendar:
        key = rules.model_dump_json()
        built = self._built.get(key)
        if built is None:
            built = build_calendar(rules)
            with self._lock:
                if len(self._built) >= self._max_entries:
                    self._built.pop(next(iter(self._built)))
                self._built[key] = built
        return built


def build_calendar(rules: CalendarRulesDoc) -> WorkingCalendar:
    """The engine's national defaults (holidays, announced swaps) plus the agency's own additions."""
    closures = [day.date for day in rules.days_off] + [day for closure in rules.closures for day in closure.days()]
    national = default_rules(
        calendar_years(),
        closures=closures,
        extra_working_days=[day.date for day in rules.worked_days],
        periods=[WorkingPeriod(period.start, period.end) for period in rules.periods],
    )
    return WorkingCalendar(national)


class CalendarService:
    def __init__(self, repository: CalendarRepository, registry: CalendarRegistry) -> None:
        self.repository = repository
        self.registry = registry

    async def current(self, agency_code: str) -> AgencyCalendar:
        """The calendar in force for an agency: its latest version, or the national one (version 0)."""
        record = await self.repository.latest(agency_code)
        return self._wrap(agency_code, record)

    async def version(self, agency_code: str, version: int) -> AgencyCalendar:
        if version == 0:
            return self._wrap(agency_code, None)
        record = await self.repository.get(agency_code, version)
        if record is None:
            raise NotFound(f"No version {version} of {agency_code}'s calendar.", code="calendar_version_not_found")
        return self._wrap(agency_code, record)

    async def versions(self, agency_code: str) -> Sequence[CalendarVersion]:
        return await self.repository.versions(agency_code)

    async def update(
        self, agency_code: str, data: CalendarUpdate, if_match: str | None, principal: Principal
    ) -> AgencyCalendar:
        """Every change is a new version; the previous ones stay, for the dossiers they dated."""
        current = await self.current(agency_code)
        check_if_match(if_match, calendar_etag(agency_code, current.version))
        rules = CalendarRulesDoc.model_validate(data.model_dump(exclude={"note"}))
        try:
            build_calendar(rules)
        except ValueError as exc:
            raise UnprocessableContent(str(exc), code="invalid_calendar") from exc
        record = await self.repository.add(
            CalendarVersion(
                agency_code=agency_code,
                version=current.version + 1,
                rules=rules.model_dump(mode="json"),
                note=data.note,
                created_by=principal.subject,
                created_at=utcnow(),
            )
        )
        return self._wrap(agency_code, record)

    async def preview(
        self, agency_code: str, start: dt.datetime, working_days: float | None, working_hours: float | None
    ) -> DueDatePreview:
        """The due date a dossier received at ``start`` would get, with the calendar in force now."""
        if (working_days is None) == (working_hours is None):
            raise UnprocessableContent(
                "Give either working_days or working_hours.",
                code="duration_required",
            )
        current = await self.current(agency_code)
        duration = (
            Duration(working_days, DurationUnit.WORKING_DAYS)
            if working_days is not None
            else Duration(float(working_hours or 0), DurationUnit.WORKING_HOURS)
        )
        try:
            clock_started_at = current.calendar.clock_start(start)
            due_at = current.calendar.due_at(start, duration)
        except CalendarRangeError as exc:
            raise UnprocessableContent(str(exc), code="outside_calendar") from exc
        return DueDatePreview(
            agency_code=agency_code,
            calendar_version=current.version,
            start=start,
            clock_started_at=clock_started_at,
            working_days=working_days,
            working_hours=working_hours,
            due_at=due_at,
        )

    def _wrap(self, agency_code: str, record: CalendarVersion | None) -> AgencyCalendar:
        version = record.version if record else 0
        rules = CalendarRulesDoc.model_validate(record.rules) if record else CalendarRulesDoc()
        calendar = self.registry.calendar(rules)
        return AgencyCalendar(agency_code, version, rules, calendar, record)
