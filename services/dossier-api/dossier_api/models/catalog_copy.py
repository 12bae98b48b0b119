"""dossier-api's copy of the catalogue's procedure versions, kept from the catalogue's events.

A read model: each row is one version as ``procedure.published | amended | abolished`` announced it,
with its validity period. Reception falls back to it when the catalogue cannot be reached, and
refuses an abolished procedure from it without asking. Dossiers never read it: a dossier's snapshot,
taken at reception, is the legal record of what applied.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dossier_api.models.base import Base
from motcua_kit.db import JSONDocument, UTCDateTime, utcnow


class CatalogProcedureVersion(Base):
    __tablename__ = "catalog_procedure_versions"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    # In force from valid_from (inclusive) to valid_until (exclusive), as in the catalogue.
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    announcement_number: Mapped[str | None] = mapped_column(String(100))
    # The event's data: the fields of the reception contract (names, channels, fees) and more.
    document: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    event_id: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
