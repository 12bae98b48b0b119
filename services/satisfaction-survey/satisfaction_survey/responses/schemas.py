from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict

from satisfaction_survey.common import DatabaseId, DossierCode, FormNumber, LongText
from satisfaction_survey.models import DossierChannel, Factor, QuestionKind, ResponseMode

MAX_ANSWERS = 100


class AnswerIn(BaseModel):
    """The answer to one question: a `score` for a scale question, a `text` for the comment."""

    model_config = ConfigDict(extra="forbid")

    question_id: DatabaseId = Field(description="The question's `id` in the questionnaire shown.")
    score: Annotated[int, Strict()] | None = Field(
        default=None, ge=1, le=5, description="1 very dissatisfied ... 5 very satisfied (a JSON integer)."
    )
    text: LongText | None = None


class ResponseCreate(BaseModel):
    """An evaluation. Online: the link's `token`, no login. Paper: staff enter the form with its number."""

    model_config = ConfigDict(extra="forbid")

    mode: ResponseMode = Field(
        description="`online` (with `token`) or `paper` (with `dossier_code` and `form_number`)."
    )
    token: str | None = Field(default=None, min_length=1, max_length=128, description="Online: the link's token.")
    dossier_code: DossierCode | None = Field(default=None, description="Paper: the dossier evaluated.")
    form_number: FormNumber | None = Field(default=None, description="Paper: the number printed on the form.")
    questionnaire_version: int | None = Field(
        default=None,
        ge=1,
        le=1_000_000,
        description="Paper: the version printed on the form, if not the one the invitation was issued with.",
    )
    answers: list[AnswerIn] = Field(max_length=MAX_ANSWERS)
    complaint: bool = Field(
        default=False, description="The comment is a complaint (phản ánh, kiến nghị): the agency must answer it."
    )


class ResponseReceipt(BaseModel):
    id: int
    mode: ResponseMode
    questionnaire_version: int
    submitted_at: dt.datetime
    feedback_opened: bool = Field(description="An unhappy answer or a complaint was passed to the agency.")


class AnswerRead(BaseModel):
    question_id: int
    key: str
    factor: Factor
    kind: QuestionKind
    score: int | None
    text: str | None


class ResponseSummary(BaseModel):
    id: int
    dossier_code: str
    procedure_code: str
    agency_code: str
    channel: DossierChannel
    mode: ResponseMode
    questionnaire_version: int
    form_number: str | None
    entered_by: str | None
    complaint: bool
    overall_score: int | None
    submitted_at: dt.datetime


class ResponseRead(ResponseSummary):
    answers: list[AnswerRead]
