"""Reports: live overviews composed from the services, frozen ones read back, periods closed and reopened.

Never commits. The services are asked outside any database transaction of the gateway: a slow
service must not hold a connection of the gateway's small pool (API keys are verified with it).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Sequence

from motcua_gateway.models import ALL_AGENCIES, FrozenReport, ReportPeriod, ReportPeriodEvent
from motcua_gateway.reports.compose import MissingLink, compose_overview
from motcua_gateway.reports.periods import ClosablePeriod, Period, PeriodKind, parse_period_key, period_over
from motcua_gateway.reports.repository import ReportPeriodRepository
from motcua_gateway.reports.schemas import (
    FrozenInfo,
    FrozenReportRead,
    MissingPart,
    Overview,
    Part,
    PeriodAction,
    PeriodEventRead,
    PeriodStatus,
    PublicSummary,
    ReportPeriodRead,
    RevisionRead,
    Scorecard,
    Source,
)
from motcua_gateway.reports.scorecard import score
from motcua_gateway.reports.sources import Fetched, StatisticsClient
from motcua_kit.auth import Principal
from motcua_kit.db import Database, utcnow
from motcua_kit.errors import Conflict, NotFound, ServiceUnavailable
from motcua_kit.timezone import local_date

PUBLIC_CACHE_LIMIT = 1000


def scope_of(agency: str | None) -> str:
    return agency or ALL_AGENCIES


def agency_of(scope: str) -> str | None:
    return None if scope == ALL_AGENCIES else scope


def _frozen(period: ReportPeriod, report: FrozenReport) -> tuple[Overview, Scorecard]:
    """A stored revision as served: its figures exactly as closed, marked frozen."""
    info = FrozenInfo(
        period=period.period, revision=report.revision, closed_at=report.closed_at, closed_by=report.closed_by
    )
    overview = Overview.model_validate(report.overview).model_copy(update={"source": Source.FROZEN, "frozen": info})
    scorecard = Scorecard.model_validate(report.scorecard).model_copy(update={"source": Source.FROZEN, "frozen": info})
    return overview, scorecard


class ReportService:
    def __init__(
        self,
        statistics: StatisticsClient,
        database: Database,
        *,
        public_cache_seconds: float,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.statistics = statistics
        self.database = database
        self.public_cache_seconds = public_cache_seconds
        self.clock = clock
        self._public: dict[tuple[Period, str | None], tuple[float, PublicSummary]] = {}

    async def live(self, period: Period, agency: str | None, caller_authorization: str | None) -> Overview:
        """Composed now from the services; a part whose service fails is named in ``missing``."""
        statistics = await self.statistics.fetch_all(period, agency, caller_authorization)
        try:
            return compose_overview(period, agency, statistics, self.clock())
        except MissingLink as exc:
            reason = f"dossier-api gave the figure {exc} without the list that produces it."
            broken = MissingPart(part=Part.DOSSIERS, service="dossier-api", code="bad_answer", reason=reason)
            return compose_overview(
                period, agency, dataclasses.replace(statistics, dossiers=Fetched(None, broken)), self.clock()
            )

    async def frozen(self, period: Period, agency: str | None) -> tuple[Overview, Scorecard] | None:
        """The stored figures when exactly this period is closed for this scope."""
        async with self.database.transaction(write=False) as session:
            repository = ReportPeriodRepository(session)
            closed = await repository.closed_covering(scope_of(agency), period.first, period.last)
            if closed is None:
                return None
            report = await repository.revision(closed, closed.revision)
            assert report is not None, "a closed period has its revision"
            return _frozen(closed, report)

    async def overview(
        self, period: Period, agency: str | None, caller_authorization: str | None, *, live: bool = False
    ) -> Overview:
        return (await self.report(period, agency, caller_authorization, live=live))[0]

    async def scorecard(
        self, period: Period, agency: str | None, caller_authorization: str | None, *, live: bool = False
    ) -> Scorecard:
        return (await self.report(period, agency, caller_authorization, live=live))[1]

    async def report(
        self, period: Period, agency: str | None, caller_authorization: str | None, *, live: bool = False
    ) -> tuple[Overview, Scorecard]:
        """The overview and its scorecard: stored when the period is closed (unless ``live``), else composed now."""
        if not live and (stored := await self.frozen(period, agency)) is not None:
            return stored
        overview = await self.live(period, agency, caller_authorization)
        return overview, score(overview)

    async def public(self, period: Period, agency: str | None) -> PublicSummary:
        """Headline figures, served from a short cache: anonymous callers must not drive the services' load."""
        key = (period, agency)
        cached = self._public.get(key)
        now = time.monotonic()
        if cached is not None and now - cached[0] < self.public_cache_seconds:
            return cached[1]
        overview = await self.overview(period, agency, None)
        summary = public_summary(overview)
        if len(self._public) >= PUBLIC_CACHE_LIMIT:
            self._public.clear()
        if overview.complete:
            self._public[key] = (now, summary)
        return summary


def public_summary(overview: Overview) -> PublicSummary:
    """Counts and shares only: no lists (they need a role), nothing about any person."""
    catalogue, dossiers, survey = overview.catalogue, overview.dossiers, overview.satisfaction
    return PublicSummary(
        period=overview.period,
        agency=overview.agency,
        generated_at=overview.generated_at,
        procedures_in_force=catalogue.in_force if catalogue else None,
        procedures_online=catalogue.online if catalogue else None,
        received=dossiers.received.total.value if dossiers else None,
        resolved=dossiers.resolved.total.value if dossiers else None,
        resolved_on_time_or_early=dossiers.resolved.on_time_or_early.value if dossiers else None,
        on_time_or_early_share=dossiers.resolved.on_time_or_early_share if dossiers else None,
        online_share=dossiers.online_share if dossiers else None,
        satisfaction_responses=survey.responses if survey else None,
        satisfied_share=survey.satisfied_share if survey else None,
        satisfaction_target=survey.target if survey else None,
        target_met=survey.target_met if survey else None,
        missing=[m.part for m in overview.missing],
    )


def _who(principal: Principal) -> str:
    return principal.subject[:200]


class PeriodService:
    """Closing and reopening periods, and reading them back."""

    def __init__(self, repository: ReportPeriodRepository, *, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.repository = repository
        self.clock = clock

    async def _get(self, key: str, agency: str | None) -> tuple[ClosablePeriod, ReportPeriod]:
        closable = parse_period_key(key, field="period", location="path")
        period = await self.repository.get(scope_of(agency), closable.key)
        if period is None:
            raise NotFound(
                f"The period {key} has never been closed for {agency or 'all agencies'}.",
                code="report_period_not_found",
            )
        return closable, period

    async def close(
        self, closable: ClosablePeriod, agency: str | None, overview: Overview, principal: Principal, note: str | None
    ) -> ReportPeriod:
        """Store the overview and scorecard of a finished period; from now on they are served as they are."""
        now = self.clock()
        if not period_over(closable, local_date(now)):
            raise Conflict(f"The period {closable.key} has not ended yet.", code="period_not_over")
        if not overview.complete:
            parts = ", ".join(m.part.value for m in overview.missing)
            raise ServiceUnavailable(
                f"A report missing parts ({parts}) cannot be closed; retry when the services answer.",
                code="report_incomplete",
                headers={"Retry-After": "30"},
                missing=[m.model_dump(mode="json") for m in overview.missing],
            )
        period = await self.repository.get(scope_of(agency), closable.key)
        if period is not None and period.status == PeriodStatus.CLOSED:
            raise Conflict(
                f"The period {closable.key} is closed (revision {period.revision}); reopen it first.",
                code="period_closed",
            )
        revision = 1 if period is None else period.revision + 1
        if period is None:
            period = ReportPeriod(
                scope=scope_of(agency),
                period=closable.key,
                kind=closable.kind.value,
                first_day=closable.first,
                last_day=closable.last,
                status=PeriodStatus.CLOSED.value,
                revision=revision,
            )
            await self.repository.add(period)
        else:
            period.status = PeriodStatus.CLOSED.value
            period.revision = revision
        scorecard = score(overview)
        await self.repository.add(
            FrozenReport(
                period_id=period.id,
                revision=revision,
                overview=overview.model_dump(mode="json", by_alias=True),
                scorecard=scorecard.model_dump(mode="json", by_alias=True),
                closed_at=now,
                closed_by=_who(principal),
            ),
            ReportPeriodEvent(
                period_id=period.id,
                action=PeriodAction.CLOSE.value,
                revision=revision,
                at=now,
                actor=_who(principal),
                actor_name=principal.name,
                reason=note,
            ),
        )
        return period

    async def reopen(self, key: str, agency: str | None, reason: str, principal: Principal) -> ReportPeriod:
        """Stop serving the frozen figures: the period is live again until it is closed once more."""
        _, period = await self._get(key, agency)
        if period.status != PeriodStatus.CLOSED:
            raise Conflict(f"The period {key} is not closed.", code="period_not_closed")
        period.status = PeriodStatus.REOPENED.value
        await self.repository.add(
            ReportPeriodEvent(
                period_id=period.id,
                action=PeriodAction.REOPEN.value,
                revision=period.revision,
                at=self.clock(),
                actor=_who(principal),
                actor_name=principal.name,
                reason=reason,
            )
        )
        return period

    async def read(self, key: str, agency: str | None) -> ReportPeriodRead:
        _, period = await self._get(key, agency)
        return await self.describe(period)

    async def describe(self, period: ReportPeriod) -> ReportPeriodRead:
        revisions = await self.repository.revisions(period)
        log = await self.repository.log(period)
        return ReportPeriodRead(
            period=period.period,
            kind=PeriodKind(period.kind),
            from_=period.first_day,
            to=period.last_day,
            agency=agency_of(period.scope),
            status=PeriodStatus(period.status),
            revision=period.revision,
            revisions=[RevisionRead(revision=r, closed_at=at, closed_by=by) for r, at, by in revisions],
            log=[
                PeriodEventRead(
                    action=PeriodAction(e.action),
                    revision=e.revision,
                    at=e.at,
                    by=e.actor,
                    by_name=e.actor_name,
                    reason=e.reason,
                )
                for e in log
            ],
        )

    async def list(self, agency: str | None, status: PeriodStatus | None) -> Sequence[ReportPeriodRead]:
        scope = scope_of(agency) if agency is not None else None
        periods = await self.repository.list(scope, status.value if status else None)
        return [await self.describe(p) for p in periods]

    async def revision(self, key: str, agency: str | None, number: int) -> FrozenReportRead:
        _, period = await self._get(key, agency)
        report = await self.repository.revision(period, number)
        if report is None:
            raise NotFound(f"The period {key} has no revision {number}.", code="report_revision_not_found")
        overview, scorecard = _frozen(period, report)
        return FrozenReportRead(
            period=period.period,
            agency=agency_of(period.scope),
            revision=report.revision,
            closed_at=report.closed_at,
            closed_by=report.closed_by,
            overview=overview,
            scorecard=scorecard,
        )
