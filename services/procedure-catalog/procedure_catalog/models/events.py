"""The catalogue's outbox: its events, their subscribers and deliveries (tables from the kit's mixins)."""

from __future__ import annotations

from motcua_kit.events.models import DeliveryMixin, OutboxEventMixin, ProcessedEventMixin, SubscriptionMixin
from procedure_catalog.models.base import Base


class OutboxEvent(OutboxEventMixin, Base):
    pass


class EventSubscription(SubscriptionMixin, Base):
    pass


class EventDelivery(DeliveryMixin, Base):
    pass


class ProcessedEvent(ProcessedEventMixin, Base):
    pass
