from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from procedure_catalog.constraints import Day, ProcedureCode, Text100, Text300, Text1000
from procedure_catalog.models import AnnouncementSource, ChangeAction

MAX_CHANGES = 2000


class ChangeWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: ChangeAction
    procedure_code: ProcedureCode
    note: Text1000 | None = None


class AnnouncementCreate(BaseModel):
    """A signed announcement decision (quyết định công bố) and the changes it makes."""

    model_config = ConfigDict(extra="forbid")

    number: Text100 = Field(examples=["1535/QĐ-UBND"])
    title_vi: Text1000 | None = None
    title_en: Text1000 | None = None
    issuer: Text300 = Field(examples=["Chủ tịch UBND thành phố Đà Nẵng"])
    signed_on: Day
    effective_on: Day = Field(description="First day the changes apply.")
    changes: list[ChangeWrite] = Field(min_length=1, max_length=MAX_CHANGES)

    @field_validator("effective_on")
    @classmethod
    def _effective_after_signing(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        signed_on = info.data.get("signed_on")
        if signed_on is not None and value < signed_on:
            raise ValueError("a decision cannot take effect before it is signed")
        return value


class ChangeRead(BaseModel):
    position: int
    action: ChangeAction
    procedure_code: str
    version: int = Field(description="The version this change made.")
    note: str | None


class AnnouncementSummary(BaseModel):
    id: int
    number: str
    title: str | None
    title_vi: str | None
    title_en: str | None
    issuer: str
    signed_on: dt.date
    effective_on: dt.date
    source: AnnouncementSource
    recorded_at: dt.datetime
    created: int
    amended: int
    abolished: int


class AnnouncementRead(AnnouncementSummary):
    recorded_by: str | None
    changes: list[ChangeRead]
