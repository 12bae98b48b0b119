from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from procedure_catalog.models import ProcedureStatus

ProcedureCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[0-9A-Za-z][0-9A-Za-z._-]*$"),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
FieldName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class ProcedureCreate(BaseModel):
    """A new procedure, entered as a draft."""

    model_config = ConfigDict(extra="forbid")

    code: ProcedureCode = Field(description="National procedure code (MaTTHC), unique.", examples=["1.000948"])
    name_vi: Name = Field(description="Name in Vietnamese.")
    name_en: Name | None = Field(default=None, description="Name in English.")
    field_code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)] = Field(
        description="Code of the field (lĩnh vực)."
    )
    field_name_vi: FieldName
    field_name_en: FieldName | None = None
    processing_days: int = Field(ge=0, le=365, description="Processing time in working days.")


class ProcedureRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name_vi: str
    name_en: str | None
    field_code: str
    field_name_vi: str
    field_name_en: str | None
    processing_days: int
    status: ProcedureStatus
    created_at: dt.datetime
    updated_at: dt.datetime
