"""All SQL about questionnaires."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from motcua_kit.pagination import PageParams, paginate
from satisfaction_survey.models import Question, Questionnaire, QuestionnaireStatus


class QuestionnaireRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def current(self) -> Questionnaire | None:
        """The published version (a partial unique index allows one at most)."""
        return await self.session.scalar(
            select(Questionnaire).where(Questionnaire.status == QuestionnaireStatus.PUBLISHED).limit(1)
        )

    async def get(self, questionnaire_id: int) -> Questionnaire | None:
        return await self.session.get(Questionnaire, questionnaire_id)

    async def get_by_version(self, version: int) -> Questionnaire | None:
        return await self.session.scalar(select(Questionnaire).where(Questionnaire.version == version))

    async def list(
        self, *, status: QuestionnaireStatus | None, page: PageParams
    ) -> tuple[Sequence[Questionnaire], int]:
        statement: Select[Any] = select(Questionnaire)
        if status is not None:
            statement = statement.where(Questionnaire.status == status)
        return await paginate(self.session, statement.order_by(Questionnaire.version.desc()), page)

    async def next_version(self) -> int:
        highest = await self.session.scalar(select(func.max(Questionnaire.version)))
        return int(highest or 0) + 1

    async def add(self, questionnaire: Questionnaire) -> Questionnaire:
        self.session.add(questionnaire)
        await self.session.flush()
        return questionnaire

    async def replace_questions(self, questionnaire: Questionnaire, questions: Sequence[Question]) -> None:
        questionnaire.questions.clear()
        # Old rows go first: the new ones may reuse their keys.
        await self.session.flush()
        questionnaire.questions.extend(questions)
        await self.session.flush()

    async def retire_published(self, now: dt.datetime) -> None:
        """Retire the current version, in its own statement so the new one can take its place."""
        await self.session.execute(
            update(Questionnaire)
            .where(Questionnaire.status == QuestionnaireStatus.PUBLISHED)
            .values(status=QuestionnaireStatus.RETIRED, retired_at=now)
            .execution_options(synchronize_session="fetch")
        )

    async def flush(self) -> None:
        await self.session.flush()
