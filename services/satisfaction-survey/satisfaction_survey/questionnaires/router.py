"""HTTP for /api/v1/surveys/questionnaires."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from motcua_kit.auth import Principal, Role, require_roles
from motcua_kit.concurrency import IfMatch, set_etag
from motcua_kit.db import DBSession
from motcua_kit.errors import problem_responses
from motcua_kit.i18n import AcceptLanguage, negotiate_language, set_content_language
from motcua_kit.pagination import Page, Pagination
from satisfaction_survey.models import QuestionnaireStatus
from satisfaction_survey.questionnaires.repository import QuestionnaireRepository
from satisfaction_survey.questionnaires.schemas import QuestionnaireCreate, QuestionnaireRead, questionnaire_read
from satisfaction_survey.questionnaires.service import QuestionnaireService, questionnaire_etag

router = APIRouter(prefix="/surveys/questionnaires", tags=["questionnaires"])


async def get_service(session: DBSession) -> QuestionnaireService:
    return QuestionnaireService(QuestionnaireRepository(session))


Service = Annotated[QuestionnaireService, Depends(get_service)]
SurveyAdmin = Annotated[Principal, require_roles(Role.SURVEY_ADMIN)]
QuestionnaireId = Annotated[int, Path(ge=1, le=2_147_483_647, description="The questionnaire version's id.")]


def _language(response: Response, accept_language: str | None) -> str:
    language = negotiate_language(accept_language)
    set_content_language(response, language)
    response.headers["Vary"] = "Accept-Language"
    return language


@router.get("/current", summary="The current questionnaire", responses=problem_responses(404))
async def current_questionnaire(
    service: Service, response: Response, accept_language: AcceptLanguage = None
) -> QuestionnaireRead:
    """The published version citizens answer now, in the language asked for (and both texts). Public."""
    return questionnaire_read(await service.current(), _language(response, accept_language))


@router.get("", summary="List questionnaire versions")
async def list_questionnaires(
    *,
    service: Service,
    page: Pagination,
    _admin: SurveyAdmin,
    response: Response,
    status_: Annotated[QuestionnaireStatus | None, Query(alias="status")] = None,
    accept_language: AcceptLanguage = None,
) -> Page[QuestionnaireRead]:
    """Every version, newest first, drafts included. Needs `survey_admin`."""
    language = _language(response, accept_language)
    rows, total = await service.list(status=status_, page=page)
    return Page[QuestionnaireRead](
        items=[questionnaire_read(q, language) for q in rows], total=total, page=page.page, size=page.size
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a draft version",
    responses=problem_responses(409),
)
async def create_questionnaire(
    *,
    body: QuestionnaireCreate,
    service: Service,
    response: Response,
    principal: SurveyAdmin,
    accept_language: AcceptLanguage = None,
) -> QuestionnaireRead:
    """A new version as a draft: the five national factors, one overall question, an optional comment."""
    questionnaire = await service.create_draft(body, principal)
    response.headers["Location"] = f"/api/v1/surveys/questionnaires/{questionnaire.id}"
    set_etag(response, questionnaire_etag(questionnaire))
    return questionnaire_read(questionnaire, _language(response, accept_language))


@router.get("/{questionnaire_id}", summary="Read a questionnaire version", responses=problem_responses(404))
async def get_questionnaire(
    *,
    questionnaire_id: QuestionnaireId,
    service: Service,
    response: Response,
    _admin: SurveyAdmin,
    accept_language: AcceptLanguage = None,
) -> QuestionnaireRead:
    """One version, with the ETag to send when editing or publishing it. Needs `survey_admin`."""
    questionnaire = await service.get(questionnaire_id)
    set_etag(response, questionnaire_etag(questionnaire))
    return questionnaire_read(questionnaire, _language(response, accept_language))


@router.put(
    "/{questionnaire_id}",
    summary="Replace a draft",
    responses=problem_responses(404, 409, 412, 428),
)
async def replace_questionnaire(
    *,
    questionnaire_id: QuestionnaireId,
    body: QuestionnaireCreate,
    service: Service,
    response: Response,
    _admin: SurveyAdmin,
    if_match: IfMatch = None,
    accept_language: AcceptLanguage = None,
) -> QuestionnaireRead:
    """Replace a draft's title and questions (If-Match required). A published version is immutable (409)."""
    questionnaire = await service.replace_draft(questionnaire_id, body, if_match)
    set_etag(response, questionnaire_etag(questionnaire))
    return questionnaire_read(questionnaire, _language(response, accept_language))


@router.post(
    "/{questionnaire_id}/publish",
    summary="Publish a draft",
    responses=problem_responses(404, 409, 412, 428),
)
async def publish_questionnaire(
    *,
    questionnaire_id: QuestionnaireId,
    service: Service,
    response: Response,
    _admin: SurveyAdmin,
    if_match: IfMatch = None,
    accept_language: AcceptLanguage = None,
) -> QuestionnaireRead:
    """Make the draft you last read (If-Match) the current version; the previous one is retired."""
    questionnaire = await service.publish(questionnaire_id, if_match)
    set_etag(response, questionnaire_etag(questionnaire))
    return questionnaire_read(questionnaire, _language(response, accept_language))
