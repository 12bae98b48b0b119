from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from satisfaction_survey.models import Factor, QuestionKind, QuestionnaireStatus

SCALE = [1, 2, 3, 4, 5]


class QuestionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: str
    position: int
    factor: Factor
    kind: QuestionKind
    text_vi: str
    text_en: str | None
    required: bool


class QuestionnaireRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int
    title_vi: str
    title_en: str | None
    status: QuestionnaireStatus
    published_at: dt.datetime | None
    scale: list[int] = Field(default=SCALE, description="Allowed answers to scale questions (5 = very satisfied).")
    questions: list[QuestionRead]
