"""A dossier filed on the National Public Service Portal, in the portal's own field names."""

from __future__ import annotations

import datetime as dt
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

from dossier_api.dossiers.rules import SUBMISSION_CLOCK_SKEW
from dossier_api.dossiers.schemas import Address, PhoneNumber, ProcedureCode, ShortText, check_identity_number
from dossier_api.models import ApplicantType
from dossier_api.portal.mapping import APPLICANT_TYPE_CODE, parse_portal_date
from motcua_kit.db import utcnow
from motcua_kit.timezone import EARLIEST, LATEST

PORTAL_APPLICANT_TYPE = {code: kind for kind, code in APPLICANT_TYPE_CODE.items()}


class PortalDocument(BaseModel):
    model_config = ConfigDict(extra="ignore")

    TenGiayTo: ShortText = Field(description="The dossier component, as the procedure names it.")
    SoBanChinh: int = Field(default=0, ge=0, le=100, description="Originals.")
    SoBanSao: int = Field(default=0, ge=0, le=100, description="Copies.")

    @model_validator(mode="after")
    def _something_handed_in(self) -> PortalDocument:
        if self.SoBanChinh == 0 and self.SoBanSao == 0:
            raise ValueError("a document needs at least one original or one copy")
        return self


class PortalDossierIn(BaseModel):
    """What the portal sends for a dossier filed there (DongBoHoSoMC's field names).

    Fields this service does not use are ignored: the portal's record has more than a reception needs.
    """

    model_config = ConfigDict(extra="ignore")

    MaHoSo: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[\x21-\x7e]{1,50}$")] = Field(
        description="The portal's code for the dossier, kept as its external reference; sent again, a replay."
    )
    MaTTHC: ProcedureCode = Field(description="National code of the procedure.")
    ChuHoSo: ShortText = Field(description="The applicant's name.")
    LoaiDoiTuong: Literal["1", "2"] = Field(default="1", description="1 citizen, 2 organisation.")
    MaDoiTuong: Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=20)] = Field(
        default=None, description="Citizen: CCCD or CMND. Organisation: tax code."
    )
    SoDienThoai: PhoneNumber | None = None
    Email: EmailStr | None = None
    DiaChi: Address | None = Field(default=None, description="The applicant's address.")
    TrichYeuHoSo: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    NgayNopHoSo: Annotated[str, StringConstraints(pattern=r"^\d{14}$")] = Field(
        description="When it was filed on the portal: yyyyMMddHHmmss, Vietnam time."
    )
    HinhThuc: Literal["0", "1", "2"] = Field(
        default="0", description="How the result goes back: 0 at the office, 1 by post, 2 online."
    )
    DiaChiNhanKetQua: Address | None = Field(
        default=None, validate_default=True, description="Where the result is posted (HinhThuc 1)."
    )
    DanhSachGiayTo: list[PortalDocument] = Field(default_factory=list, max_length=100)

    @field_validator("MaDoiTuong")
    @classmethod
    def _identity_number_fits_the_type(cls, value: str | None, info: ValidationInfo) -> str | None:
        return check_identity_number(value or None, PORTAL_APPLICANT_TYPE[info.data.get("LoaiDoiTuong", "1")])

    @field_validator("NgayNopHoSo")
    @classmethod
    def _a_real_moment(cls, value: str) -> str:
        try:
            instant = parse_portal_date(value)
        except ValueError as exc:
            raise ValueError("not a date and time in yyyyMMddHHmmss") from exc
        if not EARLIEST <= instant <= LATEST:
            raise ValueError(f"must be between {EARLIEST:%Y} and {LATEST:%Y}")
        if instant > utcnow() + SUBMISSION_CLOCK_SKEW:
            raise ValueError("must not be in the future")
        return value

    @field_validator("DiaChiNhanKetQua")
    @classmethod
    def _post_needs_an_address(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("HinhThuc") == "1":
            raise ValueError("a result sent by post needs an address")
        return value

    @property
    def applicant_type(self) -> ApplicantType:
        return PORTAL_APPLICANT_TYPE[self.LoaiDoiTuong]

    @property
    def submitted_at(self) -> dt.datetime:
        return parse_portal_date(self.NgayNopHoSo)
