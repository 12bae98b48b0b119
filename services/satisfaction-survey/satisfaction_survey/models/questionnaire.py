"""Questionnaires: versioned sets of questions grouped under the five national (SIPAS) factors."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
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
    __tablename__ = "questionnaires"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    title_vi: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[QuestionnaireStatus] = mapped_column(str_enum(QuestionnaireStatus), index=True)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    questions: Mapped[list[Question]] = relationship(
        back_populates="questionnaire", order_by="Question.position", lazy="selectin"
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
