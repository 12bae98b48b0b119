"""All SQL of the satisfaction index: sums over the day and month totals (see ``models/totals.py``).

A period is read from the month rows for its whole months and from the day rows for its edges.

Each figure is one query grouped in the database; the "all" scope is a second branch of the same
query (UNION ALL), so nothing is added up in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, String, and_, func, literal, or_, select, type_coerce, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from satisfaction_survey.models import (
    AnswerTotal,
    DossierChannel,
    FeedbackItem,
    FeedbackStatus,
    InvitationTotal,
    Question,
    Questionnaire,
    Response,
    ResponseTotal,
    TotalSpan,
)
from satisfaction_survey.stats.period import local_day_bounds, split_period

ALL = "all"


@dataclass(frozen=True, slots=True)
class StatsFilter:
    first_day: dt.date | None
    last_day: dt.date | None
    agency_code: str | None
    procedure_code: str | None
    channel: DossierChannel | None


TotalsTable = type[InvitationTotal] | type[ResponseTotal] | type[AnswerTotal]


def _period(table: TotalsTable, first: dt.date | None, last: dt.date | None) -> ColumnElement[bool]:
    """Month rows for the whole months of the period, day rows for the days at its edges."""
    split = split_period(first, last)
    parts: list[ColumnElement[bool]] = []
    if split.months is not None:
        since, until = split.months
        month = [table.span == TotalSpan.MONTH]
        if since is not None:
            month.append(table.day >= since)
        if until is not None:
            month.append(table.day < until)
        parts.append(and_(*month))
    parts.extend(and_(table.span == TotalSpan.DAY, table.day >= lo, table.day <= hi) for lo, hi in split.days)
    return or_(*parts)


def _conditions(table: TotalsTable, where: StatsFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [_period(table, where.first_day, where.last_day)]
    if where.agency_code is not None:
        conditions.append(table.agency_code == where.agency_code)
    if where.procedure_code is not None:
        conditions.append(table.procedure_code == where.procedure_code)
    if where.channel is not None:
        conditions.append(table.channel == where.channel)
    return conditions


def _sum(column: Any, name: str) -> ColumnElement[Any]:
    return func.coalesce(func.sum(column), 0).label(name)


class StatsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _month(self, day: Any) -> ColumnElement[str]:
        """YYYY-MM of a date column, in SQL."""
        if self.session.get_bind().dialect.name == "postgresql":
            return func.to_char(day, "YYYY-MM")
        return func.substr(day, 1, 7)  # SQLite keeps dates as YYYY-MM-DD text

    async def invitations(self, where: StatsFilter) -> tuple[int, int]:
        """(invitations, answered) of the invitations issued in the period."""
        t = InvitationTotal
        statement = select(_sum(t.invitations, "invitations"), _sum(t.answered, "answered")).where(
            *_conditions(t, where)
        )
        row = (await self.session.execute(statement)).one()
        return int(row.invitations), int(row.answered)

    async def feedback(self, where: StatsFilter) -> dict[str, int]:
        """Feedback items opened in the period (Vietnam days), and how many of them are acknowledged or resolved."""
        since, until = local_day_bounds(where.first_day, where.last_day)
        conditions: list[ColumnElement[bool]] = []
        if since is not None:
            conditions.append(FeedbackItem.created_at >= since)
        if until is not None:
            conditions.append(FeedbackItem.created_at < until)
        if where.agency_code is not None:
            conditions.append(FeedbackItem.agency_code == where.agency_code)
        if where.procedure_code is not None:
            conditions.append(FeedbackItem.procedure_code == where.procedure_code)
        statement = select(
            func.count().label("opened"),
            func.count().filter(FeedbackItem.status == FeedbackStatus.ACKNOWLEDGED).label("acknowledged"),
            func.count().filter(FeedbackItem.status == FeedbackStatus.RESOLVED).label("resolved"),
            func.count().filter(FeedbackItem.complaint.is_(True)).label("complaints"),
        ).where(*conditions)
        if where.channel is not None:
            statement = statement.join(Response, Response.id == FeedbackItem.response_id).where(
                Response.channel == where.channel
            )
        row = (await self.session.execute(statement)).one()
        return {name: int(value or 0) for name, value in row._mapping.items()}

    async def invitations_by_month(self, where: StatsFilter) -> Sequence[Row[Any]]:
        """(month, invitations, answered) per month of issue."""
        t = InvitationTotal
        month = self._month(t.day).label("month")
        statement = (
            select(month, _sum(t.invitations, "invitations"), _sum(t.answered, "answered"))
            .where(*_conditions(t, where))
            .group_by(month)
        )
        return (await self.session.execute(statement)).all()

    async def responses(self, where: StatsFilter, *, by_month: bool = False) -> Sequence[Row[Any]]:
        """(scope, [month,] total, satisfied, score_sum) of responses (overall question), per mode and for all."""
        t = ResponseTotal
        groups: list[Any] = [self._month(t.day).label("month")] if by_month else []
        sums = (_sum(t.responses, "total"), _sum(t.satisfied, "satisfied"), _sum(t.overall_score_sum, "score_sum"))
        return await self._scoped(t, where, groups, sums)

    async def factors(self, where: StatsFilter) -> Sequence[Row[Any]]:
        """(scope, factor, total, satisfied, score_sum) of scale answers per factor."""
        t = AnswerTotal
        sums = (_sum(t.answers, "total"), _sum(t.satisfied, "satisfied"), _sum(t.score_sum, "score_sum"))
        return await self._scoped(t, where, [Question.factor], sums, join_questions=True)

    async def questions(self, where: StatsFilter) -> Sequence[Row[Any]]:
        """(scope, question_id, version, key, factor, position, total, satisfied, score_sum) per question."""
        t = AnswerTotal
        groups = [t.question_id, Questionnaire.version, Question.key, Question.factor, Question.position]
        sums = (_sum(t.answers, "total"), _sum(t.satisfied, "satisfied"), _sum(t.score_sum, "score_sum"))
        return await self._scoped(t, where, groups, sums, join_questions=True)

    async def _scoped(
        self,
        table: type[ResponseTotal] | type[AnswerTotal],
        where: StatsFilter,
        groups: list[Any],
        sums: Sequence[ColumnElement[Any]],
        *,
        join_questions: bool = False,
    ) -> Sequence[Row[Any]]:
        conditions = _conditions(table, where)

        def branch(scope: ColumnElement[str], by_mode: bool) -> Any:
            statement = select(scope.label("scope"), *groups, *sums)
            if join_questions:
                statement = statement.join(Question, Question.id == AnswerTotal.question_id).join(
                    Questionnaire, Questionnaire.id == Question.questionnaire_id
                )
            return statement.where(*conditions).group_by(*([table.mode] if by_mode else []), *groups)

        # The mode column is read as plain text so that the "all" branch's label fits the same column.
        statement = union_all(
            branch(type_coerce(table.mode, String), by_mode=True), branch(literal(ALL, String), by_mode=False)
        )
        return (await self.session.execute(statement)).all()
