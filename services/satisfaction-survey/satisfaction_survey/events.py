"""The survey's events (contracts/events/survey.schema.json, feedback.schema.json).

- ``survey.answered``: a dossier was evaluated, online or on paper; subject = the dossier code.
- ``feedback.opened``: that evaluation opened a feedback item for the agency; subject = the dossier code.

Both are recorded in the outbox in the transaction that records the response, so they exist exactly
when it does. Neither carries the comment (it may hold personal data): staff read it through the API.
"""

from __future__ import annotations

from motcua_kit.events.outbox import NewEvent
from motcua_kit.events.store import EventStore
from satisfaction_survey.common import SATISFIED_LEVELS
from satisfaction_survey.models import (
    EventDelivery,
    EventSubscription,
    FeedbackItem,
    OutboxEvent,
    ProcessedEvent,
    Response,
)

STORE = EventStore(
    source="/satisfaction-survey",
    event=OutboxEvent,
    subscription=EventSubscription,
    delivery=EventDelivery,
    processed=ProcessedEvent,
)

ANSWERED, FEEDBACK_OPENED = "survey.answered", "feedback.opened"
EVENT_TYPES = (ANSWERED, FEEDBACK_OPENED)
DOSSIER_RETURNED = "dossier.returned"  # consumed (from dossier-api): see invitations/consumer.py


def answered_event(response: Response, overall_score: int) -> NewEvent:
    """A dossier evaluated: its scope, the version answered, and the overall judgement."""
    return NewEvent(
        ANSWERED,
        subject=response.dossier_code,
        agency=response.agency_code,
        time=response.submitted_at,
        data={
            "dossier_code": response.dossier_code,
            "agency_code": response.agency_code,
            "procedure_code": response.procedure_code,
            "channel": response.channel.value,
            "questionnaire_version": response.questionnaire.version,
            "mode": response.mode.value,
            "overall_score": overall_score,
            "satisfied": overall_score in SATISFIED_LEVELS,
            "answered_at": response.submitted_at.isoformat(),
        },
    )


def feedback_opened_event(item: FeedbackItem) -> NewEvent:
    """A feedback item opened for the agency, with why: low scores, a complaint, or both."""
    reasons = [reason for reason, present in (("low_score", item.low_scores), ("complaint", item.complaint)) if present]
    return NewEvent(
        FEEDBACK_OPENED,
        subject=item.dossier_code,
        agency=item.agency_code,
        time=item.created_at,
        data={
            "feedback_id": item.id,
            "dossier_code": item.dossier_code,
            "agency_code": item.agency_code,
            "procedure_code": item.procedure_code,
            "reasons": reasons,
            "opened_at": item.created_at.isoformat(),
        },
    )
