"""The documents of /api/v1/reports: the overview, the scorecard, the public summary, frozen periods."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from motcua_gateway.reports.periods import PeriodKind

AgencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9.]{2,20}$")]
PeriodKey = Annotated[str, StringConstraints(pattern=r"^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$")]


class Part(StrEnum):
    """The three parts of an overview, each from one service's statistics."""

    CATALOGUE = "catalogue"
    DOSSIERS = "dossiers"
    SATISFACTION = "satisfaction"


class Source(StrEnum):
    LIVE = "live"
    FROZEN = "frozen"


class PeriodRead(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: dt.date = Field(alias="from", serialization_alias="from")
    to: dt.date


class MissingPart(BaseModel):
    """A part the overview could not get, and why; the other parts are still given."""

    part: Part
    service: str = Field(description="The service that owns the part.")
    code: str = Field(
        description=(
            "`upstream_unavailable`, `upstream_timeout`, `circuit_open`, `bad_gateway`, `upstream_refused`"
            " (it answered with an error), `bad_answer` (outside the contract) or `no_credentials`."
        )
    )
    reason: str


# --- the overview ---------------------------------------------------------------------------------


class Count(BaseModel):
    """A dossier count and the dossier list that produces it (same filters, same `total`)."""

    value: int
    list: str = Field(description="`GET` this path (with the caller's credentials) for the dossiers counted.")


class ChangeCounts(BaseModel):
    decisions: int = Field(description="Announcement decisions that took effect in the period.")
    announced_in_time: int = Field(description="Of them, signed at least 20 working days before taking effect.")
    created: int
    amended: int
    abolished: int


class CatalogueSection(BaseModel):
    """The procedure catalogue on the last day of the period, and the decisions of the period."""

    as_of: dt.date
    in_force: int
    abolished: int = Field(description="Procedures whose last version (abolished) was current on that day.")
    by_online_level: dict[str, int] = Field(description="`full`, `partial`, `none` (Decree 42/2022).")
    online: int = Field(description="Full or partial online service.")
    online_share: float | None = Field(description="online / in_force.")
    by_legacy_online_level: dict[str, int] = Field(description="`1`-`4` and `unset` (the levels before 2022).")
    online_submission_legacy: int = Field(description="At legacy level 3 or 4: dossiers can be filed online.")
    one_stop: int
    one_stop_share: float | None = Field(description="one_stop / in_force.")
    changes: ChangeCounts


class ChannelCounts(BaseModel):
    in_person: Count
    online: Count
    postal: Count


class Received(BaseModel):
    total: Count = Field(description="New plus carried over.")
    new: Count
    carried_over: Count
    new_by_channel: ChannelCounts
    carried_over_by_channel: ChannelCounts


class Resolved(BaseModel):
    total: Count
    early: Count
    on_time: Count
    late: Count
    on_time_or_early: Count
    on_time_or_early_share: float | None = Field(description="on_time_or_early / total.")


class InProgress(BaseModel):
    total: Count = Field(description="Still in progress at the end of the period (or now).")
    in_time: Count
    overdue: Count


class DossierSection(BaseModel):
    received: Received
    resolved: Resolved
    in_progress: InProgress
    refused: Count
    withdrawn: Count
    stopped: Count
    online_share: float | None = Field(description="Share of new receptions filed online.")
    postal_share: float | None = Field(description="Share of new receptions filed by post.")
    paid: Count = Field(description="New receptions whose fees were paid.")
    paid_online: Count
    paid_online_share: float | None = Field(description="paid_online / paid.")
    results_online: Count = Field(description="Resolved in the period, the result returned online.")
    results_online_share: float | None = Field(description="results_online / resolved.")


class FactorRead(BaseModel):
    factor: str
    answers: int
    satisfied: int
    satisfied_share: float | None
    mean_score: float | None


class ModeFigures(BaseModel):
    responses: int
    satisfied: int
    satisfied_share: float | None
    target_met: bool | None


class FeedbackRead(BaseModel):
    opened: int
    resolved: int
    resolved_share: float | None
    complaints: int


class SatisfactionSection(BaseModel):
    target: float = Field(description="The share to be above (0.95: 'above 95%').")
    responses: int
    satisfied: int
    satisfied_share: float | None
    mean_overall_score: float | None
    target_met: bool | None
    factors: list[FactorRead]
    invitations: int
    answered_invitations: int
    response_rate: float | None
    online: ModeFigures
    paper: ModeFigures
    feedback: FeedbackRead


class MonthRead(BaseModel):
    """One month of the period (clipped to it): dossiers and satisfaction; null where a part is missing."""

    month: str = Field(examples=["2025-03"])
    received: Count | None
    resolved: Count | None
    on_time_or_early: Count | None
    late: Count | None
    responses: int | None
    satisfied: int | None
    satisfied_share: float | None


class FrozenInfo(BaseModel):
    period: str
    revision: int
    closed_at: dt.datetime
    closed_by: str


class Overview(BaseModel):
    """The figures a department reports for a period, composed from the three services' statistics."""

    period: PeriodRead
    agency: str | None
    generated_at: dt.datetime
    source: Source = Field(description="`live`, or `frozen`: the stored figures of a closed period.")
    frozen: FrozenInfo | None = None
    complete: bool = Field(description="Every part is there.")
    missing: list[MissingPart]
    catalogue: CatalogueSection | None
    dossiers: DossierSection | None
    satisfaction: SatisfactionSection | None
    monthly: list[MonthRead]


# --- the scorecard ----------------------------------------------------------------------------------


class ScoreInput(BaseModel):
    key: str
    label: str
    part: Part
    numerator: int | None
    denominator: int | None
    share: float | None = Field(description="numerator / denominator; null when there is nothing to count.")
    weight: float = Field(description="Points this input is worth in its group.")
    points: float | None = Field(description="weight x share; null when not scored.")


class ScoreGroup(BaseModel):
    key: str
    label: str
    max_points: float
    points: float | None = Field(description="Scaled to the group's maximum over its scored inputs; null if none.")
    inputs: list[ScoreInput]


class Scorecard(BaseModel):
    """The period scored in the shape of Decision 766/QĐ-TTg's groups; every input shown (see docs/reports.md)."""

    period: PeriodRead
    agency: str | None
    generated_at: dt.datetime
    source: Source
    frozen: FrozenInfo | None = None
    method: str = Field(description="Which scoring this is; it changes when the computation does.")
    groups: list[ScoreGroup]
    points: float | None = Field(description="Sum of the scored groups' points.")
    max_points: float = Field(description="Sum of the scored groups' maxima (100 when every group is scored).")
    score: float | None = Field(description="points / max_points x 100.")
    missing: list[MissingPart]


# --- the public summary -----------------------------------------------------------------------------


class PublicSummary(BaseModel):
    """Headline figures anyone may read: counts and shares only, no personal data, no lists."""

    period: PeriodRead
    agency: str | None
    generated_at: dt.datetime
    procedures_in_force: int | None
    procedures_online: int | None
    received: int | None
    resolved: int | None
    resolved_on_time_or_early: int | None
    on_time_or_early_share: float | None
    online_share: float | None
    satisfaction_responses: int | None
    satisfied_share: float | None
    satisfaction_target: float | None
    target_met: bool | None
    missing: list[Part]


# --- frozen periods ---------------------------------------------------------------------------------


class PeriodStatus(StrEnum):
    CLOSED = "closed"
    REOPENED = "reopened"


class PeriodAction(StrEnum):
    CLOSE = "close"
    REOPEN = "reopen"


class PeriodClose(BaseModel):
    """Close a month, a quarter or a year: its figures are stored and served from then on."""

    model_config = ConfigDict(extra="forbid")

    period: PeriodKey = Field(examples=["2025-Q1"], description="`YYYY-MM`, `YYYY-Qn` or `YYYY`.")
    agency: AgencyCode | None = Field(default=None, description="One agency, or all when left out.")
    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)] | None = None


class PeriodReopen(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000)] = Field(
        description="Why the closed figures must be recomputed (kept in the period's log)."
    )


class PeriodEventRead(BaseModel):
    action: PeriodAction
    revision: int
    at: dt.datetime
    by: str = Field(description="Subject of the caller's token.")
    by_name: str | None
    reason: str | None


class RevisionRead(BaseModel):
    revision: int
    closed_at: dt.datetime
    closed_by: str


class ReportPeriodRead(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    period: str
    kind: PeriodKind
    from_: dt.date = Field(alias="from", serialization_alias="from")
    to: dt.date
    agency: str | None
    status: PeriodStatus
    revision: int = Field(description="The latest frozen revision (served while the period is closed).")
    revisions: list[RevisionRead]
    log: list[PeriodEventRead]


class FrozenReportRead(BaseModel):
    """One revision of a closed period, exactly as stored."""

    period: str
    agency: str | None
    revision: int
    closed_at: dt.datetime
    closed_by: str
    overview: Overview
    scorecard: Scorecard
