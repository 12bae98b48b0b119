"""An agency's working-day calendar: each change is a new, immutable version."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dossier_api.models.base import Base
from motcua_kit.db import JSONDocument, UTCDateTime, utcnow


class CalendarVersion(Base):
    """The agency's own additions to the national calendar, as of one version.

    ``rules`` holds days off, worked (swapped) days, closures and working periods; the national
    holidays come from the calendar engine's defaults.
    """

    __tablename__ = "calendar_versions"
    __table_args__ = (UniqueConstraint("agency_code", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(20), index=True)
    version: Mapped[int] = mapped_column(Integer)
    rules: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
