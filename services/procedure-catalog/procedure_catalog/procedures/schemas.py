"""The procedure record, as entered (drafts) and as read (versions, drafts, lists).

Texts come in pairs: ``*_vi`` (required where the text exists: Vietnamese is the official text) and
``*_en``. A read adds, for every pair, the text in the negotiated language without the suffix
(``name``, ``description``, ``fees[].description``, ...), Vietnamese where English is missing.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from procedure_catalog.constraints import (
    Day,
    LongText,
    ProcedureCode,
    ReferenceCode,
    Text100,
    Text300,
    Text500,
    Text1000,
    Text2000,
)
from procedure_catalog.models import (
    ApplicantType,
    AuthorityLevel,
    ChangeAction,
    Channel,
    OnlineLevel,
    TimeUnit,
    VersionStatus,
)

MAX_FEE_VND = 10**12  # a thousand billion đồng: far above any fee, far below integer limits
LanguageTag = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Fee(Strict):
    """A fee or charge (phí, lệ phí) of one channel."""

    amount_vnd: int = Field(ge=0, le=MAX_FEE_VND, description="Amount in đồng; 0 for free.")
    unit: Text100 | None = Field(default=None, description="What the amount is for, e.g. `đồng/thẻ`.")
    description_vi: Text1000
    description_en: Text1000 | None = None


class ProcessingTime(Strict):
    value: float = Field(gt=0, le=1000, description="How long the agency has, in `unit`.")
    unit: TimeUnit


class ChannelTerms(Strict):
    """How the procedure is done through one channel: its processing time and fees."""

    channel: Channel
    processing_time: ProcessingTime
    processing_time_note_vi: Text1000 | None = None
    processing_time_note_en: Text1000 | None = None
    fees: list[Fee] = Field(default_factory=list, max_length=50)


class Step(Strict):
    title_vi: Text2000
    title_en: Text2000 | None = None


class DossierComponent(Strict):
    """One paper of the dossier (thành phần hồ sơ)."""

    name_vi: Text1000
    name_en: Text1000 | None = None
    originals: int = Field(default=0, ge=0, le=100, description="Number of originals (bản chính).")
    copies: int = Field(default=0, ge=0, le=100, description="Number of copies (bản sao).")
    required: bool = True
    form_template_name: Text300 | None = Field(default=None, description="Name of the form (mẫu đơn, tờ khai).")
    form_template_url: Annotated[str, StringConstraints(max_length=2000, pattern=r"^https?://\S+$")] | None = None


class Result(Strict):
    """A document the procedure issues (kết quả thực hiện)."""

    name_vi: Text500
    name_en: Text500 | None = None


class LegalBasis(Strict):
    """A legal text the procedure rests on (căn cứ pháp lý)."""

    number: Text100 = Field(examples=["45/2006/QĐ-TTg"])
    title_vi: Text1000
    title_en: Text1000 | None = None
    issuer: Text300 | None = None
    issued_on: Day | None = None


class Translation(Strict):
    """The main texts in a language other than Vietnamese and English."""

    name: Text500
    description: LongText | None = None
    conditions: LongText | None = None


class ProcedureContent(Strict):
    """Everything a procedure says, as an editor enters it and as a version stores it."""

    name_vi: Text500
    name_en: Text500 | None = None
    description_vi: LongText | None = None
    description_en: LongText | None = None
    field_code: ReferenceCode = Field(description="Field (lĩnh vực), from `/api/v1/fields`.")
    agency_code: ReferenceCode = Field(description="Handling agency, from `/api/v1/agencies`.")
    authority_level: AuthorityLevel
    applicant_types: list[ApplicantType] = Field(min_length=1, max_length=len(ApplicantType))
    steps: list[Step] = Field(default_factory=list, max_length=100)
    channels: list[ChannelTerms] = Field(min_length=1, max_length=len(Channel))
    documents: list[DossierComponent] = Field(default_factory=list, max_length=200)
    results: list[Result] = Field(default_factory=list, max_length=50)
    conditions_vi: LongText | None = None
    conditions_en: LongText | None = None
    legal_basis: list[LegalBasis] = Field(default_factory=list, max_length=100)
    online_level: OnlineLevel
    legacy_online_level: int | None = Field(
        default=None, ge=1, le=4, description="Online level 1-4 of the rules before 2022, for historical reports."
    )
    one_stop: bool = Field(default=True, description="Received and returned through the one-stop unit.")
    inter_agency: bool = Field(default=False, description="Inter-agency one-stop (một cửa liên thông).")
    internal: bool = Field(default=False, description="Between state bodies, not for citizens.")
    translations: dict[LanguageTag, Translation] = Field(
        default_factory=dict, max_length=20, description="Other languages, by language tag."
    )

    @field_validator("applicant_types")
    @classmethod
    def _distinct_applicants(cls, value: list[ApplicantType]) -> list[ApplicantType]:
        if len(set(value)) != len(value):
            raise ValueError("each applicant type is listed once")
        return value

    @field_validator("translations")
    @classmethod
    def _other_languages_only(cls, value: dict[str, Translation]) -> dict[str, Translation]:
        if {"vi", "en"} & set(value):
            raise ValueError("Vietnamese and English go in the *_vi and *_en fields")
        return value


class ProcedureCreate(ProcedureContent):
    """A new procedure, entered as a draft."""

    code: ProcedureCode = Field(description="National procedure code (MaTTHC), unique.", examples=["1.000948"])


# --- reading --------------------------------------------------------------------------------------


class FeeRead(Fee):
    description: str = Field(description="In the negotiated language.")


class ChannelRead(ChannelTerms):
    processing_time_note: str | None = None
    fees: list[FeeRead]  # type: ignore[assignment]


class StepRead(Step):
    title: str


class DossierComponentRead(DossierComponent):
    name: str


class ResultRead(Result):
    name: str


class LegalBasisRead(LegalBasis):
    title: str


class ReferenceRead(BaseModel):
    """A field or agency as the record names it."""

    code: str
    name: str
    name_vi: str
    name_en: str | None


class AnnouncementRef(BaseModel):
    id: int
    number: str
    issuer: str
    signed_on: dt.date
    effective_on: dt.date


class ProcedureBody(BaseModel):
    """The record with its localised texts, shared by versions and drafts."""

    code: str
    name: str = Field(description="In the negotiated language.")
    name_vi: str
    name_en: str | None
    description: str | None
    description_vi: str | None
    description_en: str | None
    field_code: str
    field: ReferenceRead
    agency_code: str
    agency: ReferenceRead
    authority_level: AuthorityLevel
    applicant_types: list[ApplicantType]
    steps: list[StepRead]
    channels: list[ChannelRead]
    documents: list[DossierComponentRead]
    results: list[ResultRead]
    conditions: str | None
    conditions_vi: str | None
    conditions_en: str | None
    legal_basis: list[LegalBasisRead]
    online_level: OnlineLevel
    legacy_online_level: int | None
    one_stop: bool
    inter_agency: bool
    internal: bool
    translations: dict[str, Translation]


class ProcedureRead(ProcedureBody):
    """One published version of a procedure."""

    version: int = Field(ge=1)
    status: VersionStatus
    valid_from: dt.date
    valid_until: dt.date | None = Field(description="First day this version no longer applies; null: open.")
    announcement: AnnouncementRef
    published_at: dt.datetime


class DraftRead(ProcedureBody):
    """The open draft of a procedure. Its ETag goes back in If-Match to edit it."""

    status: Literal["draft"] = "draft"
    base_version: int | None = Field(description="The version this draft amends; null for a new procedure.")
    revision: int
    created_at: dt.datetime
    updated_at: dt.datetime
    updated_by: str | None


class DraftSummary(BaseModel):
    code: str
    name_vi: str
    base_version: int | None
    revision: int
    updated_at: dt.datetime
    updated_by: str | None


class ProcedureSummary(BaseModel):
    """A procedure in a list: what the public list (niêm yết) shows."""

    code: str
    version: int
    status: VersionStatus
    name: str
    name_vi: str
    name_en: str | None
    field: ReferenceRead
    agency: ReferenceRead
    authority_level: AuthorityLevel
    online_level: OnlineLevel
    legacy_online_level: int | None
    channels: list[Channel]
    applicant_types: list[ApplicantType]
    one_stop: bool
    inter_agency: bool
    internal: bool
    valid_from: dt.date
    valid_until: dt.date | None


class VersionSummary(BaseModel):
    number: int
    status: VersionStatus
    valid_from: dt.date
    valid_until: dt.date | None
    in_force: bool = Field(description="In force today.")
    action: ChangeAction
    announcement: AnnouncementRef
    published_at: dt.datetime


class FieldChange(BaseModel):
    """One difference between two versions."""

    path: str = Field(description="Dotted path; list items by their key, e.g. `channels[online].fees[0].amount_vnd`.")
    change: Literal["added", "removed", "changed"]
    before: object | None = None
    after: object | None = None


class VersionDiff(BaseModel):
    code: str
    version: int
    previous_version: int | None
    status: VersionStatus
    previous_status: VersionStatus | None
    changes: list[FieldChange]
