"""Feedback rules. Raises the kit's problem errors; never commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from motcua_kit.auth import Principal
from motcua_kit.concurrency import check_if_match, etag_for
from motcua_kit.db import utcnow
from motcua_kit.errors import Conflict, FieldError, Forbidden, NotFound, UnprocessableContent
from motcua_kit.pagination import PageParams, SortKey
from satisfaction_survey.feedback import rules
from satisfaction_survey.feedback.repository import FeedbackRepository
from satisfaction_survey.feedback.schemas import FeedbackUpdate
from satisfaction_survey.models import FeedbackItem, FeedbackStatus


def feedback_etag(item: FeedbackItem) -> str:
    return etag_for("feedback", item.id, item.revision)


class FeedbackService:
    def __init__(self, repository: FeedbackRepository) -> None:
        self.repository = repository

    async def list(
        self,
        principal: Principal,
        *,
        agency_code: str | None,
        procedure_code: str | None,
        status: FeedbackStatus | None,
        sort: Sequence[SortKey],
        page: PageParams,
    ) -> tuple[Sequence[FeedbackItem], int]:
        scope = rules.agency_scope(principal)
        if scope is not None:
            if agency_code is not None and agency_code != scope:
                raise Forbidden("Your token names another agency.", code="other_agency")
            agency_code = scope
        return await self.repository.list(
            agency_code=agency_code, procedure_code=procedure_code, status=status, sort=sort, page=page
        )

    async def get(self, item_id: int, principal: Principal) -> FeedbackItem:
        item = await self.repository.get(item_id)
        # Another agency's item is not shown, not even as existing.
        if item is None or not rules.may_handle(principal, item.agency_code):
            raise NotFound(f"No feedback item {item_id} visible to you.", code="feedback_not_found")
        return item

    async def update(
        self,
        item_id: int,
        data: FeedbackUpdate,
        if_match: str | None,
        principal: Principal,
        *,
        now: dt.datetime | None = None,
    ) -> FeedbackItem:
        now = now or utcnow()
        item = await self.get(item_id, principal)
        check_if_match(if_match, feedback_etag(item))
        if rules.is_closed(item.status):
            raise Conflict("The item is resolved and can no longer change.", code="feedback_closed")
        target = FeedbackStatus(data.status.value) if data.status is not None else item.status
        if target is not item.status and not rules.transition_allowed(item.status, target):
            raise Conflict(f"An {item.status.value} item cannot become {target.value}.", code="feedback_transition")
        response_text = data.response_text if data.response_text is not None else item.response_text
        if rules.resolution_needs_answer(target, response_text):
            raise UnprocessableContent(
                "Resolving an item needs the agency's answer.",
                code="resolution_without_answer",
                errors=[FieldError(field="response_text", message="required to resolve", type="missing")],
            )
        if target is FeedbackStatus.ACKNOWLEDGED and item.status is FeedbackStatus.OPEN:
            item.acknowledged_at, item.acknowledged_by = now, principal.subject
        if target is FeedbackStatus.RESOLVED:
            item.resolved_at, item.resolved_by = now, principal.subject
        item.status = target
        item.response_text = response_text
        item.revision += 1
        await self.repository.flush()
        return item
