"""Where each dossier stands with the National Public Service Portal (what staff see and re-trigger)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from dossier_api.models.base import Base
from motcua_kit.db import UTCDateTime


class PortalSync(Base):
    __tablename__ = "portal_sync"

    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), primary_key=True)
    # MaHoSo on the portal: the portal's own code for a dossier filed there, else the dossier code.
    portal_code: Mapped[str] = mapped_column(String(100))
    created_on_portal: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # The last timeline entry sent as a progress step (CapNhatTienDoHoSoMC), and how many were sent.
    last_step_id: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    steps_sent: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # SHA-256 of the last dossier payload the portal accepted: the same state is not sent twice.
    last_payload_hash: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
