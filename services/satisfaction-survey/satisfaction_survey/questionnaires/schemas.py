from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from motcua_kit.i18n import localised
from satisfaction_survey.common import FACTOR_LABELS, SCALE, SCALE_LABELS, QuestionKey, QuestionText, Title
from satisfaction_survey.models import Factor, Question, QuestionKind, Questionnaire, QuestionnaireStatus

MAX_QUESTIONS = 50


class QuestionIn(BaseModel):
    """One question of a draft. Its place in the list is its position on the form."""

    model_config = ConfigDict(extra="forbid")

    key: QuestionKey = Field(description="Stable name within the version, e.g. `access_waiting_time`.")
    factor: Factor = Field(description="The national (SIPAS) factor it measures, or `overall`.")
    kind: QuestionKind = QuestionKind.SCALE
    text_vi: QuestionText
    text_en: QuestionText | None = Field(default=None, description="Required before publishing.")
    required: bool | None = Field(
        default=None, description="Defaults to true for scale questions; a comment is always optional."
    )


class QuestionnaireCreate(BaseModel):
    """A new draft version (also the body that replaces a draft)."""

    model_config = ConfigDict(extra="forbid")

    title_vi: Title
    title_en: Title | None = Field(default=None, description="Required before publishing.")
    questions: list[QuestionIn] = Field(min_length=1, max_length=MAX_QUESTIONS)


class ScaleLevel(BaseModel):
    value: int
    label: str


class QuestionRead(BaseModel):
    id: int = Field(description="Answers name the question by this id.")
    key: str
    position: int
    factor: Factor
    factor_label: str = Field(description="The factor's name in the response language.")
    kind: QuestionKind
    text: str = Field(description="The question in the response language (Content-Language).")
    text_vi: str
    text_en: str | None
    required: bool


class QuestionnaireRead(BaseModel):
    id: int
    version: int
    title: str = Field(description="The title in the response language (Content-Language).")
    title_vi: str
    title_en: str | None
    status: QuestionnaireStatus
    created_at: dt.datetime
    published_at: dt.datetime | None
    retired_at: dt.datetime | None
    scale: list[int] = Field(
        default=list(SCALE), description="Allowed answers to scale questions (5 = very satisfied)."
    )
    scale_labels: list[ScaleLevel] = Field(description="The scale's levels named in the response language.")
    questions: list[QuestionRead]


def question_read(question: Question, language: str) -> QuestionRead:
    text, _ = localised(question.text_vi, question.text_en, language)
    factor_vi, factor_en = FACTOR_LABELS[question.factor]
    return QuestionRead(
        id=question.id,
        key=question.key,
        position=question.position,
        factor=question.factor,
        factor_label=factor_en if language == "en" else factor_vi,
        kind=question.kind,
        text=text,
        text_vi=question.text_vi,
        text_en=question.text_en,
        required=question.required,
    )


def questionnaire_read(questionnaire: Questionnaire, language: str) -> QuestionnaireRead:
    title, _ = localised(questionnaire.title_vi, questionnaire.title_en, language)
    return QuestionnaireRead(
        id=questionnaire.id,
        version=questionnaire.version,
        title=title,
        title_vi=questionnaire.title_vi,
        title_en=questionnaire.title_en,
        status=questionnaire.status,
        created_at=questionnaire.created_at,
        published_at=questionnaire.published_at,
        retired_at=questionnaire.retired_at,
        scale_labels=[
            ScaleLevel(value=v, label=en if language == "en" else vi) for v, (vi, en) in SCALE_LABELS.items()
        ],
        questions=[question_read(q, language) for q in questionnaire.questions],
    )
