"""What the reports read from each service's statistics: the consumer side of three contracts.

Only the fields used here are declared; anything else a service adds is ignored, and an answer
missing one of these makes that part of the overview "missing" (``bad_answer``), never a 500.
The schemas are written down in ``contracts/consumers/gateway.*.schema.json`` and the services'
tests check their real answers against them.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class _Input(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


# --- procedure-catalog: GET /api/v1/procedures/stats?at=&since=&agency= ----------------------------


class CatalogueChanges(_Input):
    decisions: int = Field(ge=0)
    announced_in_time: int = Field(ge=0)
    created: int = Field(ge=0)
    amended: int = Field(ge=0)
    abolished: int = Field(ge=0)


class CatalogueStatsInput(_Input):
    as_of: dt.date
    in_force: int = Field(ge=0)
    by_status: dict[str, int]
    by_online_level: dict[str, int]
    by_legacy_online_level: dict[str, int]
    online_submission_legacy: int = Field(ge=0)
    one_stop: int = Field(ge=0)
    changes_in_period: CatalogueChanges


# --- dossier-api: GET /api/v1/dossiers/stats?from=&to=&agency= ---------------------------------------


class ChannelCountsInput(_Input):
    in_person: int = Field(ge=0)
    online: int = Field(ge=0)
    postal: int = Field(ge=0)


class ReceivedInput(_Input):
    total: int = Field(ge=0)
    new: int = Field(ge=0)
    carried_over: int = Field(ge=0)
    new_by_channel: ChannelCountsInput
    carried_over_by_channel: ChannelCountsInput


class ResolvedInput(_Input):
    total: int = Field(ge=0)
    early: int = Field(ge=0)
    on_time: int = Field(ge=0)
    late: int = Field(ge=0)
    on_time_or_early: int = Field(ge=0)


class InProgressInput(_Input):
    total: int = Field(ge=0)
    in_time: int = Field(ge=0)
    overdue: int = Field(ge=0)


class DossierMonthInput(_Input):
    month: str = Field(pattern=r"^\d{4}-\d{2}$")
    received: int = Field(ge=0)
    resolved: int = Field(ge=0)
    on_time_or_early: int = Field(ge=0)
    late: int = Field(ge=0)
    links: dict[str, str]


class DossierStatsInput(_Input):
    received: ReceivedInput
    resolved: ResolvedInput
    in_progress: InProgressInput
    refused: int = Field(ge=0)
    withdrawn: int = Field(ge=0)
    stopped: int = Field(ge=0)
    paid: int = Field(ge=0)
    paid_online: int = Field(ge=0)
    results_online: int = Field(ge=0)
    monthly: list[DossierMonthInput]
    links: dict[str, str]


# --- satisfaction-survey: GET /api/v1/surveys/stats?from=&to=&agency= --------------------------------


class FactorInput(_Input):
    factor: str
    answers: int = Field(ge=0)
    satisfied: int = Field(ge=0)
    satisfied_share: float | None
    mean_score: float | None


class FiguresInput(_Input):
    responses: int = Field(ge=0)
    satisfied: int = Field(ge=0)
    satisfied_share: float | None
    mean_overall_score: float | None
    target_met: bool | None
    factors: list[FactorInput]


class FeedbackInput(_Input):
    opened: int = Field(ge=0)
    resolved: int = Field(ge=0)
    complaints: int = Field(ge=0)


class SurveyMonthInput(_Input):
    month: str = Field(pattern=r"^\d{4}-\d{2}$")
    responses: int = Field(ge=0)
    satisfied: int = Field(ge=0)
    satisfied_share: float | None


class SurveyStatsInput(_Input):
    target: float
    invitations: int = Field(ge=0)
    answered_invitations: int = Field(ge=0)
    response_rate: float | None
    all: FiguresInput
    online: FiguresInput
    paper: FiguresInput
    feedback: FeedbackInput
    monthly: list[SurveyMonthInput]
