from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class ChannelCounts(BaseModel):
    in_person: int
    online: int
    postal: int


class Received(BaseModel):
    total: int = Field(description="New plus carried over.")
    new: int = Field(description="Received in the period.")
    carried_over: int = Field(description="Received before the period, still in progress when it began.")
    new_by_channel: ChannelCounts
    carried_over_by_channel: ChannelCounts


class Resolved(BaseModel):
    total: int
    early: int
    on_time: int
    late: int
    on_time_or_early: int
    on_time_or_early_rate: float | None = Field(description="(early + on time) / resolved, 0-1.")


class InProgress(BaseModel):
    total: int = Field(description="Still in progress at the end of the period (or now).")
    in_time: int
    overdue: int


class MonthRow(BaseModel):
    month: str = Field(examples=["2026-03"])
    received: int
    resolved: int
    early: int
    on_time: int
    late: int
    on_time_or_early: int
    refused: int
    withdrawn: int
    links: dict[str, str] = Field(
        description="Each figure of the row -> the dossier list (`GET /api/v1/dossiers?...`) that produces it."
    )


class DossierStats(BaseModel):
    """Figures for leaders and the Decision 766 dashboards; each dossier counts once, transfers included."""

    period_from: dt.date
    period_to: dt.date
    agency: str | None
    procedure: str | None
    received: Received
    resolved: Resolved
    in_progress: InProgress
    refused: int
    withdrawn: int
    stopped: int
    online_share: float | None = Field(description="Share of new receptions filed online, 0-1.")
    postal_share: float | None = Field(description="Share of new receptions filed by post, 0-1.")
    paid_online: int = Field(description="New receptions whose fees were paid online.")
    paid: int = Field(description="New receptions whose fees were paid, by any method.")
    paid_online_share: float | None = Field(description="paid_online / paid, 0-1.")
    results_online: int = Field(description="Resolved in the period with the result returned online.")
    monthly: list[MonthRow]
    links: dict[str, str] = Field(
        description=(
            "Each count, by its path in this document (`received.new`, `resolved.late`, `in_progress.overdue`,"
            " ...) -> the dossier list (`GET /api/v1/dossiers?...`) whose `total` is that count."
        )
    )
