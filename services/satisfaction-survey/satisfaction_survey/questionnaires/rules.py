"""Named rules of questionnaires (domain brief, "Satisfaction"; issue 4/9)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from motcua_kit.errors import FieldError
from satisfaction_survey.common import NATIONAL_FACTORS
from satisfaction_survey.models import Factor, QuestionKind, Questionnaire, QuestionnaireStatus
from satisfaction_survey.questionnaires.schemas import QuestionIn


def resolved_required(question: QuestionIn) -> bool:
    """Scale questions are required unless said otherwise; the comment is always optional."""
    if question.kind is QuestionKind.COMMENT:
        return False
    return True if question.required is None else question.required


def structure_problems(questions: Sequence[QuestionIn]) -> list[FieldError]:
    """A version must be answerable and comparable with the national index.

    - keys are unique within the version;
    - each of the five national factors has at least one scale question;
    - exactly one scale question measures `overall`, and it is required (it is the headline figure,
      one answer per response);
    - at most one comment question, and it is optional ("an optional comment").
    """
    problems: list[FieldError] = []
    counts = Counter(q.key for q in questions)
    for index, question in enumerate(questions):
        if counts[question.key] > 1:
            problems.append(
                FieldError(
                    field=f"questions.{index}.key", message=f"key {question.key!r} is used twice", type="duplicate_key"
                )
            )
        if question.kind is QuestionKind.COMMENT and question.required:
            problems.append(
                FieldError(
                    field=f"questions.{index}.required", message="the comment is optional", type="comment_required"
                )
            )
    scale_factors = {q.factor for q in questions if q.kind is QuestionKind.SCALE}
    problems.extend(
        FieldError(
            field="questions", message=f"no scale question measures the factor {factor.value!r}", type="missing_factor"
        )
        for factor in NATIONAL_FACTORS
        if factor not in scale_factors
    )
    overall = [(i, q) for i, q in enumerate(questions) if q.kind is QuestionKind.SCALE and q.factor is Factor.OVERALL]
    if len(overall) != 1:
        problems.append(
            FieldError(
                field="questions",
                message=f"exactly one scale question must measure 'overall' (found {len(overall)})",
                type="overall_question_count",
            )
        )
    elif not resolved_required(overall[0][1]):
        problems.append(
            FieldError(
                field=f"questions.{overall[0][0]}.required",
                message="the overall question is required",
                type="overall_optional",
            )
        )
    comments = [i for i, q in enumerate(questions) if q.kind is QuestionKind.COMMENT]
    problems.extend(
        FieldError(field=f"questions.{index}.kind", message="only one comment question", type="second_comment")
        for index in comments[1:]
    )
    return problems


def translation_problems(questionnaire: Questionnaire) -> list[FieldError]:
    """A published version is shown in Vietnamese and English: every text needs its English version."""
    problems: list[FieldError] = []
    if not questionnaire.title_en:
        problems.append(
            FieldError(field="title_en", message="an English title is required to publish", type="missing_translation")
        )
    for index, question in enumerate(questionnaire.questions):
        if not question.text_en:
            problems.append(
                FieldError(
                    field=f"questions.{index}.text_en",
                    message=f"question {question.key!r} has no English text",
                    type="missing_translation",
                )
            )
    return problems


def is_editable(questionnaire: Questionnaire) -> bool:
    """Only a draft changes; a published (or retired) version is immutable, since responses point to it."""
    return questionnaire.status is QuestionnaireStatus.DRAFT


def is_answerable(questionnaire: Questionnaire) -> bool:
    """A version can be answered once it has been published, also after a newer one retired it."""
    return questionnaire.status in {QuestionnaireStatus.PUBLISHED, QuestionnaireStatus.RETIRED}
