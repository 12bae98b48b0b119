"""HTTP for /api/v1/surveys/responses."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from motcua_kit.auth import OptionalPrincipal, Principal, Role, require_roles
from motcua_kit.db import DBSession
from motcua_kit.errors import problem_responses
from motcua_kit.pagination import Page, Pagination, SortKey, page_of, sort_param
from satisfaction_survey.common import AgencyCode, DossierCode, ProcedureCode
from satisfaction_survey.feedback.repository import FeedbackRepository
from satisfaction_survey.invitations.router import get_service as get_invitation_service
from satisfaction_survey.invitations.service import InvitationService
from satisfaction_survey.models import Response as SurveyResponse
from satisfaction_survey.models import ResponseMode
from satisfaction_survey.questionnaires.repository import QuestionnaireRepository
from satisfaction_survey.responses import rules
from satisfaction_survey.responses.repository import SORTABLE, ResponseRepository
from satisfaction_survey.responses.schemas import (
    AnswerRead,
    ResponseCreate,
    ResponseRead,
    ResponseReceipt,
    ResponseSummary,
)
from satisfaction_survey.responses.service import ResponseService
from satisfaction_survey.stats.period import local_day_bounds
from satisfaction_survey.stats.totals import TotalsRepository

router = APIRouter(prefix="/surveys/responses", tags=["responses"])

READERS = (Role.SURVEY_ADMIN, Role.LEADER)


async def get_service(
    session: DBSession, invitations: Annotated[InvitationService, Depends(get_invitation_service)]
) -> ResponseService:
    return ResponseService(
        ResponseRepository(session),
        invitations=invitations,
        questionnaires=QuestionnaireRepository(session),
        feedback=FeedbackRepository(session),
        totals=TotalsRepository(session),
    )


Service = Annotated[ResponseService, Depends(get_service)]
Reader = Annotated[Principal, require_roles(*READERS)]


def _summary(response: SurveyResponse) -> ResponseSummary:
    overall_id = rules.overall_question(response.questionnaire).id
    return ResponseSummary(
        id=response.id,
        dossier_code=response.dossier_code,
        procedure_code=response.procedure_code,
        agency_code=response.agency_code,
        channel=response.channel,
        mode=response.mode,
        questionnaire_version=response.questionnaire.version,
        form_number=response.form_number,
        entered_by=response.entered_by,
        complaint=response.complaint,
        overall_score=next((a.score for a in response.answers if a.question_id == overall_id), None),
        submitted_at=response.submitted_at,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Record a dossier's evaluation",
    responses=problem_responses(403, 404, 409),
)
async def record_response(
    body: ResponseCreate, service: Service, principal: OptionalPrincipal, response: Response
) -> ResponseReceipt:
    """`online`: public, with the link's token (an unknown, expired or used token is one 404).
    `paper`: staff (`reception_officer`, `survey_admin`) enter the form with its number. One response
    per dossier: a second is 409. Answers are checked against the version answered (422 naming each)."""
    recorded = await service.record(body, principal)
    saved = recorded.response
    response.headers["Location"] = f"/api/v1/surveys/responses/{saved.id}"
    response.headers["Cache-Control"] = "no-store"
    return ResponseReceipt(
        id=saved.id,
        mode=saved.mode,
        questionnaire_version=saved.questionnaire.version,
        submitted_at=saved.submitted_at,
        feedback_opened=recorded.feedback is not None,
    )


@router.get("", summary="List responses")
async def list_responses(
    *,
    service: Service,
    page: Pagination,
    _reader: Reader,
    sort: Annotated[list[SortKey], sort_param(list(SORTABLE), default="-submitted_at")],
    agency: Annotated[AgencyCode | None, Query(description="Agency code.")] = None,
    procedure: Annotated[ProcedureCode | None, Query(description="Procedure code (MaTTHC).")] = None,
    mode: Annotated[ResponseMode | None, Query(description="`online` or `paper`.")] = None,
    dossier: Annotated[DossierCode | None, Query(description="Dossier code.")] = None,
    from_: Annotated[dt.date | None, Query(alias="from", description="First day (Vietnam), inclusive.")] = None,
    to: Annotated[dt.date | None, Query(description="Last day (Vietnam), inclusive.")] = None,
) -> Page[ResponseSummary]:
    """Responses, newest first, with the overall score. Needs `survey_admin` or `leader`."""
    since, until = local_day_bounds(from_, to)
    rows, total = await service.list(
        agency_code=agency,
        procedure_code=procedure,
        mode=mode,
        dossier_code=dossier,
        since=since,
        until=until,
        sort=sort,
        page=page,
    )
    return page_of(rows, total, page, _summary)


@router.get("/{response_id}", summary="Read a response", responses=problem_responses(404))
async def get_response(
    response_id: Annotated[int, Path(ge=1, le=2_147_483_647)], service: Service, _reader: Reader
) -> ResponseRead:
    """One response with every answer and the comment. Needs `survey_admin` or `leader`."""
    saved = await service.get(response_id)
    return ResponseRead(
        **_summary(saved).model_dump(),
        answers=[
            AnswerRead(
                question_id=a.question_id,
                key=a.question.key,
                factor=a.question.factor,
                kind=a.question.kind,
                score=a.score,
                text=a.text,
            )
            for a in saved.answers
        ],
    )
