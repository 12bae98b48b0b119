"""Questionnaires: versioned sets of questions grouped under the five national (SIPAS) factors."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motcua_kit.db import UTCDateTime, str_enum, utcnow
from satisfaction_survey.models.base import Base


class Factor(StrEnum):
    """The five factors of the national satisfaction index, plus the overall question."""

    ACCESS = "access"  # access to the service
    PROCEDURE = "procedure"
    CIVIL_SERVANT = "civil_servant"
    RESULT = "result"
    FEEDBACK_HANDLING = "feedback_handling"
    OVERALL = "overall"


class QuestionKind(StrEnum):
    SCALE = "scale"  # the 5-level scale
    COMMENT = "comment"  # free text


class QuestionnaireStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class Questionnaire(Base):
    """One version of the questionnaire. A draft may be edited; once published it never changes.

    At most one version is published (current) at a time: a partial unique index guarantees it even
    when two administrators publish at once. Publishing a version retires the previous one.
    """

    __tablename__ = "questionnaires"
    __table_args__ = (
        Index(
            "uq_questionnaires_one_published",
            "status",
            unique=True,
            sqlite_where=text("status = 'published'"),
            postgresql_where=text("status = 'published'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    title_vi: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[QuestionnaireStatus] = mapped_column(str_enum(QuestionnaireStatus), index=True)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(100))
    # Bumped on every edit of a draft; the ETag carries it.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    questions: Mapped[list[Question]] = relationship(
        back_populates="questionnaire", order_by="Question.position", lazy="selectin", cascade="all, delete-orphan"
    )


class Question(Base):
    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("questionnaire_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaires.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    factor: Mapped[Factor] = mapped_column(str_enum(Factor))
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind))
    text_vi: Mapped[str] = mapped_column(String(500))
    text_en: Mapped[str | None] = mapped_column(String(500))
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    questionnaire: Mapped[Questionnaire] = relationship(back_populates="questions")
