"""satisfaction-survey's tables. Every model module is imported here so Alembic sees the whole schema."""

from satisfaction_survey.models.base import Base
from satisfaction_survey.models.events import EventDelivery, EventSubscription, OutboxEvent, ProcessedEvent
from satisfaction_survey.models.feedback import FeedbackItem, FeedbackStatus
from satisfaction_survey.models.invitation import DossierChannel, Invitation
from satisfaction_survey.models.questionnaire import (
    Factor,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireStatus,
)
from satisfaction_survey.models.response import Answer, Response, ResponseMode
from satisfaction_survey.models.totals import AnswerTotal, InvitationTotal, ResponseTotal, TotalSpan

__all__ = [
    "Answer",
    "AnswerTotal",
    "Base",
    "DossierChannel",
    "EventDelivery",
    "EventSubscription",
    "Factor",
    "FeedbackItem",
    "FeedbackStatus",
    "Invitation",
    "InvitationTotal",
    "OutboxEvent",
    "ProcessedEvent",
    "Question",
    "QuestionKind",
    "Questionnaire",
    "QuestionnaireStatus",
    "Response",
    "ResponseMode",
    "ResponseTotal",
    "TotalSpan",
]
