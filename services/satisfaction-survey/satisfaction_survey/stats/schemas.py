from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from satisfaction_survey.models import DossierChannel, Factor


class FactorFigures(BaseModel):
    factor: Factor
    answers: int = Field(description="Scale answers to the factor's questions.")
    satisfied: int = Field(description="Of them, in the top two levels.")
    satisfied_share: float | None = Field(description="satisfied / answers (per answer).")
    mean_score: float | None


class QuestionFigures(BaseModel):
    question_id: int
    questionnaire_version: int
    key: str
    factor: Factor
    answers: int
    satisfied: int
    satisfied_share: float | None
    mean_score: float | None


class Figures(BaseModel):
    """The index over one set of responses (all, online only, or paper only)."""

    responses: int
    satisfied: int = Field(description="Responses whose overall question is in the top two levels.")
    satisfied_share: float | None = Field(description="satisfied / responses: the headline figure.")
    mean_overall_score: float | None
    target_met: bool | None = Field(description="satisfied_share strictly above the target; null without responses.")
    factors: list[FactorFigures] = Field(description="The five national factors and `overall`, per answer.")
    questions: list[QuestionFigures]


class ModeMonth(BaseModel):
    responses: int
    satisfied: int
    satisfied_share: float | None


class MonthFigures(BaseModel):
    month: str = Field(description="YYYY-MM (Vietnam).", examples=["2026-03"])
    invitations: int = Field(description="Invitations issued in the month.")
    answered_invitations: int = Field(description="Of them, answered since.")
    response_rate: float | None
    responses: int = Field(description="Responses received in the month.")
    satisfied: int
    satisfied_share: float | None
    target_met: bool | None
    online: ModeMonth
    paper: ModeMonth


class FeedbackFigures(BaseModel):
    """Feedback items (unhappy answers and complaints) opened in the period, by where they stand now."""

    opened: int
    acknowledged: int
    resolved: int
    complaints: int = Field(description="Of the opened, those the citizen marked as a complaint.")
    resolved_share: float | None = Field(description="resolved / opened.")


class Period(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: dt.date | None = Field(alias="from", serialization_alias="from")
    to: dt.date | None


class Filters(BaseModel):
    agency: str | None
    procedure: str | None
    channel: DossierChannel | None = Field(description="How the dossiers were filed.")


class SatisfactionStats(BaseModel):
    period: Period
    filters: Filters
    target: float = Field(description="The share to be above (0.95 = 'above 95%').")
    invitations: int = Field(description="Invitations issued in the period.")
    answered_invitations: int = Field(description="Of them, answered (online or paper) since.")
    response_rate: float | None = Field(description="answered_invitations / invitations.")
    all: Figures
    online: Figures
    paper: Figures
    feedback: FeedbackFigures
    monthly: list[MonthFigures]
