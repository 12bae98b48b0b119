"""What the outbox owes, as scrape-time gauges: the figures behind "deliveries failing" alerts.

The dispatcher is a worker without an HTTP server; what it has not delivered yet is in the
database, so the service's own ``/metrics`` reads it there (every replica reports the same figures:
take ``max`` over replicas, never ``sum``). Per subscription, because "the national portal sync is
failing" and "a webhook subscriber is down" are different calls to make.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, func, select

from motcua_kit.db import Database, utcnow
from motcua_kit.events.models import DeliveryStatus
from motcua_kit.events.store import EventStore
from motcua_kit.metrics import AppMetrics, GaugeValues

# A delivery is "waiting" before its first try, "retrying" after a failed one, "dead" once its
# tries ran out (it then holds back the later events of its subject).
WAITING, RETRYING, DEAD = "waiting", "retrying", "dead"


async def delivery_backlog(
    database: Database, store: EventStore, now: dt.datetime | None = None
) -> dict[str, GaugeValues]:
    """Undelivered deliveries per (subscription, state), and the age of the oldest per subscription."""
    delivery, subscription, event = store.delivery, store.subscription, store.event
    state = case(
        (delivery.status == DeliveryStatus.DEAD, DEAD),
        (delivery.attempts > 0, RETRYING),
        else_=WAITING,
    )
    statement = (
        select(subscription.name, state, func.count(), func.min(event.time))
        .select_from(delivery)
        .join(subscription, subscription.id == delivery.subscription_id)
        .join(event, event.sequence == delivery.event_sequence)
        .where(delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.DEAD]))
        .group_by(subscription.name, state)
    )
    async with database.transaction(write=False) as session:
        rows = (await session.execute(statement)).all()
    moment = now or utcnow()
    counts: dict[tuple[str, ...], float] = {}
    oldest: dict[tuple[str, ...], float] = {}
    for name, row_state, count, first_time in rows:
        counts[(name, row_state)] = float(count)
        if first_time is not None:
            since = first_time if first_time.tzinfo else first_time.replace(tzinfo=dt.UTC)
            age = max(0.0, (moment - since).total_seconds())
            oldest[(name,)] = max(oldest.get((name,), 0.0), age)
    return {"backlog": counts, "oldest": oldest}


def register_delivery_metrics(metrics: AppMetrics, database: Database, store: EventStore) -> None:
    """Add ``motcua_event_deliveries`` and ``motcua_event_oldest_undelivered_seconds`` to a service's metrics."""
    service = metrics.service

    async def backlog() -> GaugeValues:
        figures = await delivery_backlog(database, store)
        return {(service, *labels): value for labels, value in figures["backlog"].items()}

    async def oldest() -> GaugeValues:
        figures = await delivery_backlog(database, store)
        return {(service, *labels): value for labels, value in figures["oldest"].items()}

    metrics.scrape_gauge(
        "motcua_event_deliveries",
        "Event deliveries not yet delivered, per subscription and state (waiting, retrying, dead).",
        backlog,
        labelnames=("service", "subscription", "state"),
    )
    metrics.scrape_gauge(
        "motcua_event_oldest_undelivered_seconds",
        "Age of the oldest event a subscription has not received yet.",
        oldest,
        labelnames=("service", "subscription"),
    )
