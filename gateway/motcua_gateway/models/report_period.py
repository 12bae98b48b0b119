"""Closed report periods: the figures of a month, a quarter or a year, stored once and never changed.

A period is closed by a reporter (or a leader, or an admin): the overview and the scorecard of that
moment are written as a *revision* (``frozen_reports``) and served from then on, whatever records
are corrected later in the services. Reopening is an explicit act with a reason; closing again
writes the next revision, the earlier ones stay readable. Every close and reopen is a row of
``report_period_events`` (who, when, why). Revisions and events are append-only: the migration
adds database triggers that refuse to update or delete them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from motcua_gateway.models.api_client import Base
from motcua_kit.db import JSONDocument, UTCDateTime, utcnow

ALL_AGENCIES = "*"


class ReportPeriod(Base):
    __tablename__ = "report_periods"
    __table_args__ = (UniqueConstraint("scope", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # An agency code, or "*" for all agencies (a NULL would not be unique).
    scope: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(7))  # 2025-03, 2025-Q1, 2025
    kind: Mapped[str] = mapped_column(String(10))
    first_day: Mapped[dt.date] = mapped_column(Date)
    last_day: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))  # closed | reopened
    revision: Mapped[int] = mapped_column(Integer)  # the latest frozen revision
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class FrozenReport(Base):
    __tablename__ = "frozen_reports"
    __table_args__ = (UniqueConstraint("period_id", "revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("report_periods.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    overview: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    scorecard: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    closed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    closed_by: Mapped[str] = mapped_column(String(200))


class ReportPeriodEvent(Base):
    __tablename__ = "report_period_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("report_periods.id"), index=True)
    action: Mapped[str] = mapped_column(String(10))  # close | reopen
    revision: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    actor_name: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
