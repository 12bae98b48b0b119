"""Event tables, as mixins: a service declares ``class OutboxEvent(OutboxEventMixin, Base): pass`` and
so on in its own models, so the tables live in its own database and its own migrations.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from motcua_kit.db import JSONDocument, UTCDateTime, str_enum, utcnow


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"  # retries ran out; holds back later events of its subject until replayed or discarded
    DISCARDED = "discarded"  # an admin gave up on it; later events of its subject flow again


# BigInteger on PostgreSQL, INTEGER on SQLite (only INTEGER PRIMARY KEY autoincrements there).
Sequence = BigInteger().with_variant(Integer(), "sqlite")


class OutboxEventMixin:
    """An event, written in the same transaction as the change it describes. Never updated."""

    __tablename__ = "outbox_events"

    sequence: Mapped[int] = mapped_column(Sequence, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True)
    type: Mapped[str] = mapped_column(String(120), index=True)
    source: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(120), index=True)
    agency: Mapped[str | None] = mapped_column(String(40))
    time: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    data: Mapped[dict[str, Any]] = mapped_column(JSONDocument)


class SubscriptionMixin:
    """Where to send which events. The signing secret is shown once, at creation."""

    __tablename__ = "event_subscriptions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    url: Mapped[str] = mapped_column(String(2000))
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: every type
    agency: Mapped[str | None] = mapped_column(String(40))  # None: every agency
    secret: Mapped[str] = mapped_column(String(200))
    # "webhook": a signed CloudEvent POSTed to `url`; other kinds are senders the service registers
    # (dossier-api's national portal sync, for one).
    kind: Mapped[str] = mapped_column(String(40), default="webhook")
    status: Mapped[SubscriptionStatus] = mapped_column(str_enum(SubscriptionStatus), default=SubscriptionStatus.ACTIVE)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))


class DeliveryMixin:
    """One event owed to one subscription."""

    __tablename__ = "event_deliveries"

    id: Mapped[int] = mapped_column(Sequence, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(120))  # copied from the event: the ordering key
    status: Mapped[DeliveryStatus] = mapped_column(str_enum(DeliveryStatus), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    @declared_attr
    def event_sequence(cls) -> Mapped[int]:  # noqa: N805 - SQLAlchemy's declared_attr convention
        return mapped_column(Sequence, ForeignKey("outbox_events.sequence", ondelete="CASCADE"))

    @declared_attr
    def subscription_id(cls) -> Mapped[str]:  # noqa: N805
        return mapped_column(String(32), ForeignKey("event_subscriptions.id", ondelete="CASCADE"))

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:  # noqa: N805
        return (
            # The dispatcher's claim: due pending deliveries, oldest first.
            Index("ix_event_deliveries_due", "status", "next_attempt_at"),
            # The order check: earlier unfinished deliveries of the same subject and subscription.
            Index("ix_event_deliveries_order", "subscription_id", "subject", "event_sequence"),
        )


class ProcessedEventMixin:
    """Events a consumer has applied, so a redelivery is recognised and ignored."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(120))
    processed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
