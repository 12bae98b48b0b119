"""Bodies of the processing actions, one per endpoint."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from dossier_api.dossiers.schemas import Address, AgencyCode, LongText, ShortText, SubmittedDocument
from dossier_api.models import ReturnMethod

Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoteBody(_Body):
    note: Note | None = None


class ReasonBody(_Body):
    reason: LongText


class SupplementRequestBody(_Body):
    items: list[ShortText] = Field(min_length=1, max_length=50, description="Every missing item, in full, once.")
    note: Note | None = None


class SupplementCompleteBody(_Body):
    documents: list[SubmittedDocument] = Field(default_factory=list, max_length=100)
    note: Note | None = None


class AssignBody(_Body):
    unit: ShortText = Field(description="The department (phòng) that processes the dossier.")
    officer: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None = Field(
        default=None, description="The officer's account (token subject)."
    )
    step_working_days: float | None = Field(
        default=None, gt=0, le=365, description="Deadline of this step; by default the dossier's due date."
    )
    note: Note | None = None


class TransferBody(_Body):
    to_agency: AgencyCode
    share_working_days: int = Field(ge=1, le=365, description="That agency's share of the deadline.")
    note: Note | None = None


class RescheduleBody(_Body):
    additional_working_days: int = Field(ge=1, le=90, description="How much later the new appointment is.")
    apology: LongText = Field(description="The apology to the applicant, with the reason for the delay.")


class FeeItem(_Body):
    amount_vnd: int = Field(ge=0, le=10_000_000_000)
    description_vi: ShortText


class FeesBody(_Body):
    fees: list[FeeItem] | None = Field(
        default=None, max_length=50, description="By default, the fees of the procedure version on the dossier."
    )
    note: Note | None = None


class PaymentMethod(StrEnum):
    ONLINE = "online"
    CASH = "cash"
    BANK_TRANSFER = "bank_transfer"


class PaymentBody(_Body):
    method: PaymentMethod
    receipt_number: Reference | None = None
    note: Note | None = None


class ResolveBody(_Body):
    result_number: Reference = Field(description="Number of the result document (e.g. the permit).")
    result_date: dt.date = Field(description="Date on the result document.")
    note: Note | None = None


class ReturnBody(_Body):
    method: ReturnMethod
    address: Address | None = Field(default=None, description="By post: where to, if not the address on file.")
    tracking_number: Reference | None = Field(
        default=None, validate_default=True, description="The postal tracking number (required by post)."
    )
    note: Note | None = None

    @field_validator("tracking_number")
    @classmethod
    def _post_has_a_tracking_number(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("method") is ReturnMethod.POST:
            raise ValueError("a result sent by post needs the postal tracking number")
        return value
