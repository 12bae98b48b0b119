"""Daily totals behind the satisfaction index, kept in the same transaction as each invitation and response.

Responses are never edited or deleted, so the totals only grow; ``stats.repository.rebuild_totals``
recomputes them from the raw rows in SQL (after a bulk import, or to check them). The index then
sums a few thousand rows instead of millions of answers.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from motcua_kit.db import str_enum
from satisfaction_survey.models.base import Base
from satisfaction_survey.models.invitation import DossierChannel
from satisfaction_survey.models.response import ResponseMode


class InvitationDailyTotal(Base):
    """Invitations issued on a local day, and how many of them have been answered since."""

    __tablename__ = "invitation_daily_totals"

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    procedure_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[DossierChannel] = mapped_column(str_enum(DossierChannel), primary_key=True)
    invitations: Mapped[int] = mapped_column(Integer)
    answered: Mapped[int] = mapped_column(Integer)


class ResponseDailyTotal(Base):
    """Responses received on a local day, with their overall question's figures."""

    __tablename__ = "response_daily_totals"

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    procedure_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[DossierChannel] = mapped_column(str_enum(DossierChannel), primary_key=True)
    mode: Mapped[ResponseMode] = mapped_column(str_enum(ResponseMode), primary_key=True)
    responses: Mapped[int] = mapped_column(Integer)
    # Responses whose overall question is in the top two levels.
    satisfied: Mapped[int] = mapped_column(Integer)
    overall_score_sum: Mapped[int] = mapped_column(Integer)


class AnswerDailyTotal(Base):
    """Scale answers received on a local day, per question."""

    __tablename__ = "answer_daily_totals"

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    procedure_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[DossierChannel] = mapped_column(str_enum(DossierChannel), primary_key=True)
    mode: Mapped[ResponseMode] = mapped_column(str_enum(ResponseMode), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), primary_key=True)
    answers: Mapped[int] = mapped_column(Integer)
    score_sum: Mapped[int] = mapped_column(Integer)
    satisfied: Mapped[int] = mapped_column(Integer)  # answers in the top two levels
