from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from dossier_api.models import Channel, DossierStatus
from motcua_kit.timezone import Instant

# CCCD (12 digits) or the older CMND (9 digits).
IdentityNumber = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{9}(\d{3})?$")]
# Vietnamese mobile (03x, 05x, 07x, 08x, 09x) or landline (02x), national or +84 form.
PhoneNumber = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^(?:\+84|0)(?:[35789]\d{8}|2\d{9})$")]
ProcedureCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[0-9A-Za-z][0-9A-Za-z._-]*$"),
]
DossierCode = Annotated[str, StringConstraints(min_length=8, max_length=40, pattern=r"^[A-Za-z0-9.]+-\d{6}-\d{4,}$")]


class ApplicantType(StrEnum):
    CITIZEN = "citizen"
    ORGANISATION = "organisation"


class Applicant(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: ApplicantType = ApplicantType.CITIZEN
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    id_number: IdentityNumber | None = Field(default=None, description="CCCD (12 digits) or CMND (9 digits).")
    phone: PhoneNumber | None = None
    email: EmailStr | None = None


class DossierCreate(BaseModel):
    """A dossier handed in at the one-stop unit, by post, or filed online."""

    model_config = ConfigDict(extra="forbid")

    procedure_code: ProcedureCode = Field(description="National code (MaTTHC) of the procedure.")
    channel: Channel
    applicant: Applicant
    submitted_at: Instant | None = Field(
        default=None, description="When the applicant filed it (e.g. online at night); defaults to now."
    )


class DossierRead(BaseModel):
    code: str = Field(examples=["SNGV-261126-0001"])
    agency_code: str
    procedure_code: str
    channel: Channel
    status: DossierStatus
    portal_status: int = Field(description="TrangThaiHoSo on the national portal (1-10).")
    applicant_name: str
    submitted_at: dt.datetime
    received_at: dt.datetime | None
