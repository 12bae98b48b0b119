"""Questionnaire rules. Raises the kit's problem errors; never commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from motcua_kit.auth import Principal
from motcua_kit.concurrency import check_if_match, etag_for
from motcua_kit.db import utcnow
from motcua_kit.errors import Conflict, NotFound, UnprocessableContent
from motcua_kit.pagination import PageParams
from satisfaction_survey.models import Question, Questionnaire, QuestionnaireStatus
from satisfaction_survey.questionnaires import rules
from satisfaction_survey.questionnaires.repository import QuestionnaireRepository
from satisfaction_survey.questionnaires.schemas import QuestionnaireCreate


def questionnaire_etag(questionnaire: Questionnaire) -> str:
    return etag_for("questionnaire", questionnaire.id, questionnaire.revision)


def _questions(data: QuestionnaireCreate) -> list[Question]:
    return [
        Question(
            key=q.key,
            position=position,
            factor=q.factor,
            kind=q.kind,
            text_vi=q.text_vi,
            text_en=q.text_en,
            required=rules.resolved_required(q),
        )
        for position, q in enumerate(data.questions, start=1)
    ]


class QuestionnaireService:
    def __init__(self, repository: QuestionnaireRepository) -> None:
        self.repository = repository

    async def current(self) -> Questionnaire:
        questionnaire = await self.repository.current()
        if questionnaire is None:
            raise NotFound("No questionnaire has been published yet.", code="no_current_questionnaire")
        return questionnaire

    async def get(self, questionnaire_id: int) -> Questionnaire:
        questionnaire = await self.repository.get(questionnaire_id)
        if questionnaire is None:
            raise NotFound(f"No questionnaire {questionnaire_id}.", code="questionnaire_not_found")
        return questionnaire

    async def list(
        self, *, status: QuestionnaireStatus | None, page: PageParams
    ) -> tuple[Sequence[Questionnaire], int]:
        return await self.repository.list(status=status, page=page)

    async def create_draft(self, data: QuestionnaireCreate, principal: Principal) -> Questionnaire:
        """A new version starts as a draft numbered after the highest existing version."""
        _check_structure(data)
        questionnaire = Questionnaire(
            version=await self.repository.next_version(),
            title_vi=data.title_vi,
            title_en=data.title_en,
            status=QuestionnaireStatus.DRAFT,
            created_by=principal.subject,
            revision=1,
        )
        questionnaire.questions = _questions(data)
        return await self.repository.add(questionnaire)

    async def replace_draft(
        self, questionnaire_id: int, data: QuestionnaireCreate, if_match: str | None
    ) -> Questionnaire:
        """Replace a draft's title and questions; a published version is immutable."""
        questionnaire = await self.get(questionnaire_id)
        _check_editable(questionnaire)
        check_if_match(if_match, questionnaire_etag(questionnaire))
        _check_structure(data)
        questionnaire.title_vi = data.title_vi
        questionnaire.title_en = data.title_en
        questionnaire.revision += 1
        await self.repository.replace_questions(questionnaire, _questions(data))
        return questionnaire

    async def publish(
        self, questionnaire_id: int, if_match: str | None, *, now: dt.datetime | None = None
    ) -> Questionnaire:
        """Make a draft the current version; the previous current one is retired (still answerable)."""
        now = now or utcnow()
        questionnaire = await self.get(questionnaire_id)
        _check_editable(questionnaire)
        check_if_match(if_match, questionnaire_etag(questionnaire))
        problems = rules.translation_problems(questionnaire)
        if problems:
            raise UnprocessableContent(
                "The questionnaire cannot be published yet; see `errors`.", code="not_publishable", errors=problems
            )
        await self.repository.retire_published(now)
        questionnaire.status = QuestionnaireStatus.PUBLISHED
        questionnaire.published_at = now
        questionnaire.revision += 1
        await self.repository.flush()
        return questionnaire


def _check_structure(data: QuestionnaireCreate) -> None:
    problems = rules.structure_problems(data.questions)
    if problems:
        raise UnprocessableContent(
            "The questionnaire is not well formed; see `errors`.", code="invalid_questionnaire", errors=problems
        )


def _check_editable(questionnaire: Questionnaire) -> None:
    if not rules.is_editable(questionnaire):
        raise Conflict(
            f"Version {questionnaire.version} is {questionnaire.status.value} and can no longer change;"
            " create a new version instead.",
            code="questionnaire_not_draft",
        )
