"""A dossier (hồ sơ): one application for one procedure, from reception to returned result."""

from __future__ import annotations

import datetime as dt
from enum import IntEnum, StrEnum

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dossier_api.models.base import Base
from motcua_kit.db import UTCDateTime, str_enum, utcnow


class DossierStatus(StrEnum):
    """The dossier's state; each maps to exactly one status of the national portal (TrangThaiHoSo)."""

    REGISTERED = "registered"
    RECEIVED = "received"
    REFUSED = "refused"
    PROCESSING = "processing"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    AWAITING_FEES = "awaiting_fees"
    WITHDRAWN = "withdrawn"
    STOPPED = "stopped"
    RESOLVED = "resolved"
    RETURNED = "returned"

    @property
    def portal_code(self) -> int:
        return PORTAL_STATUS[self]


class PortalStatus(IntEnum):
    """TrangThaiHoSo of the National Public Service Portal."""

    NEW = 1
    RECEIVED = 2
    NOT_RECEIVED = 3
    PROCESSING = 4
    SUPPLEMENT_REQUESTED = 5
    AWAITING_FINANCIAL_OBLIGATION = 6
    WITHDRAWN = 7
    STOPPED = 8
    RESOLVED = 9
    RETURNED = 10


PORTAL_STATUS: dict[DossierStatus, int] = {
    status: portal.value for status, portal in zip(DossierStatus, PortalStatus, strict=True)
}


class Channel(StrEnum):
    """How the dossier was filed; KenhThucHien on the national portal."""

    IN_PERSON = "in_person"
    ONLINE = "online"
    POSTAL = "postal"


class Dossier(Base):
    __tablename__ = "dossiers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    agency_code: Mapped[str] = mapped_column(String(20), index=True)
    procedure_code: Mapped[str] = mapped_column(String(40), index=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    status: Mapped[DossierStatus] = mapped_column(str_enum(DossierStatus), index=True)
    # Personal data: never logged, masked in lists, shown only to staff and the applicant.
    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_id_number: Mapped[str | None] = mapped_column(String(20))
    applicant_phone: Mapped[str | None] = mapped_column(String(20))
    applicant_subject: Mapped[str | None] = mapped_column(String(100), index=True)
    received_by: Mapped[str] = mapped_column(String(100))
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class DossierCodeCounter(Base):
    """The last sequence number used for an agency on a reception day (the NNNN of the code)."""

    __tablename__ = "dossier_code_counters"

    agency_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer)
