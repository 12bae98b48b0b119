"""HTTP for /api/v1/surveys/feedback."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from motcua_kit.auth import Principal, require_roles
from motcua_kit.concurrency import IfMatch, set_etag
from motcua_kit.db import DBSession
from motcua_kit.errors import problem_responses
from motcua_kit.pagination import Page, Pagination, SortKey, page_of, sort_param
from satisfaction_survey.common import AgencyCode, ProcedureCode
from satisfaction_survey.feedback import rules
from satisfaction_survey.feedback.repository import SORTABLE, FeedbackRepository
from satisfaction_survey.feedback.schemas import FeedbackRead, FeedbackUpdate
from satisfaction_survey.feedback.service import FeedbackService, feedback_etag
from satisfaction_survey.models import FeedbackItem, FeedbackStatus

router = APIRouter(prefix="/surveys/feedback", tags=["feedback"])


async def get_service(session: DBSession) -> FeedbackService:
    return FeedbackService(FeedbackRepository(session))


Service = Annotated[FeedbackService, Depends(get_service)]
Handler = Annotated[Principal, require_roles(*rules.FEEDBACK_ROLES)]
ItemId = Annotated[int, Path(ge=1, le=2_147_483_647)]


def _read(item: FeedbackItem) -> FeedbackRead:
    return FeedbackRead.model_validate(item, from_attributes=True)


@router.get("", summary="List feedback items", responses=problem_responses(403))
async def list_feedback(
    *,
    service: Service,
    page: Pagination,
    principal: Handler,
    sort: Annotated[list[SortKey], sort_param(list(SORTABLE), default="-created_at")],
    status_: Annotated[FeedbackStatus | None, Query(alias="status")] = None,
    agency: Annotated[AgencyCode | None, Query(description="Agency code.")] = None,
    procedure: Annotated[ProcedureCode | None, Query(description="Procedure code (MaTTHC).")] = None,
) -> Page[FeedbackRead]:
    """Unhappy evaluations to act on, newest first. Staff whose token names an agency see its items only."""
    rows, total = await service.list(
        principal, agency_code=agency, procedure_code=procedure, status=status_, sort=sort, page=page
    )
    return page_of(rows, total, page, _read)


@router.get("/{item_id}", summary="Read a feedback item", responses=problem_responses(404))
async def get_feedback(item_id: ItemId, service: Service, principal: Handler, response: Response) -> FeedbackRead:
    """One item, with the ETag to send when updating it."""
    item = await service.get(item_id, principal)
    set_etag(response, feedback_etag(item))
    return _read(item)


@router.patch(
    "/{item_id}",
    summary="Acknowledge, answer or resolve a feedback item",
    responses=problem_responses(404, 409, 412, 428),
)
async def update_feedback(
    *,
    item_id: ItemId,
    body: FeedbackUpdate,
    service: Service,
    principal: Handler,
    response: Response,
    if_match: IfMatch = None,
) -> FeedbackRead:
    """open -> acknowledged -> resolved (or open -> resolved); resolving needs the agency's answer.
    If-Match required. Needs `survey_admin`, `leader`, `processing_officer` or `reception_officer`."""
    item = await service.update(item_id, body, if_match, principal)
    set_etag(response, feedback_etag(item))
    return _read(item)
