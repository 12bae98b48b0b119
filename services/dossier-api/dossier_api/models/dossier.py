"""A dossier (hồ sơ): one application for one procedure, from reception to returned result."""

from __future__ import annotations

import datetime as dt
from enum import IntEnum, StrEnum
from typing import Any

from sqlalchemy import Boolean, Date, Float, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from dossier_api.models.base import Base
from motcua_kit.db import JSONDocument, UTCDateTime, str_enum, utcnow


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

# A dossier in one of these states is finished: its clock no longer runs.
FINISHED_STATUSES = frozenset(
    {
        DossierStatus.REFUSED,
        DossierStatus.WITHDRAWN,
        DossierStatus.STOPPED,
        DossierStatus.RESOLVED,
        DossierStatus.RETURNED,
    }
)
# Received and not finished: the dossier is "in progress" (in time or overdue).
IN_PROGRESS_STATUSES = frozenset(
    {
        DossierStatus.RECEIVED,
        DossierStatus.PROCESSING,
        DossierStatus.SUPPLEMENT_REQUESTED,
        DossierStatus.AWAITING_FEES,
    }
)


class Channel(StrEnum):
    """How the dossier was filed; KenhThucHien on the national portal."""

    IN_PERSON = "in_person"
    ONLINE = "online"
    POSTAL = "postal"


class ApplicantType(StrEnum):
    CITIZEN = "citizen"
    ORGANISATION = "organisation"


class ReturnMethod(StrEnum):
    """How the result goes back to the applicant."""

    IN_PERSON = "in_person"
    POST = "post"
    ONLINE = "online"


class Timeliness(StrEnum):
    """A finished dossier against its due date, at day granularity."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


class ExternalSystem(StrEnum):
    """Systems dossiers are filed on before they reach the one-stop unit."""

    NATIONAL_PORTAL = "national_portal"


class DossierSource(StrEnum):
    RECEPTION = "reception"
    IMPORT = "import"


class Dossier(Base):
    __tablename__ = "dossiers"
    __table_args__ = (
        Index("ix_dossiers_agency_received_on", "agency_code", "received_on"),
        Index("ix_dossiers_status_due_at", "status", "due_at"),
        # A dossier filed on another system (the national portal) enters once per its code there.
        Index("ix_dossiers_external_reference", "external_system", "external_reference", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    agency_code: Mapped[str] = mapped_column(String(20), index=True)
    source: Mapped[DossierSource] = mapped_column(
        str_enum(DossierSource), default=DossierSource.RECEPTION, server_default=DossierSource.RECEPTION.value
    )

    # The procedure version in force at reception, frozen onto the dossier.
    procedure_code: Mapped[str] = mapped_column(String(40), index=True)
    procedure_version: Mapped[int | None] = mapped_column(Integer)
    procedure_name: Mapped[str | None] = mapped_column(String(500))
    procedure_snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    processing_time_value: Mapped[float | None] = mapped_column(Float)
    processing_time_unit: Mapped[str | None] = mapped_column(String(20))

    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    status: Mapped[DossierStatus] = mapped_column(str_enum(DossierStatus), index=True)
    summary: Mapped[str | None] = mapped_column(String(500))

    # Personal data: never logged, masked in lists, shown only to staff and the applicant.
    applicant_type: Mapped[ApplicantType] = mapped_column(
        str_enum(ApplicantType), default=ApplicantType.CITIZEN, server_default=ApplicantType.CITIZEN.value
    )
    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_id_number: Mapped[str | None] = mapped_column(String(20))
    applicant_phone: Mapped[str | None] = mapped_column(String(20))
    applicant_email: Mapped[str | None] = mapped_column(String(320))
    applicant_address: Mapped[str | None] = mapped_column(String(500))
    applicant_subject: Mapped[str | None] = mapped_column(String(100), index=True)
    # The authorised organisation that filed for the applicant, if any.
    intermediary_code: Mapped[str | None] = mapped_column(String(40), index=True)
    intermediary_name: Mapped[str | None] = mapped_column(String(300))
    intermediary_subject: Mapped[str | None] = mapped_column(String(100), index=True)

    documents: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDocument)
    return_method: Mapped[ReturnMethod | None] = mapped_column(str_enum(ReturnMethod))
    return_address: Mapped[str | None] = mapped_column(String(500))

    received_by: Mapped[str] = mapped_column(String(100))
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    # Local (Asia/Ho_Chi_Minh) days, kept so day-granularity filters and statistics stay plain SQL.
    received_on: Mapped[dt.date | None] = mapped_column(Date)
    # Where the deadline counts from: the reception, or the completed supplement (the clock restarts).
    clock_started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Derived from the clock start, the duration, the calendar, the pauses and an accepted reschedule.
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    calendar_version: Mapped[int | None] = mapped_column(Integer)
    # Set while the clock stands still (a pause, a supplement or fees awaited): a paused dossier is
    # overdue only if its due date had passed before the pause began.
    paused_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    extension_working_days: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    rescheduled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    current_agency: Mapped[str | None] = mapped_column(String(20))
    assigned_unit: Mapped[str | None] = mapped_column(String(100))
    assigned_officer: Mapped[str | None] = mapped_column(String(100), index=True)

    fees_amount_vnd: Mapped[int | None] = mapped_column(Integer)
    fees: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDocument)
    paid_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    payment_method: Mapped[str | None] = mapped_column(String(20))
    paid_online: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_on: Mapped[dt.date | None] = mapped_column(Date)
    result_number: Mapped[str | None] = mapped_column(String(100))
    result_date: Mapped[dt.date | None] = mapped_column(Date)
    timeliness: Mapped[Timeliness | None] = mapped_column(str_enum(Timeliness))
    returned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    return_tracking_number: Mapped[str | None] = mapped_column(String(100))
    # The local day the dossier left "in progress" (resolved, refused, withdrawn, stopped).
    finished_on: Mapped[dt.date | None] = mapped_column(Date)
    closing_reason: Mapped[str | None] = mapped_column(Text)

    # The system the dossier was filed on, if not here, and its code there (e.g. the portal's MaHoSo).
    external_system: Mapped[str | None] = mapped_column(String(40))
    external_reference: Mapped[str | None] = mapped_column(String(100))

    tracking_secret_hash: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # Every UPDATE checks and bumps `version`: of two concurrent actions only one can win.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class DossierCodeCounter(Base):
    """The last sequence number used for an agency on a reception day (the NNNN of the code)."""

    __tablename__ = "dossier_code_counters"

    agency_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer)
