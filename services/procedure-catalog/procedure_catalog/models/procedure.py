"""An administrative procedure (thủ tục hành chính) of the catalogue, keyed by its national code."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from motcua_kit.db import UTCDateTime, str_enum, utcnow
from procedure_catalog.models.base import Base


class ProcedureStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ABOLISHED = "abolished"


class Procedure(Base):
    __tablename__ = "procedures"
    __table_args__ = (CheckConstraint("processing_days >= 0", name="processing_days_not_negative"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # MaTTHC: an opaque national code such as "1.000948" or "1.000948.H38".
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_vi: Mapped[str] = mapped_column(String(500))
    name_en: Mapped[str | None] = mapped_column(String(500))
    field_code: Mapped[str] = mapped_column(String(40), index=True)
    field_name_vi: Mapped[str] = mapped_column(String(300))
    field_name_en: Mapped[str | None] = mapped_column(String(300))
    processing_days: Mapped[int] = mapped_column(Integer)
    status: Mapped[ProcedureStatus] = mapped_column(str_enum(ProcedureStatus), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
