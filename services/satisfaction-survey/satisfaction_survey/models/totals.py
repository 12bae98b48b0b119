"""Totals behind the satisfaction index, kept in the same transaction as each invitation and response.

Each count is kept twice: per local day (``span = 'day'``) and per local month (``span = 'month'``,
``day`` = the month's first day). A report period is read from the month rows for its whole months
and from the day rows only for the days at its edges, so the index sums a few thousand rows whatever
the number of responses. Responses are never edited or deleted, so the totals only grow;
``stats.totals.TotalsRepository.rebuild`` recomputes them from the raw rows in SQL.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from motcua_kit.db import str_enum
from satisfaction_survey.models.base import Base
from satisfaction_survey.models.invitation import DossierChannel
from satisfaction_survey.models.response import ResponseMode


class TotalSpan(StrEnum):
    DAY = "day"
    MONTH = "month"


class InvitationTotal(Base):
    """Invitations issued on a local day (or month), and how many of them have been answered since."""

    __tablename__ = "invitation_totals"

    span: Mapped[TotalSpan] = mapped_column(str_enum(TotalSpan, length=8), primary_key=True)
    day: Mapped[dt.date] = mapped_column(primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    procedure_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[DossierChannel] = mapped_column(str_enum(DossierChannel), primary_key=True)
    invitations: Mapped[int] = mapped_column(Integer)
    answered: Mapped[int] = mapped_column(Integer)


class ResponseTotal(Base):
    """Responses received on a local day (or month), with their overall question's figures."""

    __tablename__ = "response_totals"

    span: Mapped[TotalSpan] = mapped_column(str_enum(TotalSpan, length=8), primary_key=True)
    day: Mapped[dt.date] = mapped_column(primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    procedure_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[DossierChannel] = mapped_column(str_enum(DossierChannel), primary_key=True)
    mode: Mapped[ResponseMode] = mapped_column(str_enum(ResponseMode), primary_key=True)
    responses: Mapped[int] = mapped_column(Integer)
    # Responses whose overall question is in the top two levels.
    satisfied: Mapped[int] = mapped_column(Integer)
    overall_score_sum: Mapped[int] = mapped_column(Integer)


class AnswerTotal(Base):
    """Scale answers received on a local day (or month), per question."""

    __tablename__ = "answer_totals"

    span: Mapped[TotalSpan] = mapped_column(str_enum(TotalSpan, length=8), primary_key=True)
    day: Mapped[dt.date] = mapped_column(primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    procedure_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[DossierChannel] = mapped_column(str_enum(DossierChannel), primary_key=True)
    mode: Mapped[ResponseMode] = mapped_column(str_enum(ResponseMode), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), primary_key=True)
    answers: Mapped[int] = mapped_column(Integer)
    score_sum: Mapped[int] = mapped_column(Integer)
    satisfied: Mapped[int] = mapped_column(Integer)  # answers in the top two levels
