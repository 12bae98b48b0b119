from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from procedure_catalog.announcements.schemas import AnnouncementSummary
from procedure_catalog.constraints import Day, Text100, Text300, Text1000


class ExportFormat(StrEnum):
    NATIONAL = "national"  # JSON in the national record shape
    XLSX = "xlsx"  # the public list (niêm yết), for printing and spreadsheets
    CSV = "csv"


class ImportDecision(BaseModel):
    """The decision the import records its changes under; defaults name the national database."""

    model_config = ConfigDict(extra="forbid")

    number: Text100 | None = Field(default=None, description="Default `CSDLQG-<timestamp>`.")
    title_vi: Text1000 | None = None
    issuer: Text300 | None = Field(default=None, description="Default: the national database.")
    signed_on: Day | None = Field(default=None, description="Default: effective_on.")
    effective_on: Day | None = Field(default=None, description="First day the imported versions apply; default today.")


class ImportRequest(BaseModel):
    """National records, as `GET /api/v1/procedures/export?format=national` gives them."""

    model_config = ConfigDict(extra="ignore")

    records: list[Any] = Field(description="National records (MATTHC, TENTTHC, ...); each is judged on its own.")
    decision: ImportDecision | None = None


class ImportOutcome(StrEnum):
    CREATED = "created"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


class ImportedRecord(BaseModel):
    index: int = Field(description="Position of the record in `records`, from 0.")
    code: str | None
    outcome: ImportOutcome
    version: int | None = Field(default=None, description="The version the record made or matched.")
    reasons: list[str] = Field(default_factory=list, description="Why the record was rejected.")


class ImportReport(BaseModel):
    summary: dict[ImportOutcome, int]
    announcement: AnnouncementSummary | None = Field(description="The decision recorded for the changes, if any.")
    records: list[ImportedRecord]
