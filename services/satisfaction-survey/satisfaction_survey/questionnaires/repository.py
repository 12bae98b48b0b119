"""All SQL about questionnaires."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from satisfaction_survey.models import Questionnaire, QuestionnaireStatus


class QuestionnaireRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def current(self) -> Questionnaire | None:
        """The most recently published version."""
        return await self.session.scalar(
            select(Questionnaire)
            .where(Questionnaire.status == QuestionnaireStatus.PUBLISHED)
            .order_by(Questionnaire.published_at.desc(), Questionnaire.version.desc())
            .limit(1)
        )
