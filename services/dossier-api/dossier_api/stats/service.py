"""Dossier statistics for a period: what leaders report and the Decision 766 dashboards score."""

from __future__ import annotations

import datetime as dt

from dossier_api.dossiers.repository import judged_at
from dossier_api.stats.links import DrillDown
from dossier_api.stats.repository import StatsRepository, months_between
from dossier_api.stats.schemas import ChannelCounts, DossierStats, InProgress, MonthRow, Received, Resolved
from motcua_kit.db import utcnow
from motcua_kit.errors import FieldError, UnprocessableContent
from motcua_kit.timezone import local_date

MAX_PERIOD_DAYS = 366 * 20


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


class StatsService:
    def __init__(self, repository: StatsRepository) -> None:
        self.repository = repository

    async def compute(
        self, first: dt.date | None, last: dt.date | None, agency: str | None, procedure: str | None
    ) -> DossierStats:
        now = utcnow()
        last = last or local_date(now)
        first = first or last.replace(month=1, day=1)
        if first > last:
            raise UnprocessableContent(
                "The period ends before it begins.",
                code="invalid_period",
                errors=[FieldError(field="from", location="query", message="must not be after `to`")],
            )
        if (last - first).days > MAX_PERIOD_DAYS:
            raise UnprocessableContent(
                "The period is longer than 20 years.",
                code="invalid_period",
                errors=[FieldError(field="to", location="query", message="at most 20 years after `from`")],
            )
        as_of = judged_at(last, now)
        totals = await self.repository.totals(first, last, as_of, agency, procedure)
        series = await self.repository.monthly(first, last, agency, procedure)
        zero = {"received": 0, "resolved": 0, "early": 0, "on_time": 0, "late": 0, "refused": 0, "withdrawn": 0}
        drill = DrillDown(first, last, agency, procedure)
        monthly = []
        for month in months_between(first, last):
            counts = {**zero, **series.get(month, {})}
            counts["on_time_or_early"] = counts["early"] + counts["on_time"]
            monthly.append(MonthRow(month=month, links=drill.month_links(month), **counts))
        resolved = totals["resolved"]
        on_time_or_early = totals["resolved_early"] + totals["resolved_on_time"]
        return DossierStats(
            period_from=first,
            period_to=last,
            agency=agency,
            procedure=procedure,
            received=Received(
                total=totals["new"] + totals["carried_over"],
                new=totals["new"],
                carried_over=totals["carried_over"],
                new_by_channel=ChannelCounts(
                    in_person=totals["new_in_person"], online=totals["new_online"], postal=totals["new_postal"]
                ),
                carried_over_by_channel=ChannelCounts(
                    in_person=totals["carried_in_person"],
                    online=totals["carried_online"],
                    postal=totals["carried_postal"],
                ),
            ),
            resolved=Resolved(
                total=resolved,
                early=totals["resolved_early"],
                on_time=totals["resolved_on_time"],
                late=totals["resolved_late"],
                on_time_or_early=on_time_or_early,
                on_time_or_early_rate=_share(on_time_or_early, resolved),
            ),
            in_progress=InProgress(
                total=totals["open_at_end"],
                in_time=totals["open_at_end"] - totals["overdue_at_end"],
                overdue=totals["overdue_at_end"],
            ),
            refused=totals["refused"],
            withdrawn=totals["withdrawn"],
            stopped=totals["stopped"],
            online_share=_share(totals["new_online"], totals["new"]),
            postal_share=_share(totals["new_postal"], totals["new"]),
            paid_online=totals["paid_online"],
            paid=totals["paid"],
            paid_online_share=_share(totals["paid_online"], totals["paid"]),
            results_online=totals["results_online"],
            monthly=monthly,
            links=drill.links(),
        )
