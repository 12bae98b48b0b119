"""Named rules of responses (domain brief, "Satisfaction"; issue 4/9)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from motcua_kit.auth import Principal, Role
from motcua_kit.errors import FieldError
from satisfaction_survey.common import UNHAPPY_LEVELS
from satisfaction_survey.models import Factor, Invitation, Question, QuestionKind, Questionnaire, ResponseMode
from satisfaction_survey.responses.schemas import AnswerIn, ResponseCreate

PAPER_ENTRY_ROLES = frozenset({Role.RECEPTION_OFFICER, Role.SURVEY_ADMIN})


def may_enter_paper(principal: Principal) -> bool:
    """Paper forms are collected at the one-stop desk and entered by its staff (or the survey admin)."""
    return principal.has_any(PAPER_ENTRY_ROLES)


def is_own_dossier(principal: Principal, invitation: Invitation) -> bool:
    """A civil servant may not enter the evaluation of a dossier they handled themselves."""
    return principal.subject == invitation.officer_id


def mode_problems(data: ResponseCreate) -> list[FieldError]:
    """Online responses carry the link's token and nothing of a paper form; paper ones the reverse."""
    problems: list[FieldError] = []

    def needed(field: str, why: str) -> None:
        problems.append(FieldError(field=field, message=why, type="missing"))

    def refused(field: str, why: str) -> None:
        problems.append(FieldError(field=field, message=why, type="not_allowed"))

    if data.mode is ResponseMode.ONLINE:
        if data.token is None:
            needed("token", "an online response needs the token of its link")
        for field in ("dossier_code", "form_number", "questionnaire_version"):
            if getattr(data, field) is not None:
                refused(field, "only for paper forms")
    else:
        if data.dossier_code is None:
            needed("dossier_code", "a paper form names its dossier")
        if data.form_number is None:
            needed("form_number", "a paper form is entered with its number")
        if data.token is not None:
            refused("token", "only for online responses")
    return problems


def answer_problems(questionnaire: Questionnaire, answers: Sequence[AnswerIn], *, complaint: bool) -> list[FieldError]:
    """Answers must fit the version answered: each names one of its questions, once; a scale question
    gets a score on the 5-level scale, the comment gets text; every required question is answered; a
    complaint needs its comment."""
    questions = {q.id: q for q in questionnaire.questions}
    seen = Counter(a.question_id for a in answers)
    problems: list[FieldError] = []
    for index, answer in enumerate(answers):
        question = questions.get(answer.question_id)
        at = f"answers.{index}"
        if question is None:
            problems.append(
                FieldError(
                    field=f"{at}.question_id",
                    message=f"question {answer.question_id} is not in version {questionnaire.version}",
                    type="question_not_in_version",
                )
            )
            continue
        if seen[answer.question_id] > 1:
            problems.append(
                FieldError(
                    field=f"{at}.question_id",
                    message=f"question {question.key!r} is answered more than once",
                    type="duplicate_answer",
                )
            )
        if question.kind is QuestionKind.SCALE:
            if answer.score is None:
                problems.append(
                    FieldError(field=f"{at}.score", message="a score from 1 to 5 is needed", type="missing")
                )
            if answer.text is not None:
                problems.append(
                    FieldError(field=f"{at}.text", message="a scale question takes a score", type="not_allowed")
                )
        else:
            if answer.text is None:
                problems.append(FieldError(field=f"{at}.text", message="the comment needs text", type="missing"))
            if answer.score is not None:
                problems.append(FieldError(field=f"{at}.score", message="the comment takes text", type="not_allowed"))
    problems.extend(
        FieldError(
            field="answers",
            message=f"required question {question.key!r} (id {question.id}) is not answered",
            type="missing_answer",
        )
        for question in questionnaire.questions
        if question.required and question.id not in seen
    )
    if complaint and not any(
        a.text and questions.get(a.question_id) is not None and questions[a.question_id].kind is QuestionKind.COMMENT
        for a in answers
    ):
        problems.append(
            FieldError(
                field="complaint",
                message="a complaint needs the comment that states it",
                type="complaint_without_comment",
            )
        )
    return problems


def overall_question(questionnaire: Questionnaire) -> Question:
    """The version's one required overall scale question (guaranteed when it was created)."""
    return next(q for q in questionnaire.questions if q.factor is Factor.OVERALL and q.kind is QuestionKind.SCALE)


def low_scores(questionnaire: Questionnaire, answers: Sequence[AnswerIn]) -> list[dict[str, Any]]:
    """The answers in the two lowest levels ("very dissatisfied", "dissatisfied")."""
    questions = {q.id: q for q in questionnaire.questions}
    return [
        {
            "question_id": a.question_id,
            "key": questions[a.question_id].key,
            "factor": questions[a.question_id].factor.value,
            "score": a.score,
        }
        for a in answers
        if a.score in UNHAPPY_LEVELS
    ]


def opens_feedback(low: Sequence[Any], *, complaint: bool) -> bool:
    """An answer in the two lowest levels, or a complaint, reaches the agency as feedback to act on."""
    return bool(low) or complaint
