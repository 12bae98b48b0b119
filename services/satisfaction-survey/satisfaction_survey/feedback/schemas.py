from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from satisfaction_survey.common import LongText
from satisfaction_survey.models import Factor, FeedbackStatus


class FeedbackTarget(StrEnum):
    """The statuses a PATCH may move an item to (it starts `open`)."""

    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class LowScore(BaseModel):
    question_id: int
    key: str
    factor: Factor
    score: int


class FeedbackRead(BaseModel):
    id: int
    response_id: int
    dossier_code: str
    procedure_code: str
    agency_code: str
    officer_id: str = Field(description="The civil servant who handled the dossier.")
    status: FeedbackStatus
    low_scores: list[LowScore] = Field(description="Answers in the two lowest levels.")
    complaint: bool
    comment: str | None = Field(description="The citizen's comment, as written.")
    response_text: str | None = Field(description="The agency's answer.")
    created_at: dt.datetime
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None
    resolved_at: dt.datetime | None
    resolved_by: str | None


class FeedbackUpdate(BaseModel):
    """Move the item on (open -> acknowledged -> resolved) and/or write the agency's answer."""

    model_config = ConfigDict(extra="forbid")

    status: FeedbackTarget | None = None
    response_text: LongText | None = None

    @model_validator(mode="after")
    def _something_to_do(self) -> FeedbackUpdate:
        if self.status is None and self.response_text is None:
            raise ValueError("give a status, a response_text, or both")
        return self
