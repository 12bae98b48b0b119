"""Feedback items: an unhappy evaluation, routed to the agency to act on."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from motcua_kit.db import JSONDocument, UTCDateTime, str_enum, utcnow
from satisfaction_survey.models.base import Base


class FeedbackStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class FeedbackItem(Base):
    __tablename__ = "feedback_items"
    __table_args__ = (Index("ix_feedback_items_agency_status", "agency_code", "status", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id"), unique=True)
    dossier_code: Mapped[str] = mapped_column(String(40))
    procedure_code: Mapped[str] = mapped_column(String(40))
    agency_code: Mapped[str] = mapped_column(String(20))
    officer_id: Mapped[str] = mapped_column(String(100))
    # [{"question_id", "key", "factor", "score"}] for every answer in the two lowest levels.
    low_scores: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument)
    complaint: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str | None] = mapped_column(Text)
    status: Mapped[FeedbackStatus] = mapped_column(str_enum(FeedbackStatus))
    response_text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    revision: Mapped[int] = mapped_column(Integer, default=1)
