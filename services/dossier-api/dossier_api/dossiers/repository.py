"""All SQL about dossiers and their history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from dossier_api.calendar.rules import Progress
from dossier_api.models import (
    IN_PROGRESS_STATUSES,
    Channel,
    Dossier,
    DossierCodeCounter,
    DossierStatus,
    IdempotencyRecord,
    Pause,
    ReturnMethod,
    SupplementRequest,
    TimelineEntry,
    Timeliness,
    Transfer,
)
from motcua_kit.errors import PreconditionFailed
from motcua_kit.pagination import PageParams, Sortable, SortKey, apply_sort, paginate
from motcua_kit.timezone import VIETNAM, local_date


def local_day_start(instant: dt.datetime) -> dt.datetime:
    """The first instant of ``instant``'s day in Vietnam (in UTC)."""
    return dt.datetime.combine(local_date(instant), dt.time(), tzinfo=VIETNAM).astimezone(dt.UTC)


def local_day_start_sql(column: Any, dialect: str) -> ColumnElement[Any]:
    # Vietnam has kept UTC+7 without daylight saving since 1975, as the calendar engine assumes.
    if dialect == "postgresql":
        zone = "Asia/Ho_Chi_Minh"
        return func.timezone(zone, func.date_trunc("day", func.timezone(zone, column)))
    return func.datetime(func.date(column, "+7 hours"), "-7 hours")


def overdue_condition(as_of: dt.datetime, dialect: str) -> ColumnElement[bool]:
    """SQL for the named rule ``progress``: overdue from the day after the due day (Vietnam days).

    A paused dossier is judged on the day its clock stopped: the pause may still move its due date.
    """
    return and_(
        Dossier.status.in_(list(IN_PROGRESS_STATUSES)),
        Dossier.due_at.is_not(None),
        Dossier.due_at < local_day_start(as_of),
        or_(Dossier.paused_since.is_(None), Dossier.due_at < local_day_start_sql(Dossier.paused_since, dialect)),
    )


def end_of_day(day: dt.date) -> dt.datetime:
    """The first instant after ``day`` in Vietnam (in UTC)."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=VIETNAM).astimezone(dt.UTC)


def judged_at(day: dt.date, now: dt.datetime) -> dt.datetime:
    """When progress "at the end of ``day``" is judged: the end of that day, or now if it has not ended."""
    return min(now, end_of_day(day))


def open_after_condition(day: dt.date) -> ColumnElement[bool]:
    """Not finished (resolved, refused, withdrawn, stopped) on or before ``day``."""
    return or_(Dossier.finished_on.is_(None), Dossier.finished_on > day)


def overdue_at_condition(as_of: dt.datetime, dialect: str) -> ColumnElement[bool]:
    """The named rule ``progress`` judged at ``as_of`` for a dossier that was in progress then.

    Unlike :func:`overdue_condition` it does not read the current status: a dossier resolved since
    was still in progress at ``as_of``. Never NULL, so its negation is exactly "in time".
    """
    return and_(
        Dossier.due_at.is_not(None),
        Dossier.due_at < local_day_start(as_of),
        or_(
            Dossier.paused_since.is_(None),
            Dossier.paused_since > as_of,
            Dossier.due_at < local_day_start_sql(Dossier.paused_since, dialect),
        ),
    )


def in_progress_at_end_condition(day: dt.date) -> ColumnElement[bool]:
    """Received on or before ``day`` and not finished by its end: in progress when the day ended."""
    return and_(Dossier.received_on <= day, open_after_condition(day))


def paid_condition() -> ColumnElement[bool]:
    """Fees paid by any method (imported dossiers record only whether they were paid online)."""
    return or_(Dossier.paid_at.is_not(None), Dossier.paid_online.is_(True))


SORTABLE: dict[str, Sortable] = {
    "received_at": Dossier.received_at,
    "due_at": Dossier.due_at,
    "code": Dossier.code,
    "status": Dossier.status,
}


@dataclass(frozen=True, slots=True)
class DossierFilter:
    """Staff list filters; ``owner_*`` restricts a citizen or intermediary to their own dossiers."""

    status: Sequence[DossierStatus] = ()
    procedure_code: str | None = None
    channel: Channel | None = None
    agency_code: str | None = None
    officer: str | None = None
    overdue: bool | None = None
    timeliness: Sequence[Timeliness] = ()
    due_before: dt.datetime | None = None
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    intermediary_code: str | None = None
    receiving_agency: str | None = None
    resolved_from: dt.date | None = None
    resolved_to: dt.date | None = None
    finished_from: dt.date | None = None
    finished_to: dt.date | None = None
    open_after: dt.date | None = None
    progress: Progress | None = None
    progress_on: dt.date | None = None
    paid: bool | None = None
    paid_online: bool | None = None
    return_method: ReturnMethod | None = None
    owner_subject: str | None = None
    owner_intermediary: str | None = None
    restrict_to_owner: bool = False


class DossierRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        # The last step written in this transaction: the one the request's event describes.
        self.last_step: TimelineEntry | None = None

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    async def next_sequence(self, agency_code: str, day: dt.date) -> int:
        """Take the next number of the day for an agency, atomically.

        One upsert statement: concurrent receptions serialise on the counter row (PostgreSQL
        row lock, SQLite's single writer), so no two dossiers get the same code.
        """
        insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        statement = (
            insert(DossierCodeCounter)
            .values(agency_code=agency_code, day=day, last_value=1)
            .on_conflict_do_update(
                index_elements=[DossierCodeCounter.agency_code, DossierCodeCounter.day],
                set_={"last_value": DossierCodeCounter.last_value + 1},
            )
            .returning(DossierCodeCounter.last_value)
        )
        value = await self.session.scalar(statement)
        assert value is not None
        return int(value)

    async def add(self, dossier: Dossier) -> Dossier:
        self.session.add(dossier)
        await self.session.flush()
        return dossier

    async def flush(self) -> None:
        """Write pending changes; a dossier changed meanwhile by someone else is a 412."""
        try:
            await self.session.flush()
        except StaleDataError as exc:
            raise PreconditionFailed(
                "The dossier changed while this action ran; read it again and retry.", code="stale_version"
            ) from exc

    async def get_by_code(self, code: str, *, for_update: bool = False) -> Dossier | None:
        statement = select(Dossier).where(Dossier.code == code)
        if for_update and self.dialect == "postgresql":
            statement = statement.with_for_update()
        return await self.session.scalar(statement)

    # --- history ---------------------------------------------------------------------------------

    async def add_timeline(self, entry: TimelineEntry) -> None:
        self.session.add(entry)
        self.last_step = entry

    async def resolved_by(self, dossier_id: int) -> str | None:
        """The account of the officer who resolved the dossier (its last ``resolve`` step)."""
        statement = (
            select(TimelineEntry.actor_subject)
            .where(TimelineEntry.dossier_id == dossier_id, TimelineEntry.action == "resolve")
            .order_by(TimelineEntry.at.desc(), TimelineEntry.id.desc())
            .limit(1)
        )
        return await self.session.scalar(statement)

    async def timeline(self, dossier_id: int) -> Sequence[TimelineEntry]:
        statement = (
            select(TimelineEntry)
            .where(TimelineEntry.dossier_id == dossier_id)
            .order_by(TimelineEntry.at, TimelineEntry.id)
        )
        return (await self.session.scalars(statement)).all()

    async def pauses(self, dossier_id: int) -> Sequence[Pause]:
        statement = select(Pause).where(Pause.dossier_id == dossier_id).order_by(Pause.started_at, Pause.id)
        return (await self.session.scalars(statement)).all()

    async def open_pause(self, dossier_id: int) -> Pause | None:
        statement = select(Pause).where(Pause.dossier_id == dossier_id, Pause.ended_at.is_(None))
        return await self.session.scalar(statement)

    async def add_pause(self, pause: Pause) -> None:
        self.session.add(pause)

    async def supplements(self, dossier_id: int) -> Sequence[SupplementRequest]:
        statement = (
            select(SupplementRequest)
            .where(SupplementRequest.dossier_id == dossier_id)
            .order_by(SupplementRequest.requested_at, SupplementRequest.id)
        )
        return (await self.session.scalars(statement)).all()

    async def add_supplement(self, supplement: SupplementRequest) -> None:
        self.session.add(supplement)

    async def open_transfer(self, dossier_id: int) -> Transfer | None:
        statement = select(Transfer).where(Transfer.dossier_id == dossier_id, Transfer.returned_at.is_(None))
        return await self.session.scalar(statement)

    async def add_transfer(self, transfer: Transfer) -> None:
        self.session.add(transfer)

    # --- idempotency -----------------------------------------------------------------------------

    async def idempotency_record(self, subject: str, key: str) -> IdempotencyRecord | None:
        statement = select(IdempotencyRecord).where(
            IdempotencyRecord.principal_subject == subject, IdempotencyRecord.key == key
        )
        return await self.session.scalar(statement)

    async def claim_idempotency_key(self, record: IdempotencyRecord) -> bool:
        """Insert the key; False when a concurrent request with the same key got there first."""
        try:
            async with self.session.begin_nested():
                self.session.add(record)
                await self.session.flush()
        except IntegrityError:
            return False
        return True

    # --- lists -----------------------------------------------------------------------------------

    def _conditions(self, filters: DossierFilter, now: dt.datetime) -> list[ColumnElement[bool]]:  # noqa: PLR0912
        conditions: list[ColumnElement[bool]] = []
        if filters.restrict_to_owner:
            owner: list[ColumnElement[bool]] = []
            if filters.owner_subject is not None:
                owner += [Dossier.applicant_subject == filters.owner_subject]
                owner += [Dossier.intermediary_subject == filters.owner_subject]
            if filters.owner_intermediary is not None:
                owner.append(Dossier.intermediary_code == filters.owner_intermediary)
            conditions.append(or_(*owner) if owner else Dossier.id.is_(None))
        if filters.status:
            conditions.append(Dossier.status.in_(list(filters.status)))
        if filters.procedure_code is not None:
            conditions.append(Dossier.procedure_code == filters.procedure_code)
        if filters.channel is not None:
            conditions.append(Dossier.channel == filters.channel)
        if filters.agency_code is not None:
            conditions.append(
                or_(Dossier.agency_code == filters.agency_code, Dossier.current_agency == filters.agency_code)
            )
        if filters.officer is not None:
            conditions.append(Dossier.assigned_officer == filters.officer)
        if filters.intermediary_code is not None:
            conditions.append(Dossier.intermediary_code == filters.intermediary_code)
        if filters.timeliness:
            conditions.append(Dossier.timeliness.in_(list(filters.timeliness)))
        if filters.due_before is not None:
            conditions.append(Dossier.due_at < filters.due_before)
        if filters.received_from is not None:
            conditions.append(Dossier.received_on >= filters.received_from)
        if filters.received_to is not None:
            conditions.append(Dossier.received_on <= filters.received_to)
        if filters.overdue is not None:
            overdue = overdue_condition(now, self.dialect)
            in_progress = Dossier.status.in_(list(IN_PROGRESS_STATUSES))
            conditions.append(overdue if filters.overdue else and_(in_progress, ~overdue))
        conditions += self._period_conditions(filters, now)
        return conditions

    def _period_conditions(self, filters: DossierFilter, now: dt.datetime) -> list[ColumnElement[bool]]:
        """The filters that reproduce each figure of the statistics (same conditions, same counts)."""
        conditions: list[ColumnElement[bool]] = []
        equal: list[tuple[Any, Any]] = [
            (Dossier.agency_code, filters.receiving_agency),
            (Dossier.return_method, filters.return_method),
        ]
        conditions += [column == value for column, value in equal if value is not None]
        bounds: list[tuple[Any, dt.date | None, dt.date | None]] = [
            (Dossier.resolved_on, filters.resolved_from, filters.resolved_to),
            (Dossier.finished_on, filters.finished_from, filters.finished_to),
        ]
        for column, first, last in bounds:
            if first is not None:
                conditions.append(column >= first)
            if last is not None:
                conditions.append(column <= last)
        if filters.open_after is not None:
            conditions.append(open_after_condition(filters.open_after))
        if filters.progress is not None:
            day = filters.progress_on or local_date(now)
            overdue = overdue_at_condition(judged_at(day, now), self.dialect)
            conditions.append(in_progress_at_end_condition(day))
            conditions.append(overdue if filters.progress is Progress.OVERDUE else ~overdue)
        if filters.paid is not None:
            conditions.append(paid_condition() if filters.paid else ~paid_condition())
        if filters.paid_online is not None:
            conditions.append(Dossier.paid_online.is_(filters.paid_online))
        return conditions

    async def list(
        self, filters: DossierFilter, *, now: dt.datetime, sort: Sequence[SortKey], page: PageParams
    ) -> tuple[Sequence[Dossier], int]:
        statement: Select[Any] = select(Dossier).where(*self._conditions(filters, now))
        statement = apply_sort(statement, sort, SORTABLE).order_by(Dossier.id)
        return await paginate(self.session, statement, page)

    async def exists(self, code: str) -> bool:
        return bool(await self.session.scalar(select(exists().where(Dossier.code == code))))


# --- figures for the metrics endpoint (dossier_api/observability.py) ---------------------------------


async def overdue_by_agency(session: AsyncSession, now: dt.datetime) -> dict[str, int]:
    """Dossiers overdue now (the rule ``progress``), per receiving agency."""
    dialect = session.get_bind().dialect.name
    statement = (
        select(Dossier.agency_code, func.count()).where(overdue_condition(now, dialect)).group_by(Dossier.agency_code)
    )
    return {str(agency): int(count) for agency, count in (await session.execute(statement)).all()}


async def in_progress_by_agency(session: AsyncSession, _now: dt.datetime) -> dict[str, int]:
    """Dossiers received and not finished, per receiving agency."""
    statement = (
        select(Dossier.agency_code, func.count())
        .where(Dossier.status.in_(list(IN_PROGRESS_STATUSES)))
        .group_by(Dossier.agency_code)
    )
    return {str(agency): int(count) for agency, count in (await session.execute(statement)).all()}
