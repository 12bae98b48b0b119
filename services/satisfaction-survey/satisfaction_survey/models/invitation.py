"""Invitations: one per dossier, the right to evaluate it once, online (token link, QR code) or on paper."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motcua_kit.db import UTCDateTime, str_enum, utcnow
from satisfaction_survey.models.base import Base
from satisfaction_survey.models.questionnaire import Questionnaire


class DossierChannel(StrEnum):
    """How the dossier was filed (KenhThucHien on the national portal)."""

    IN_PERSON = "in_person"
    ONLINE = "online"
    POSTAL = "postal"


class Invitation(Base):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_code: Mapped[str] = mapped_column(String(40), unique=True)
    procedure_code: Mapped[str] = mapped_column(String(40))
    agency_code: Mapped[str] = mapped_column(String(20))
    channel: Mapped[DossierChannel] = mapped_column(str_enum(DossierChannel))
    # The civil servant who handled the dossier (staff data, not the applicant's).
    officer_id: Mapped[str] = mapped_column(String(100))
    officer_name: Mapped[str | None] = mapped_column(String(200))
    # The version current when the invitation was issued: the one the citizen is asked to answer.
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaires.id"))
    # SHA-256 of the link's token, hex. The token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Local (Asia/Ho_Chi_Minh) day of issue: the response-rate cohort.
    issued_on: Mapped[dt.date] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    responded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    questionnaire: Mapped[Questionnaire] = relationship(lazy="joined", innerjoin=True)
