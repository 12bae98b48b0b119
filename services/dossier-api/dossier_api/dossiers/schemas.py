from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from dossier_api.models import ApplicantType, Channel, DossierStatus, ReturnMethod, Timeliness
from motcua_kit.timezone import Instant

# CCCD (12 digits) or the older CMND (9 digits).
_IDENTITY_NUMBER = re.compile(r"\d{9}(\d{3})?")
# An organisation's tax code (mã số thuế): 10 digits, or 10 + "-" + 3 for a branch.
_TAX_CODE = re.compile(r"\d{10}(-\d{3})?")
# Vietnamese mobile (03x, 05x, 07x, 08x, 09x) or landline (02x), national or +84 form.
PhoneNumber = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^(?:\+84|0)(?:[35789]\d{8}|2\d{9})$")]
ProcedureCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[0-9A-Za-z][0-9A-Za-z._-]*$"),
]
DossierCode = Annotated[str, StringConstraints(min_length=8, max_length=40, pattern=r"^[A-Za-z0-9.]+-\d{6}-\d{4,}$")]
AgencyCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9.]{2,20}$")]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=500)]


def check_identity_number(value: str | None, kind: ApplicantType) -> str | None:
    """A citizen's CCCD or CMND, an organisation's tax code."""
    if value is None:
        return None
    if kind is ApplicantType.ORGANISATION:
        if not _TAX_CODE.fullmatch(value):
            raise ValueError("an organisation's tax code is 10 digits, or 10-3 for a branch")
    elif not _IDENTITY_NUMBER.fullmatch(value):
        raise ValueError("a citizen's identity number is 12 digits (CCCD) or 9 digits (CMND)")
    return value


class Applicant(BaseModel):
    """The citizen or organisation the dossier is for."""

    model_config = ConfigDict(extra="forbid")

    type: ApplicantType = ApplicantType.CITIZEN
    name: ShortText
    id_number: Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=20)] = Field(
        default=None,
        description="Citizen: CCCD (12 digits) or CMND (9 digits). Organisation: tax code (10 digits, or 10-3).",
    )
    phone: PhoneNumber | None = None
    email: EmailStr | None = None
    address: Address | None = None

    @field_validator("id_number")
    @classmethod
    def _identity_number_fits_the_type(cls, value: str | None, info: ValidationInfo) -> str | None:
        return check_identity_number(value, info.data.get("type", ApplicantType.CITIZEN))


class Intermediary(BaseModel):
    """The authorised organisation that files and collects for the applicant."""

    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9._-]{2,40}$")]
    name: ShortText


class SubmittedDocument(BaseModel):
    """One component of the dossier as handed in."""

    model_config = ConfigDict(extra="forbid")

    component: ShortText = Field(description="The dossier component, as the procedure names it.")
    originals: int = Field(default=0, ge=0, le=100)
    copies: int = Field(default=0, ge=0, le=100)

    @model_validator(mode="after")
    def _something_handed_in(self) -> SubmittedDocument:
        if self.originals == 0 and self.copies == 0:
            raise ValueError("a document needs at least one original or one copy")
        return self


class ResultReturn(BaseModel):
    """How the result goes back: in person, by post (to an address) or online."""

    model_config = ConfigDict(extra="forbid")

    method: ReturnMethod = ReturnMethod.IN_PERSON
    address: Address | None = Field(default=None, validate_default=True, description="Required for `post`.")

    @field_validator("address")
    @classmethod
    def _post_needs_an_address(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("method") is ReturnMethod.POST:
            raise ValueError("a result returned by post needs a postal address")
        return value


class ReceptionOutcome(BaseModel):
    """What the one-stop officer decided at the counter."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["accept", "incomplete", "refuse"] = "accept"
    missing_items: list[ShortText] = Field(
        default_factory=list,
        max_length=50,
        validate_default=True,
        description="Everything missing, in full (`incomplete`).",
    )
    reason: LongText | None = Field(default=None, validate_default=True, description="The written reason (`refuse`).")

    @field_validator("missing_items")
    @classmethod
    def _incomplete_lists_what_is_missing(cls, value: list[str], info: ValidationInfo) -> list[str]:
        if info.data.get("decision") == "incomplete" and not value:
            raise ValueError("an incomplete dossier lists every missing item")
        return value

    @field_validator("reason")
    @classmethod
    def _refusal_has_a_reason(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("decision") == "refuse" and value is None:
            raise ValueError("a refusal states its reason")
        return value


class DossierCreate(BaseModel):
    """A dossier handed in at the one-stop unit, by post, or filed online."""

    model_config = ConfigDict(extra="forbid")

    procedure_code: ProcedureCode = Field(description="National code (MaTTHC) of the procedure.")
    channel: Channel
    applicant: Applicant
    intermediary: Intermediary | None = None
    summary: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = Field(
        default=None, description="What the dossier asks for (TrichYeuHoSo)."
    )
    documents: list[SubmittedDocument] = Field(default_factory=list, max_length=100)
    result_return: ResultReturn = Field(default_factory=ResultReturn)
    submitted_at: Instant | None = Field(
        default=None, description="When the applicant filed it (e.g. online at night); defaults to now."
    )
    reception: ReceptionOutcome = Field(
        default_factory=ReceptionOutcome,
        description="Staff only: accept (default), incomplete (supplement request) or refuse.",
    )


class ResultReturnRead(BaseModel):
    method: ReturnMethod
    address: str | None


class ProcessingTimeRead(BaseModel):
    value: float
    unit: str


class FeeRead(BaseModel):
    amount_vnd: int
    description_vi: str
    description_en: str | None = None
    unit: str | None = None


class ProcedureSnapshotRead(BaseModel):
    """The catalogue version in force at reception, frozen onto the dossier."""

    code: str
    version: int | None
    name: str | None
    processing_time: ProcessingTimeRead | None
    fees: list[FeeRead]
    source: Literal["catalog", "local_copy"] | None = Field(
        default=None,
        description="Where the version came from: the catalogue, or its local copy when the catalogue was down.",
    )


class ApplicantRead(BaseModel):
    type: ApplicantType
    name: str
    id_number: str | None
    phone: str | None
    email: str | None
    address: str | None


class DossierRead(BaseModel):
    code: str = Field(examples=["SNGV-261126-0001"])
    version: int = Field(description="Changes with every action; the ETag names it.")
    agency_code: str
    current_agency: str | None = Field(description="The agency holding the dossier now (after a transfer).")
    status: DossierStatus
    portal_status: int = Field(description="TrangThaiHoSo on the national portal (1-10).")
    channel: Channel
    procedure: ProcedureSnapshotRead
    procedure_code: str
    summary: str | None
    applicant: ApplicantRead
    applicant_name: str
    intermediary: Intermediary | None
    external_reference: str | None = Field(
        default=None, description="The dossier's code on the system it was filed on (the national portal's MaHoSo)."
    )
    documents: list[SubmittedDocument]
    result_return: ResultReturnRead | None
    submitted_at: dt.datetime
    received_at: dt.datetime | None
    clock_started_at: dt.datetime | None = Field(description="Reception, or the completed supplement.")
    due_at: dt.datetime | None = Field(description="Derived: never typed in.")
    calendar_version: int | None = Field(description="The calendar version that produced `due_at`.")
    paused: bool
    rescheduled: bool
    assigned_unit: str | None
    assigned_officer: str | None
    fees_amount_vnd: int | None
    paid_at: dt.datetime | None
    resolved_at: dt.datetime | None
    result_number: str | None
    result_date: dt.date | None
    timeliness: Timeliness | None = Field(description="Once resolved: early, on time or late.")
    progress: Literal["in_time", "overdue"] | None = Field(description="While in progress: in time or overdue.")
    returned_at: dt.datetime | None
    return_tracking_number: str | None
    closing_reason: str | None


class DossierReceipt(DossierRead):
    tracking_secret: str | None = Field(
        description="Shown once, here: with the code it opens the public lookup. Only its hash is kept."
    )


class DossierSummary(BaseModel):
    """A row of a staff list; personal data masked for roles that do not need it."""

    code: str
    status: DossierStatus
    portal_status: int
    agency_code: str
    current_agency: str | None
    procedure_code: str
    procedure_name: str | None
    channel: Channel
    applicant_name: str
    applicant_phone: str | None
    intermediary_code: str | None
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    assigned_officer: str | None
    timeliness: Timeliness | None
    progress: Literal["in_time", "overdue"] | None
