"""HTTP for /api/v1/surveys/questionnaires."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from motcua_kit.db import DBSession
from motcua_kit.errors import problem_responses
from satisfaction_survey.questionnaires.repository import QuestionnaireRepository
from satisfaction_survey.questionnaires.schemas import QuestionnaireRead
from satisfaction_survey.questionnaires.service import QuestionnaireService

router = APIRouter(prefix="/surveys/questionnaires", tags=["questionnaires"])


def get_service(session: DBSession) -> QuestionnaireService:
    return QuestionnaireService(QuestionnaireRepository(session))


Service = Annotated[QuestionnaireService, Depends(get_service)]


@router.get("/current", summary="The current questionnaire", responses=problem_responses(404))
async def current_questionnaire(service: Service) -> QuestionnaireRead:
    """The published questionnaire citizens answer now, in Vietnamese and English. Public."""
    return QuestionnaireRead.model_validate(await service.current())
