from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from dossier_api.models import DossierStatus, Timeliness


class TrackingStep(BaseModel):
    at: dt.datetime
    text: str


class TrackingView(BaseModel):
    """What anyone holding the code and its secret (or the applicant's phone) may see: nothing personal."""

    code: str
    procedure_code: str
    procedure_name: str | None
    status: DossierStatus
    portal_status: int
    status_text: str
    submitted_at: dt.datetime
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    resolved_at: dt.datetime | None
    returned_at: dt.datetime | None
    timeliness: Timeliness | None
    progress: Literal["in_time", "overdue"] | None
    supplement_items: list[str] = Field(description="What the applicant must still hand in, if anything.")
    steps: list[TrackingStep]
