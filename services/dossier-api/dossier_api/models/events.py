"""dossier-api's event tables: the outbox, subscriptions, deliveries and the inbox's processed events.

The columns and indexes are the kit's (``motcua_kit.events.models``); the tables live in this
service's database and migrations, so an event is committed in the same transaction as its change.
"""

from __future__ import annotations

from dossier_api.models.base import Base
from motcua_kit.events.models import DeliveryMixin, OutboxEventMixin, ProcessedEventMixin, SubscriptionMixin


class OutboxEvent(OutboxEventMixin, Base):
    pass


class EventSubscription(SubscriptionMixin, Base):
    pass


class EventDelivery(DeliveryMixin, Base):
    pass


class ProcessedEvent(ProcessedEventMixin, Base):
    """Events from other services (the catalogue's) already applied here."""
