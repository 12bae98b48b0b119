"""Announcement decisions (quyết định công bố): the only way the published catalogue changes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from motcua_kit.db import UTCDateTime, str_enum, utcnow
from procedure_catalog.models.base import Base
from procedure_catalog.models.enums import AnnouncementSource, ChangeAction


class Announcement(Base):
    __tablename__ = "announcements"
    __table_args__ = (CheckConstraint("effective_on >= signed_on", name="effective_after_signing"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(100), unique=True)  # e.g. "2150/QĐ-UBND"
    title_vi: Mapped[str | None] = mapped_column(String(1000))
    title_en: Mapped[str | None] = mapped_column(String(1000))
    issuer: Mapped[str] = mapped_column(String(300))
    signed_on: Mapped[dt.date] = mapped_column(Date, index=True)
    effective_on: Mapped[dt.date] = mapped_column(Date, index=True)
    source: Mapped[AnnouncementSource] = mapped_column(str_enum(AnnouncementSource))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by: Mapped[str | None] = mapped_column(String(200))


class AnnouncementChange(Base):
    __tablename__ = "announcement_changes"
    __table_args__ = (UniqueConstraint("announcement_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    action: Mapped[ChangeAction] = mapped_column(str_enum(ChangeAction))
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"), index=True)
    procedure_code: Mapped[str] = mapped_column(String(40))
    version_number: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(1000))
