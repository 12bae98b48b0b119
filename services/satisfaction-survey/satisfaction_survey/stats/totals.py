"""All SQL that keeps the day and month totals (see ``models/totals.py``), and rebuilds them from the raw rows.

Every change is one upsert statement that adds to a day row and a month row, so concurrent writers
never lose a count: on PostgreSQL the row lock serialises them, on SQLite the single writer does.
Rows are always touched in the same order (responses, answers by question id, invitations) so two
writers cannot deadlock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Integer, case, cast, delete, func, insert, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from satisfaction_survey.common import SATISFIED_LEVELS
from satisfaction_survey.models import (
    Answer,
    AnswerTotal,
    DossierChannel,
    Factor,
    Invitation,
    InvitationTotal,
    Question,
    QuestionKind,
    Response,
    ResponseMode,
    ResponseTotal,
    TotalSpan,
)

LOW_SATISFIED = min(SATISFIED_LEVELS)
INVITATION_KEY = ["span", "day", "agency_code", "procedure_code", "channel"]
RESPONSE_KEY = [*INVITATION_KEY, "mode"]
ANSWER_KEY = [*RESPONSE_KEY, "question_id"]


def spans(day: dt.date) -> list[dict[str, Any]]:
    """The two rows a count goes to: its day, and its month (keyed by the month's first day)."""
    return [{"span": TotalSpan.DAY, "day": day}, {"span": TotalSpan.MONTH, "day": day.replace(day=1)}]


class TotalsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def _postgresql(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    def _insert(self, table: Any) -> Any:
        return (postgresql.insert if self._postgresql else sqlite.insert)(table)

    def _month_start(self, day: Any) -> ColumnElement[Any]:
        if self._postgresql:
            return cast(func.date_trunc("month", day), type_=Response.submitted_on.type)
        return func.date(day, "start of month")

    async def count_invitation(
        self, *, day: dt.date, agency_code: str, procedure_code: str, channel: DossierChannel
    ) -> None:
        key = {"agency_code": agency_code, "procedure_code": procedure_code, "channel": channel}
        statement = self._insert(InvitationTotal).values(
            [{**span, **key, "invitations": 1, "answered": 0} for span in spans(day)]
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=INVITATION_KEY, set_={"invitations": InvitationTotal.invitations + 1}
            )
        )

    async def count_response(
        self,
        *,
        day: dt.date,
        issued_on: dt.date,
        agency_code: str,
        procedure_code: str,
        channel: DossierChannel,
        mode: ResponseMode,
        overall_score: int,
        scores: Sequence[tuple[int, int]],
    ) -> None:
        """Add one response: its overall figures, each scale answer ``(question_id, score)``, and mark its
        invitation's cohort (the day the invitation was issued) as answered once more."""
        key = {"agency_code": agency_code, "procedure_code": procedure_code, "channel": channel}
        satisfied = int(overall_score in SATISFIED_LEVELS)
        responses = self._insert(ResponseTotal).values(
            [
                {
                    **span,
                    **key,
                    "mode": mode,
                    "responses": 1,
                    "satisfied": satisfied,
                    "overall_score_sum": overall_score,
                }
                for span in spans(day)
            ]
        )
        await self.session.execute(
            responses.on_conflict_do_update(
                index_elements=RESPONSE_KEY,
                set_={
                    "responses": ResponseTotal.responses + 1,
                    "satisfied": ResponseTotal.satisfied + responses.excluded.satisfied,
                    "overall_score_sum": ResponseTotal.overall_score_sum + responses.excluded.overall_score_sum,
                },
            )
        )
        if scores:
            answers = self._insert(AnswerTotal).values(
                [
                    {
                        **span,
                        **key,
                        "mode": mode,
                        "question_id": question_id,
                        "answers": 1,
                        "score_sum": score,
                        "satisfied": int(score in SATISFIED_LEVELS),
                    }
                    for span in spans(day)
                    for question_id, score in sorted(scores)
                ]
            )
            await self.session.execute(
                answers.on_conflict_do_update(
                    index_elements=ANSWER_KEY,
                    set_={
                        "answers": AnswerTotal.answers + 1,
                        "score_sum": AnswerTotal.score_sum + answers.excluded.score_sum,
                        "satisfied": AnswerTotal.satisfied + answers.excluded.satisfied,
                    },
                )
            )
        invitations = self._insert(InvitationTotal).values(
            [{**span, **key, "invitations": 0, "answered": 1} for span in spans(issued_on)]
        )
        await self.session.execute(
            invitations.on_conflict_do_update(
                index_elements=INVITATION_KEY, set_={"answered": InvitationTotal.answered + 1}
            )
        )

    async def rebuild(self) -> None:
        """Recompute every total from the raw invitations, responses and answers, in SQL."""
        for table in (AnswerTotal, ResponseTotal, InvitationTotal):
            await self.session.execute(delete(table))
        for span in TotalSpan:
            await self._rebuild_span(span)

    async def _rebuild_span(self, span: TotalSpan) -> None:
        def bucket(day: Any) -> ColumnElement[Any]:
            return day if span is TotalSpan.DAY else self._month_start(day)

        issued = bucket(Invitation.issued_on)
        answered = case((Invitation.responded_at.is_not(None), 1), else_=0)
        invitation_keys = (issued, Invitation.agency_code, Invitation.procedure_code, Invitation.channel)
        await self.session.execute(
            insert(InvitationTotal).from_select(
                [*INVITATION_KEY, "invitations", "answered"],
                select(literal(span.value), *invitation_keys, func.count(), func.sum(answered)).group_by(
                    *invitation_keys
                ),
            )
        )
        satisfied = case((Answer.score >= LOW_SATISFIED, 1), else_=0)
        score = cast(Answer.score, Integer)
        keys = (
            bucket(Response.submitted_on),
            Response.agency_code,
            Response.procedure_code,
            Response.channel,
            Response.mode,
        )
        await self.session.execute(
            insert(ResponseTotal).from_select(
                [*RESPONSE_KEY, "responses", "satisfied", "overall_score_sum"],
                select(literal(span.value), *keys, func.count(), func.sum(satisfied), func.sum(score))
                .join(Answer, Answer.response_id == Response.id)
                .join(Question, Question.id == Answer.question_id)
                .where(Question.factor == Factor.OVERALL, Question.kind == QuestionKind.SCALE)
                .group_by(*keys),
            )
        )
        await self.session.execute(
            insert(AnswerTotal).from_select(
                [*ANSWER_KEY, "answers", "score_sum", "satisfied"],
                select(
                    literal(span.value), *keys, Answer.question_id, func.count(), func.sum(score), func.sum(satisfied)
                )
                .join(Answer, Answer.response_id == Response.id)
                .where(Answer.score.is_not(None))
                .group_by(*keys, Answer.question_id),
            )
        )
