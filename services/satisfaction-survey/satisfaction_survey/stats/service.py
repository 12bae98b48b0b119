"""The satisfaction index. The database does the counting (see ``repository.py``); this module turns
the sums into shares and lays them out. Raises the kit's problem errors; never commits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from satisfaction_survey.models import Factor, ResponseMode
from satisfaction_survey.stats import rules
from satisfaction_survey.stats.period import check_period
from satisfaction_survey.stats.repository import ALL, StatsFilter, StatsRepository
from satisfaction_survey.stats.schemas import (
    FactorFigures,
    FeedbackFigures,
    Figures,
    Filters,
    ModeMonth,
    MonthFigures,
    Period,
    QuestionFigures,
    SatisfactionStats,
)

SCOPES = (ALL, ResponseMode.ONLINE.value, ResponseMode.PAPER.value)


class StatsService:
    def __init__(self, repository: StatsRepository, *, target: float) -> None:
        self.repository = repository
        self.target = target

    async def index(self, where: StatsFilter) -> SatisfactionStats:
        check_period(where.first_day, where.last_day)
        invitations, answered = await self.repository.invitations(where)
        responses = {row.scope: row for row in await self.repository.responses(where)}
        factors = await self.repository.factors(where)
        questions = await self.repository.questions(where)
        figures = {
            scope: self._figures(
                responses.get(scope),
                [r for r in factors if r.scope == scope],
                [r for r in questions if r.scope == scope],
            )
            for scope in SCOPES
        }
        return SatisfactionStats(
            period=Period(from_=where.first_day, to=where.last_day),
            filters=Filters(agency=where.agency_code, procedure=where.procedure_code, channel=where.channel),
            target=self.target,
            invitations=invitations,
            answered_invitations=answered,
            response_rate=rules.share(answered, invitations),
            all=figures[ALL],
            online=figures[ResponseMode.ONLINE.value],
            paper=figures[ResponseMode.PAPER.value],
            feedback=await self._feedback(where),
            monthly=await self._monthly(where),
        )

    async def _feedback(self, where: StatsFilter) -> FeedbackFigures:
        counts = await self.repository.feedback(where)
        return FeedbackFigures(**counts, resolved_share=rules.share(counts["resolved"], counts["opened"]))

    def _figures(self, totals: Any, factors: Sequence[Any], questions: Sequence[Any]) -> Figures:
        count, satisfied, score_sum = (totals.total, totals.satisfied, totals.score_sum) if totals else (0, 0, 0)
        by_factor = {row.factor: row for row in factors}
        return Figures(
            responses=count,
            satisfied=satisfied,
            satisfied_share=rules.share(satisfied, count),
            mean_overall_score=rules.mean(score_sum, count),
            target_met=rules.target_met(satisfied, count, self.target),
            factors=[_factor(factor, by_factor.get(factor)) for factor in Factor],
            questions=[
                QuestionFigures(
                    question_id=row.question_id,
                    questionnaire_version=row.version,
                    key=row.key,
                    factor=row.factor,
                    answers=row.total,
                    satisfied=row.satisfied,
                    satisfied_share=rules.share(row.satisfied, row.total),
                    mean_score=rules.mean(row.score_sum, row.total),
                )
                for row in sorted(questions, key=lambda r: (r.version, r.position))
            ],
        )

    async def _monthly(self, where: StatsFilter) -> list[MonthFigures]:
        invited = {
            row.month: (row.invitations, row.answered) for row in await self.repository.invitations_by_month(where)
        }
        received = {(row.scope, row.month): row for row in await self.repository.responses(where, by_month=True)}
        months = set(invited) | {month for _scope, month in received}
        if where.first_day is not None:
            months.add(f"{where.first_day:%Y-%m}")
        if where.last_day is not None:
            months.add(f"{where.last_day:%Y-%m}")
        series = []
        for month in _month_range(min(months), max(months)) if months else []:
            invitations, answered = invited.get(month, (0, 0))
            count, satisfied = _counts(received.get((ALL, month)))
            series.append(
                MonthFigures(
                    month=month,
                    invitations=invitations,
                    answered_invitations=answered,
                    response_rate=rules.share(answered, invitations),
                    responses=count,
                    satisfied=satisfied,
                    satisfied_share=rules.share(satisfied, count),
                    target_met=rules.target_met(satisfied, count, self.target),
                    online=_mode_month(received.get((ResponseMode.ONLINE.value, month))),
                    paper=_mode_month(received.get((ResponseMode.PAPER.value, month))),
                )
            )
        return series


def _factor(factor: Factor, row: Any) -> FactorFigures:
    answers, satisfied, score_sum = (row.total, row.satisfied, row.score_sum) if row is not None else (0, 0, 0)
    return FactorFigures(
        factor=factor,
        answers=answers,
        satisfied=satisfied,
        satisfied_share=rules.share(satisfied, answers),
        mean_score=rules.mean(score_sum, answers),
    )


def _counts(row: Any) -> tuple[int, int]:
    return (row.total, row.satisfied) if row is not None else (0, 0)


def _mode_month(row: Any) -> ModeMonth:
    count, satisfied = _counts(row)
    return ModeMonth(responses=count, satisfied=satisfied, satisfied_share=rules.share(satisfied, count))


def _month_range(first: str, last: str) -> list[str]:
    """Every YYYY-MM from ``first`` to ``last``: the series has no holes, empty months included."""
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
