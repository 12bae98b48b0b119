from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from procedure_catalog.constraints import Text300
from procedure_catalog.models import AuthorityLevel


class FieldWrite(BaseModel):
    """A field (lĩnh vực) as an editor enters it; the code is in the path."""

    model_config = ConfigDict(extra="forbid")

    name_vi: Text300
    name_en: Text300 | None = None


class FieldRead(BaseModel):
    code: str
    name: str = Field(description="In the negotiated language.")
    name_vi: str
    name_en: str | None
    updated_at: dt.datetime


class AgencyWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name_vi: Text300
    name_en: Text300 | None = None
    authority_level: AuthorityLevel


class AgencyRead(BaseModel):
    code: str
    name: str = Field(description="In the negotiated language.")
    name_vi: str
    name_en: str | None
    authority_level: AuthorityLevel
    updated_at: dt.datetime


class AuthorityLevelRead(BaseModel):
    code: AuthorityLevel
    national_code: str = Field(description="CAPTHUCHIEN in the national database.")
    name: str
    name_vi: str
    name_en: str
