"""Responses (one per dossier) and their answers, each tied to the questionnaire version it answered."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motcua_kit.db import UTCDateTime, str_enum, utcnow
from satisfaction_survey.models.base import Base
from satisfaction_survey.models.invitation import DossierChannel
from satisfaction_survey.models.questionnaire import Question, Questionnaire


class ResponseMode(StrEnum):
    """How the evaluation reached us."""

    ONLINE = "online"  # the citizen answered through the invitation's link or QR code
    PAPER = "paper"  # a paper form, entered by staff


class Response(Base):
    __tablename__ = "responses"
    __table_args__ = (
        # Exactly one response per dossier, also when two arrive at once.
        UniqueConstraint("dossier_code"),
        UniqueConstraint("invitation_id"),
        # The same paper form cannot be entered for two dossiers (online rows have no number).
        UniqueConstraint("agency_code", "form_number"),
        CheckConstraint("(mode = 'paper') = (form_number IS NOT NULL)", name="paper_has_form_number"),
        Index("ix_responses_agency_code_submitted_at", "agency_code", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"))
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaires.id"))
    # Copied from the invitation so lists and totals filter without a join.
    dossier_code: Mapped[str] = mapped_column(String(40))
    procedure_code: Mapped[str] = mapped_column(String(40))
    agency_code: Mapped[str] = mapped_column(String(20))
    channel: Mapped[DossierChannel] = mapped_column(str_enum(DossierChannel))
    mode: Mapped[ResponseMode] = mapped_column(str_enum(ResponseMode))
    form_number: Mapped[str | None] = mapped_column(String(40))
    entered_by: Mapped[str | None] = mapped_column(String(100))
    complaint: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Local (Asia/Ho_Chi_Minh) day of submission: the day the response counts on.
    submitted_on: Mapped[dt.date] = mapped_column()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", lazy="selectin", cascade="all, delete-orphan", order_by="Answer.id"
    )
    questionnaire: Mapped[Questionnaire] = relationship(lazy="joined", innerjoin=True)


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (
        # One answer per question of a response.
        UniqueConstraint("response_id", "question_id"),
        CheckConstraint("score IS NULL OR score BETWEEN 1 AND 5", name="score_on_scale"),
        CheckConstraint("(score IS NULL) <> (text IS NULL)", name="score_or_text"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    score: Mapped[int | None] = mapped_column(SmallInteger)
    text: Mapped[str | None] = mapped_column(Text)
    response: Mapped[Response] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship(lazy="joined", innerjoin=True)
