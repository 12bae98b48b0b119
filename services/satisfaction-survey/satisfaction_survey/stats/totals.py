"""All SQL that keeps the daily totals (see ``models/totals.py``), and rebuilds them from the raw rows.

Every change is one upsert that adds to a row, so concurrent writers never lose a count: on
PostgreSQL the row lock serialises them, on SQLite the single writer does. Rows are always touched
in the same order (responses, answers by question id, invitations) so two writers cannot deadlock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer, case, cast, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from satisfaction_survey.common import SATISFIED_LEVELS
from satisfaction_survey.models import (
    Answer,
    AnswerDailyTotal,
    DossierChannel,
    Factor,
    Invitation,
    InvitationDailyTotal,
    Question,
    QuestionKind,
    Response,
    ResponseDailyTotal,
    ResponseMode,
)

LOW_SATISFIED = min(SATISFIED_LEVELS)
INVITATION_KEY = ["day", "agency_code", "procedure_code", "channel"]
RESPONSE_KEY = [*INVITATION_KEY, "mode"]
ANSWER_KEY = [*RESPONSE_KEY, "question_id"]


class TotalsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _insert(self, table: Any) -> Any:
        dialect = self.session.get_bind().dialect.name
        return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)

    async def count_invitation(
        self, *, day: dt.date, agency_code: str, procedure_code: str, channel: DossierChannel
    ) -> None:
        statement = self._insert(InvitationDailyTotal).values(
            day=day, agency_code=agency_code, procedure_code=procedure_code, channel=channel, invitations=1, answered=0
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=INVITATION_KEY,
                set_={"invitations": InvitationDailyTotal.invitations + 1},
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
        responses = self._insert(ResponseDailyTotal).values(
            day=day, mode=mode, responses=1, satisfied=satisfied, overall_score_sum=overall_score, **key
        )
        await self.session.execute(
            responses.on_conflict_do_update(
                index_elements=RESPONSE_KEY,
                set_={
                    "responses": ResponseDailyTotal.responses + 1,
                    "satisfied": ResponseDailyTotal.satisfied + responses.excluded.satisfied,
                    "overall_score_sum": ResponseDailyTotal.overall_score_sum + responses.excluded.overall_score_sum,
                },
            )
        )
        if scores:
            answers = self._insert(AnswerDailyTotal).values(
                [
                    {
                        "day": day,
                        "mode": mode,
                        "question_id": question_id,
                        "answers": 1,
                        "score_sum": score,
                        "satisfied": int(score in SATISFIED_LEVELS),
                        **key,
                    }
                    for question_id, score in sorted(scores)
                ]
            )
            await self.session.execute(
                answers.on_conflict_do_update(
                    index_elements=ANSWER_KEY,
                    set_={
                        "answers": AnswerDailyTotal.answers + 1,
                        "score_sum": AnswerDailyTotal.score_sum + answers.excluded.score_sum,
                        "satisfied": AnswerDailyTotal.satisfied + answers.excluded.satisfied,
                    },
                )
            )
        invitations = self._insert(InvitationDailyTotal).values(day=issued_on, invitations=0, answered=1, **key)
        await self.session.execute(
            invitations.on_conflict_do_update(
                index_elements=INVITATION_KEY,
                set_={"answered": InvitationDailyTotal.answered + 1},
            )
        )

    async def rebuild(self) -> None:
        """Recompute every total from the raw invitations, responses and answers, in SQL."""
        for table in (AnswerDailyTotal, ResponseDailyTotal, InvitationDailyTotal):
            await self.session.execute(delete(table))
        answered = case((Invitation.responded_at.is_not(None), 1), else_=0)
        await self.session.execute(
            insert(InvitationDailyTotal).from_select(
                ["day", "agency_code", "procedure_code", "channel", "invitations", "answered"],
                select(
                    Invitation.issued_on,
                    Invitation.agency_code,
                    Invitation.procedure_code,
                    Invitation.channel,
                    func.count(),
                    func.sum(answered),
                ).group_by(Invitation.issued_on, Invitation.agency_code, Invitation.procedure_code, Invitation.channel),
            )
        )
        satisfied = case((Answer.score >= LOW_SATISFIED, 1), else_=0)
        response_keys = (
            Response.submitted_on,
            Response.agency_code,
            Response.procedure_code,
            Response.channel,
            Response.mode,
        )
        await self.session.execute(
            insert(ResponseDailyTotal).from_select(
                [
                    "day",
                    "agency_code",
                    "procedure_code",
                    "channel",
                    "mode",
                    "responses",
                    "satisfied",
                    "overall_score_sum",
                ],
                select(*response_keys, func.count(), func.sum(satisfied), func.sum(cast(Answer.score, Integer)))
                .join(Answer, Answer.response_id == Response.id)
                .join(Question, Question.id == Answer.question_id)
                .where(Question.factor == Factor.OVERALL, Question.kind == QuestionKind.SCALE)
                .group_by(*response_keys),
            )
        )
        await self.session.execute(
            insert(AnswerDailyTotal).from_select(
                [
                    "day",
                    "agency_code",
                    "procedure_code",
                    "channel",
                    "mode",
                    "question_id",
                    "answers",
                    "score_sum",
                    "satisfied",
                ],
                select(
                    *response_keys,
                    Answer.question_id,
                    func.count(),
                    func.sum(cast(Answer.score, Integer)),
                    func.sum(satisfied),
                )
                .join(Answer, Answer.response_id == Response.id)
                .where(Answer.score.is_not(None))
                .group_by(*response_keys, Answer.question_id),
            )
        )
