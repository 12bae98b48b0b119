"""What happened to a dossier: the timeline (immutable), pauses, supplement requests and transfers."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, event
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from dossier_api.models.base import Base
from dossier_api.models.dossier import DossierStatus
from motcua_kit.db import JSONDocument, UTCDateTime, str_enum


class TimelineEntry(Base):
    """One step of the process-control slip: who, in which role and unit, when, what, and the step's deadline.

    Entries are written once and never changed: the mapper refuses updates and deletes.
    """

    __tablename__ = "dossier_timeline"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(String(40))
    status_before: Mapped[DossierStatus | None] = mapped_column(str_enum(DossierStatus))
    status_after: Mapped[DossierStatus] = mapped_column(str_enum(DossierStatus))
    actor_subject: Mapped[str] = mapped_column(String(100))
    actor_name: Mapped[str | None] = mapped_column(String(200))
    actor_role: Mapped[str] = mapped_column(String(40))
    actor_unit: Mapped[str | None] = mapped_column(String(100))
    actor_agency: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    step_deadline: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


def _immutable(_mapper: Mapper[Any], _connection: Any, target: TimelineEntry) -> None:
    raise RuntimeError(f"timeline entry {target.id} is immutable")


event.listen(TimelineEntry, "before_update", _immutable)
event.listen(TimelineEntry, "before_delete", _immutable)


class PauseKind(StrEnum):
    SUPPLEMENT = "supplement"  # waiting for the applicant's supplement
    FEES = "fees"  # waiting for the applicant's payment
    OTHER = "other"  # any other suspension, with its reason


class Pause(Base):
    """A period during which the dossier's clock stood still; an open pause has no end yet."""

    __tablename__ = "dossier_pauses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[PauseKind] = mapped_column(str_enum(PauseKind))
    reason: Mapped[str] = mapped_column(Text)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class SupplementRequest(Base):
    """The one request for missing items, listing all of them, with the appointment before and after."""

    __tablename__ = "dossier_supplements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    at_reception: Mapped[bool] = mapped_column(Boolean)
    items: Mapped[list[str]] = mapped_column(JSONDocument)
    note: Mapped[str | None] = mapped_column(Text)
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    previous_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    new_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Where the dossier goes back to when the supplement arrives.
    resume_status: Mapped[DossierStatus] = mapped_column(str_enum(DossierStatus))


class Transfer(Base):
    """The dossier's passage through another agency (inter-agency one-stop) with its share of the deadline."""

    __tablename__ = "dossier_transfers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    from_agency: Mapped[str] = mapped_column(String(20))
    to_agency: Mapped[str] = mapped_column(String(20))
    share_working_days: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    step_deadline: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    returned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
