"""Writing events: in the caller's transaction, so an event exists exactly when its change does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua_kit.db import utcnow
from motcua_kit.events.envelope import CloudEvent, event_type, new_event_id
from motcua_kit.events.models import SubscriptionStatus
from motcua_kit.events.store import EventStore


def subscription_matches(
    event_types: list[str], agency: str | None, event: CloudEvent, event_agency: str | None
) -> bool:
    """A subscription takes an event if it lists its type (or lists none) and its agency (or none)."""
    if event_types and event.type not in {event_type(t) for t in event_types}:
        return False
    return agency is None or agency == event_agency


def to_cloudevent(row: Any) -> CloudEvent:
    return CloudEvent(id=row.id, source=row.source, type=row.type, subject=row.subject, time=row.time, data=row.data)


async def record_event(
    session: AsyncSession,
    store: EventStore,
    name: str,
    *,
    subject: str | None,
    data: Mapping[str, Any],
    agency: str | None = None,
    time: dt.datetime | None = None,
) -> CloudEvent:
    """Add an event and one pending delivery per matching active subscription; flush, never commit."""
    row = store.event(
        id=new_event_id(),
        type=event_type(name),
        source=store.source,
        subject=subject,
        agency=agency,
        time=time or utcnow(),
        data=dict(data),
    )
    session.add(row)
    await session.flush()
    event = to_cloudevent(row)
    subscriptions = await session.scalars(
        select(store.subscription).where(store.subscription.status == SubscriptionStatus.ACTIVE)
    )
    for subscription in subscriptions:
        if subscription_matches(subscription.event_types, subscription.agency, event, agency):
            session.add(
                store.delivery(
                    event_sequence=row.sequence,
                    subscription_id=subscription.id,
                    subject=subject or row.id,
                    next_attempt_at=utcnow(),
                )
            )
    await session.flush()
    return event
