"""Where dossier-api's events live, and the types it publishes."""

from __future__ import annotations

from dossier_api.models import EventDelivery, EventSubscription, OutboxEvent, ProcessedEvent
from motcua_kit.events.store import EventStore

STORE = EventStore(
    source="/dossier-api",
    event=OutboxEvent,
    subscription=EventSubscription,
    delivery=EventDelivery,
    processed=ProcessedEvent,
)

RECEIVED = "dossier.received"
STATUS_CHANGED = "dossier.status_changed"
SUPPLEMENT_REQUESTED = "dossier.supplement_requested"
RESCHEDULED = "dossier.rescheduled"
RESOLVED = "dossier.resolved"
RETURNED = "dossier.returned"

# Every type a subscription may ask for (contracts/events/dossier.schema.json).
DOSSIER_EVENT_TYPES = [RECEIVED, STATUS_CHANGED, SUPPLEMENT_REQUESTED, RESCHEDULED, RESOLVED, RETURNED]
