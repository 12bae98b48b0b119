"""The survey's outbox and inbox: its events, their subscribers and deliveries, and the events it applied
(tables from the kit's mixins)."""

from __future__ import annotations

from motcua_kit.events.models import DeliveryMixin, OutboxEventMixin, ProcessedEventMixin, SubscriptionMixin
from satisfaction_survey.models.base import Base


class OutboxEvent(OutboxEventMixin, Base):
    pass


class EventSubscription(SubscriptionMixin, Base):
    pass


class EventDelivery(DeliveryMixin, Base):
    pass


class ProcessedEvent(ProcessedEventMixin, Base):
    pass
