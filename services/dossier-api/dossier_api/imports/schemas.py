"""One line of a historical import: a dossier from a legacy one-stop system, with its original times."""

from __future__ import annotations

from itertools import pairwise
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from dossier_api.dossiers.schemas import AgencyCode, Applicant, DossierCode, ProcedureCode
from dossier_api.models import Channel, ReturnMethod
from motcua_kit.timezone import Instant

Outcome = Literal["in_progress", "resolved", "returned", "refused", "withdrawn", "stopped"]


class ImportedDossier(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: DossierCode
    agency_code: AgencyCode | None = Field(default=None, description="Default: this service's agency.")
    procedure_code: ProcedureCode
    procedure_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    channel: Channel
    applicant: Applicant
    submitted_at: Instant | None = None
    received_at: Instant | None = Field(default=None, description="Missing only for a refused dossier.")
    due_at: Instant | None = None
    resolved_at: Instant | None = None
    returned_at: Instant | None = None
    finished_at: Instant | None = Field(default=None, description="When it was refused, withdrawn or stopped.")
    outcome: Outcome | None = Field(default=None, description="Default: from the times given.")
    result_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    return_method: ReturnMethod | None = None
    paid_online: bool = False

    @property
    def final_outcome(self) -> Outcome:
        if self.outcome is not None:
            return self.outcome
        if self.returned_at is not None:
            return "returned"
        if self.resolved_at is not None:
            return "resolved"
        return "in_progress"

    @model_validator(mode="after")
    def _times_in_order(self) -> ImportedDossier:
        outcome = self.final_outcome
        if outcome != "refused" and self.received_at is None:
            raise ValueError("received_at: required unless the dossier was refused")
        if outcome in {"resolved", "returned"} and self.resolved_at is None:
            raise ValueError("resolved_at: required for a resolved or returned dossier")
        if outcome == "returned" and self.returned_at is None:
            raise ValueError("returned_at: required for a returned dossier")
        if outcome in {"refused", "withdrawn", "stopped"} and self.finished_at is None:
            raise ValueError(f"finished_at: required for a {outcome} dossier")
        chain = [
            ("submitted_at", self.submitted_at),
            ("received_at", self.received_at),
            ("resolved_at", self.resolved_at),
            ("returned_at", self.returned_at),
        ]
        known = [(name, value) for name, value in chain if value is not None]
        for (earlier_name, earlier), (later_name, later) in pairwise(known):
            if later < earlier:
                raise ValueError(f"{later_name}: before {earlier_name}")
        if self.due_at is not None and self.received_at is not None and self.due_at < self.received_at:
            raise ValueError("due_at: before received_at")
        return self


class Rejection(BaseModel):
    line: int = Field(description="1-based line number in the uploaded body.")
    code: str | None = None
    reasons: list[str]


class ImportReport(BaseModel):
    lines: int = Field(description="Non-empty lines read.")
    imported: int
    already_present: int = Field(description="Codes already in the database: skipped, so a retry is harmless.")
    rejected: int
    rejections: list[Rejection] = Field(description="The first rejected lines, with their reasons.")
