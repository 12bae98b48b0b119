"""All SQL of the satisfaction index: sums over the daily totals (see ``models/totals.py``).

Each figure is one query grouped in the database; the "all" scope is a second branch of the same
query (UNION ALL), so nothing is added up in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, String, func, literal, select, type_coerce, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from satisfaction_survey.models import (
    AnswerDailyTotal,
    DossierChannel,
    InvitationDailyTotal,
    Question,
    Questionnaire,
    ResponseDailyTotal,
)

ALL = "all"


@dataclass(frozen=True, slots=True)
class StatsFilter:
    first_day: dt.date | None
    last_day: dt.date | None
    agency_code: str | None
    procedure_code: str | None
    channel: DossierChannel | None


TotalsTable = type[InvitationDailyTotal] | type[ResponseDailyTotal] | type[AnswerDailyTotal]


def _conditions(table: TotalsTable, where: StatsFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if where.first_day is not None:
        conditions.append(table.day >= where.first_day)
    if where.last_day is not None:
        conditions.append(table.day <= where.last_day)
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
        t = InvitationDailyTotal
        statement = select(_sum(t.invitations, "invitations"), _sum(t.answered, "answered")).where(
            *_conditions(t, where)
        )
        row = (await self.session.execute(statement)).one()
        return int(row.invitations), int(row.answered)

    async def invitations_by_month(self, where: StatsFilter) -> Sequence[Row[Any]]:
        """(month, invitations, answered) per month of issue."""
        t = InvitationDailyTotal
        month = self._month(t.day).label("month")
        statement = (
            select(month, _sum(t.invitations, "invitations"), _sum(t.answered, "answered"))
            .where(*_conditions(t, where))
            .group_by(month)
        )
        return (await self.session.execute(statement)).all()

    async def responses(self, where: StatsFilter, *, by_month: bool = False) -> Sequence[Row[Any]]:
        """(scope, [month,] total, satisfied, score_sum) of responses (overall question), per mode and for all."""
        t = ResponseDailyTotal
        groups: list[Any] = [self._month(t.day).label("month")] if by_month else []
        sums = (_sum(t.responses, "total"), _sum(t.satisfied, "satisfied"), _sum(t.overall_score_sum, "score_sum"))
        return await self._scoped(t, where, groups, sums)

    async def factors(self, where: StatsFilter) -> Sequence[Row[Any]]:
        """(scope, factor, total, satisfied, score_sum) of scale answers per factor."""
        t = AnswerDailyTotal
        sums = (_sum(t.answers, "total"), _sum(t.satisfied, "satisfied"), _sum(t.score_sum, "score_sum"))
        return await self._scoped(t, where, [Question.factor], sums, join_questions=True)

    async def questions(self, where: StatsFilter) -> Sequence[Row[Any]]:
        """(scope, question_id, version, key, factor, position, total, satisfied, score_sum) per question."""
        t = AnswerDailyTotal
        groups = [t.question_id, Questionnaire.version, Question.key, Question.factor, Question.position]
        sums = (_sum(t.answers, "total"), _sum(t.satisfied, "satisfied"), _sum(t.score_sum, "score_sum"))
        return await self._scoped(t, where, groups, sums, join_questions=True)

    async def _scoped(
        self,
        table: type[ResponseDailyTotal] | type[AnswerDailyTotal],
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
                statement = statement.join(Question, Question.id == AnswerDailyTotal.question_id).join(
                    Questionnaire, Questionnaire.id == Question.questionnaire_id
                )
            return statement.where(*conditions).group_by(*([table.mode] if by_mode else []), *groups)

        # The mode column is read as plain text so that the "all" branch's label fits the same column.
        statement = union_all(
            branch(type_coerce(table.mode, String), by_mode=True), branch(literal(ALL, String), by_mode=False)
        )
        return (await self.session.execute(statement)).all()
