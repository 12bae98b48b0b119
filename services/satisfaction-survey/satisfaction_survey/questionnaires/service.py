"""Questionnaire rules. Raises the kit's problem errors; never commits."""

from __future__ import annotations

from motcua_kit.errors import NotFound
from satisfaction_survey.models import Questionnaire
from satisfaction_survey.questionnaires.repository import QuestionnaireRepository


class QuestionnaireService:
    def __init__(self, repository: QuestionnaireRepository) -> None:
        self.repository = repository

    async def current(self) -> Questionnaire:
        questionnaire = await self.repository.current()
        if questionnaire is None:
            raise NotFound("No questionnaire has been published yet.", code="no_current_questionnaire")
        return questionnaire
