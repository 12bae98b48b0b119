"""A procedure (thủ tục hành chính): its identity, its immutable published versions, its open draft.

The identity row holds only the national code. Each change an announcement decision makes is a
:class:`ProcedureVersion` with a validity period ``[valid_from, valid_until)``; periods of one
procedure never overlap, so "the version in force on day D" is at most one row. A version is never
updated after it is written, except to close its period when a later version takes over.

Beside the full record (``content``, JSON), a version carries the columns that lists, filters,
statistics and search read, so none of them has to open the JSON: names, field, agency, levels,
channel and applicant flags, and the search text folded to plain ASCII (``search_name``,
``search_body``) that the full-text index is built on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from motcua_kit.db import JSONDocument, UTCDateTime, str_enum, utcnow
from procedure_catalog.models.base import Base
from procedure_catalog.models.enums import AuthorityLevel, OnlineLevel, VersionStatus


class Procedure(Base):
    __tablename__ = "procedures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # MaTTHC: an opaque national code such as "1.000948" or "1.000948.H38".
    code: Mapped[str] = mapped_column(String(40), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProcedureVersion(Base):
    __tablename__ = "procedure_versions"
    __table_args__ = (
        UniqueConstraint("procedure_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("valid_until IS NULL OR valid_until > valid_from", name="period_not_empty"),
        CheckConstraint(
            "legacy_online_level IS NULL OR legacy_online_level BETWEEN 1 AND 4", name="legacy_level_range"
        ),
        Index("ix_procedure_versions_procedure_id_valid_from", "procedure_id", "valid_from"),
        Index("ix_procedure_versions_valid_from_valid_until", "valid_from", "valid_until"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[VersionStatus] = mapped_column(str_enum(VersionStatus))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)  # exclusive; None: open-ended
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id"), index=True)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    content: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    content_hash: Mapped[str] = mapped_column(String(64))

    # Read by lists, filters and statistics (copied from `content` and the reference lists when written).
    code: Mapped[str] = mapped_column(String(40))
    name_vi: Mapped[str] = mapped_column(String(500))
    name_en: Mapped[str | None] = mapped_column(String(500))
    field_code: Mapped[str] = mapped_column(String(40), index=True)
    field_name_vi: Mapped[str] = mapped_column(String(300))
    field_name_en: Mapped[str | None] = mapped_column(String(300))
    agency_code: Mapped[str] = mapped_column(String(40), index=True)
    agency_name_vi: Mapped[str] = mapped_column(String(300))
    agency_name_en: Mapped[str | None] = mapped_column(String(300))
    authority_level: Mapped[AuthorityLevel] = mapped_column(str_enum(AuthorityLevel))
    online_level: Mapped[OnlineLevel] = mapped_column(str_enum(OnlineLevel))
    legacy_online_level: Mapped[int | None] = mapped_column(Integer)
    in_person: Mapped[bool] = mapped_column(Boolean)
    online: Mapped[bool] = mapped_column(Boolean)
    postal: Mapped[bool] = mapped_column(Boolean)
    for_citizens: Mapped[bool] = mapped_column(Boolean)
    for_organisations: Mapped[bool] = mapped_column(Boolean)
    one_stop: Mapped[bool] = mapped_column(Boolean)
    inter_agency: Mapped[bool] = mapped_column(Boolean)
    internal: Mapped[bool] = mapped_column(Boolean)
    search_name: Mapped[str] = mapped_column(Text)
    search_body: Mapped[str] = mapped_column(Text)


class ProcedureDraft(Base):
    """The one open draft of a procedure: a new procedure, or the next amendment of a published one."""

    __tablename__ = "procedure_drafts"
    __table_args__ = (CheckConstraint("revision >= 1", name="revision_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"), unique=True)
    # The version this draft amends (None for a new procedure); a later version makes the draft stale.
    base_version: Mapped[int | None] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(200))
