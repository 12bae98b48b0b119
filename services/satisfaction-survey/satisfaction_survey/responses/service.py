"""Response rules. Raises the kit's problem errors; never commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from motcua_kit.auth import Principal
from motcua_kit.db import utcnow
from motcua_kit.errors import Conflict, FieldError, Forbidden, NotFound, Unauthorized, UnprocessableContent
from motcua_kit.events.outbox import record_events
from motcua_kit.pagination import PageParams, SortKey
from motcua_kit.timezone import local_date
from satisfaction_survey.events import STORE, answered_event, feedback_opened_event
from satisfaction_survey.feedback.repository import FeedbackRepository
from satisfaction_survey.invitations.repository import InvitationRepository
from satisfaction_survey.invitations.service import InvitationService
from satisfaction_survey.models import (
    Answer,
    FeedbackItem,
    FeedbackStatus,
    Invitation,
    QuestionKind,
    Questionnaire,
    Response,
    ResponseMode,
)
from satisfaction_survey.questionnaires import rules as questionnaire_rules
from satisfaction_survey.questionnaires.repository import QuestionnaireRepository
from satisfaction_survey.responses import rules
from satisfaction_survey.responses.repository import DuplicateResponse, ResponseRepository
from satisfaction_survey.responses.schemas import ResponseCreate
from satisfaction_survey.stats.totals import TotalsRepository


class RecordedResponse:
    def __init__(self, response: Response, feedback: FeedbackItem | None) -> None:
        self.response = response
        self.feedback = feedback


class ResponseService:
    def __init__(
        self,
        repository: ResponseRepository,
        *,
        invitations: InvitationService,
        questionnaires: QuestionnaireRepository,
        feedback: FeedbackRepository,
        totals: TotalsRepository,
    ) -> None:
        self.repository = repository
        self.invitations = invitations
        self.invitation_repository: InvitationRepository = invitations.repository
        self.questionnaires = questionnaires
        self.feedback = feedback
        self.totals = totals

    async def record(
        self, data: ResponseCreate, principal: Principal | None, *, now: dt.datetime | None = None
    ) -> RecordedResponse:
        """Record the one evaluation of a dossier, online (token) or from a paper form (staff), and announce
        it (``survey.answered``, and ``feedback.opened`` when it opens feedback) in the same transaction."""
        now = now or utcnow()
        if data.mode is ResponseMode.PAPER:
            if principal is None:
                raise Unauthorized("Paper forms are entered by staff, with a bearer token.")
            if not rules.may_enter_paper(principal):
                raise Forbidden("Only the one-stop unit's staff enter paper forms.", code="paper_entry_not_allowed")
        problems = rules.mode_problems(data)
        if problems:
            raise UnprocessableContent("The response has invalid fields; see `errors`.", errors=problems)
        if data.mode is ResponseMode.ONLINE:
            assert data.token is not None
            invitation = await self.invitations.open_by_token(data.token, now=now)
            questionnaire = invitation.questionnaire
            entered_by = None
        else:
            assert principal is not None
            invitation = await self._paper_invitation(data, principal)
            questionnaire = await self._paper_version(data, invitation)
            entered_by = principal.subject
        problems = rules.answer_problems(questionnaire, data.answers, complaint=data.complaint)
        if problems:
            raise UnprocessableContent(
                f"The answers do not fit questionnaire version {questionnaire.version}; see `errors`.",
                code="invalid_answers",
                errors=problems,
            )
        response = Response(
            invitation_id=invitation.id,
            questionnaire_id=questionnaire.id,
            questionnaire=questionnaire,
            dossier_code=invitation.dossier_code,
            procedure_code=invitation.procedure_code,
            agency_code=invitation.agency_code,
            channel=invitation.channel,
            mode=data.mode,
            form_number=data.form_number,
            entered_by=entered_by,
            complaint=data.complaint,
            submitted_at=now,
            submitted_on=local_date(now),
            answers=[Answer(question_id=a.question_id, score=a.score, text=a.text) for a in data.answers],
        )
        try:
            await self.repository.add(response)
        except DuplicateResponse as exc:
            if exc.what == "form_number":
                raise _form_number_used(data) from exc
            raise _already_answered(invitation) from exc
        invitation.responded_at = now
        await self.invitation_repository.flush()
        feedback = await self._open_feedback(response, invitation, questionnaire, data, now)
        overall = rules.overall_question(questionnaire)
        scores = [(a.question_id, a.score) for a in data.answers if a.score is not None]
        overall_score = next(score for question_id, score in scores if question_id == overall.id)
        await self.totals.count_response(
            day=response.submitted_on,
            issued_on=invitation.issued_on,
            agency_code=response.agency_code,
            procedure_code=response.procedure_code,
            channel=response.channel,
            mode=response.mode,
            overall_score=overall_score,
            scores=scores,
        )
        events = [answered_event(response, overall_score)]
        if feedback is not None:
            events.append(feedback_opened_event(feedback))
        await record_events(self.repository.session, STORE, events)
        return RecordedResponse(response, feedback)

    async def _paper_invitation(self, data: ResponseCreate, principal: Principal) -> Invitation:
        assert data.dossier_code is not None
        assert data.form_number is not None
        invitation = await self.invitation_repository.get_by_dossier(data.dossier_code)
        if invitation is None:
            raise NotFound(f"Dossier {data.dossier_code!r} has no survey invitation.", code="invitation_not_found")
        if rules.is_own_dossier(principal, invitation):
            raise Forbidden(
                "You handled this dossier: a colleague enters its evaluation.", code="own_dossier_evaluation"
            )
        if invitation.responded_at is not None:
            raise _already_answered(invitation)
        if await self.repository.form_number_used(invitation.agency_code, data.form_number):
            raise _form_number_used(data)
        return invitation

    async def _paper_version(self, data: ResponseCreate, invitation: Invitation) -> Questionnaire:
        if data.questionnaire_version is None or data.questionnaire_version == invitation.questionnaire.version:
            return invitation.questionnaire
        questionnaire = await self.questionnaires.get_by_version(data.questionnaire_version)
        if questionnaire is None or not questionnaire_rules.is_answerable(questionnaire):
            raise UnprocessableContent(
                "No published questionnaire has this version.",
                code="invalid_answers",
                errors=[
                    FieldError(
                        field="questionnaire_version",
                        message=f"version {data.questionnaire_version} was never published",
                        type="not_answerable",
                    )
                ],
            )
        return questionnaire

    async def _open_feedback(
        self,
        response: Response,
        invitation: Invitation,
        questionnaire: Questionnaire,
        data: ResponseCreate,
        now: dt.datetime,
    ) -> FeedbackItem | None:
        low = rules.low_scores(questionnaire, data.answers)
        if not rules.opens_feedback(low, complaint=data.complaint):
            return None
        comment_ids = {q.id for q in questionnaire.questions if q.kind is QuestionKind.COMMENT}
        item = FeedbackItem(
            response_id=response.id,
            dossier_code=response.dossier_code,
            procedure_code=response.procedure_code,
            agency_code=response.agency_code,
            officer_id=invitation.officer_id,
            low_scores=low,
            complaint=data.complaint,
            comment=next((a.text for a in data.answers if a.question_id in comment_ids), None),
            status=FeedbackStatus.OPEN,
            created_at=now,
            revision=1,
        )
        await self.feedback.add(item)
        return item

    async def get(self, response_id: int) -> Response:
        response = await self.repository.get(response_id)
        if response is None:
            raise NotFound(f"No response {response_id}.", code="response_not_found")
        return response

    async def list(
        self,
        *,
        agency_code: str | None,
        procedure_code: str | None,
        mode: ResponseMode | None,
        dossier_code: str | None,
        since: dt.datetime | None,
        until: dt.datetime | None,
        sort: Sequence[SortKey],
        page: PageParams,
    ) -> tuple[Sequence[Response], int]:
        return await self.repository.list(
            agency_code=agency_code,
            procedure_code=procedure_code,
            mode=mode,
            dossier_code=dossier_code,
            since=since,
            until=until,
            sort=sort,
            page=page,
        )


def _already_answered(invitation: Invitation) -> Conflict:
    return Conflict(f"Dossier {invitation.dossier_code!r} has already been evaluated.", code="already_answered")


def _form_number_used(data: ResponseCreate) -> Conflict:
    return Conflict(f"Paper form {data.form_number!r} has already been entered.", code="form_number_used")
