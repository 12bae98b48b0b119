"""Writing events: in the caller's transaction, so an event exists exactly when its change does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
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


ID_CHUNK = 1000


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event to record: its short type name (``procedure.published``), subject, data and agency."""

    name: str
    subject: str | None
    data: Mapping[str, Any]
    agency: str | None = None
    time: dt.datetime | None = None


async def record_events(session: AsyncSession, store: EventStore, events: Sequence[NewEvent]) -> list[CloudEvent]:
    """Add ``events`` (in this order) and their pending deliveries in a few statements; flush, never commit.

    A change that makes many events at once (a decision of 50 changes, an import of 6,000 records)
    writes them with one multi-row INSERT and reads the subscriptions once.
    """
    if not events:
        return []
    await session.flush()  # the change first: its constraint errors surface before any event is written
    now = utcnow()
    rows = [
        {
            "id": new_event_id(),
            "type": event_type(e.name),
            "source": store.source,
            "subject": e.subject,
            "agency": e.agency,
            "time": e.time or now,
            "data": dict(e.data),
        }
        for e in events
    ]
    # No RETURNING: SQLite would then insert row by row to keep the order of generated keys. The
    # sequences are read back by event id, and only when some subscription wants the events.
    await session.execute(insert(store.event.__table__), rows)
    recorded = [CloudEvent(**{k: v for k, v in row.items() if k != "agency"}) for row in rows]
    subscriptions = (
        await session.scalars(select(store.subscription).where(store.subscription.status == SubscriptionStatus.ACTIVE))
    ).all()
    owed = [
        (event, subscription)
        for event, wanted in zip(recorded, events, strict=True)
        for subscription in subscriptions
        if subscription_matches(subscription.event_types, subscription.agency, event, wanted.agency)
    ]
    if owed:
        sequences = await _sequences(session, store, list(dict.fromkeys(event.id for event, _ in owed)))
        deliveries = [
            {
                "event_sequence": sequences[event.id],
                "subscription_id": subscription.id,
                "subject": event.subject or event.id,
                "next_attempt_at": now,
            }
            for event, subscription in owed
        ]
        await session.execute(insert(store.delivery.__table__), deliveries)
    return recorded


async def _sequences(session: AsyncSession, store: EventStore, ids: list[str]) -> dict[str, int]:
    """The outbox sequence of each event id (read in chunks: databases bound the parameters of a query)."""
    found: dict[str, int] = {}
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start : start + ID_CHUNK]
        rows = await session.execute(select(store.event.id, store.event.sequence).where(store.event.id.in_(chunk)))
        found.update(dict(rows.all()))
    return found


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
    (event,) = await record_events(session, store, [NewEvent(name, subject, data, agency, time)])
    return event
