"""Delivering events to subscribers: at least once, in order per subject, with backoff and dead letters.

One round:

1. **Claim** a batch of due pending deliveries whose subject has no earlier unfinished delivery for
   the same subscription (pending or dead), and lease them to this dispatcher for ``lease_seconds``.
   On PostgreSQL the claim query locks with ``FOR UPDATE SKIP LOCKED``, so replicas claiming at the
   same moment take different rows; the lease (committed at once) keeps them apart afterwards
   without holding a transaction open during HTTP calls, which on SQLite would block every writer.
2. **Send** each claimed delivery (concurrently: they are of different subjects by construction).
3. **Record** the outcome: delivered, or a new attempt after an exponential, jittered delay, or a
   dead letter once ``max_attempts`` is reached. A dead letter holds back the later events of its
   subject for that subscription until an admin replays or discards it: order is never broken.

A dispatcher killed mid-round loses nothing: its leases expire and another round sends those
deliveries again (subscribers deduplicate by ``webhook-id``, the event id).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import random
import secrets
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import aliased
from standardwebhooks import Webhook

from motcua_kit.db import Database, utcnow
from motcua_kit.events.envelope import CLOUDEVENTS_MEDIA_TYPE, CloudEvent
from motcua_kit.events.models import DeliveryStatus
from motcua_kit.events.outbox import to_cloudevent
from motcua_kit.events.settings import EventSettings
from motcua_kit.events.store import EventStore
from motcua_kit.logging import get_logger

log = get_logger("motcua.events.dispatcher")


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    status_code: int | None = None
    error: str | None = None


Sender = Callable[[CloudEvent, Any], Awaitable[Outcome]]
"""Sends one event to one subscription (its row); returns the outcome, never raises for I/O."""


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def backoff_delay(attempts: int, settings: EventSettings) -> float:
    """Seconds before try ``attempts + 1``: base x 2^(attempts-1), capped, with +-25 % jitter."""
    delay = min(settings.backoff_base_seconds * 2.0 ** max(0, attempts - 1), settings.backoff_max_seconds)
    return delay * random.uniform(0.75, 1.25)  # noqa: S311 - jitter, not security


class WebhookSender:
    """POST the structured CloudEvent, signed per Standard Webhooks with the subscription's secret."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def __call__(self, event: CloudEvent, subscription: Any) -> Outcome:
        body = event.to_json().decode()
        timestamp = utcnow()
        signature = Webhook(subscription.secret).sign(event.id, timestamp, body)
        headers = {
            "content-type": CLOUDEVENTS_MEDIA_TYPE,
            "webhook-id": event.id,
            "webhook-timestamp": str(int(timestamp.timestamp())),
            "webhook-signature": signature,
        }
        try:
            response = await self.client.post(subscription.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return Outcome(False, None, f"{type(exc).__name__}: {exc}"[:500])
        if 200 <= response.status_code < 300:
            return Outcome(True, response.status_code)
        return Outcome(False, response.status_code, f"HTTP {response.status_code}")


class Dispatcher:
    def __init__(
        self,
        database: Database,
        store: EventStore,
        settings: EventSettings,
        *,
        client: httpx.AsyncClient | None = None,
        senders: Mapping[str, Sender] | None = None,
        owner: str | None = None,
    ) -> None:
        self.database = database
        self.store = store
        self.settings = settings
        self.owner = owner or uuid.uuid4().hex
        self._client = client or httpx.AsyncClient(timeout=settings.request_timeout_seconds)
        self._owns_client = client is None
        self.senders: dict[str, Sender] = {"webhook": WebhookSender(self._client), **(senders or {})}

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def claim(self) -> list[int]:
        """Lease a batch of deliverable deliveries to this dispatcher; returns their ids."""
        delivery = self.store.delivery
        earlier = aliased(delivery)
        now = utcnow()
        blocked = exists().where(
            and_(
                earlier.subscription_id == delivery.subscription_id,
                earlier.subject == delivery.subject,
                earlier.event_sequence < delivery.event_sequence,
                earlier.status.in_([DeliveryStatus.PENDING, DeliveryStatus.DEAD]),
            )
        )
        query = (
            select(delivery.id)
            .where(
                delivery.status == DeliveryStatus.PENDING,
                delivery.next_attempt_at <= now,
                or_(delivery.lease_until.is_(None), delivery.lease_until < now),
                ~blocked,
            )
            .order_by(delivery.event_sequence)
            .limit(self.settings.batch_size)
        )
        async with self.database.transaction() as session:
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True, of=delivery)
            ids = list((await session.scalars(query)).all())
            if ids:
                await session.execute(
                    update(delivery)
                    .where(delivery.id.in_(ids))
                    .values(lease_until=now + dt.timedelta(seconds=self.settings.lease_seconds), lease_owner=self.owner)
                )
        return ids

    async def run_once(self) -> int:
        """One round; returns how many deliveries it handled (0 when there was nothing to do)."""
        ids = await self.claim()
        if not ids:
            return 0
        delivery, event, subscription = self.store.delivery, self.store.event, self.store.subscription
        async with self.database.transaction(write=False) as session:
            rows = (
                await session.execute(
                    select(delivery, event, subscription)
                    .join(event, event.sequence == delivery.event_sequence)
                    .join(subscription, subscription.id == delivery.subscription_id)
                    .where(delivery.id.in_(ids))
                )
            ).all()
        limit = asyncio.Semaphore(self.settings.concurrency)

        async def send(row: Any) -> tuple[Any, Outcome]:
            sender = self.senders.get(row[2].kind)
            if sender is None:
                return row[0], Outcome(False, None, f"no sender for subscription kind {row[2].kind!r}")
            async with limit:
                try:
                    return row[0], await sender(to_cloudevent(row[1]), row[2])
                except Exception as exc:  # a sender bug must not stop the other deliveries
                    log.exception("sender failed", subscription=row[2].id)
                    return row[0], Outcome(False, None, f"{type(exc).__name__}")

        outcomes = await asyncio.gather(*(send(row) for row in rows))
        await self._record(outcomes)
        return len(outcomes)

    async def _record(self, outcomes: list[tuple[Any, Outcome]]) -> None:
        delivery = self.store.delivery
        now = utcnow()
        async with self.database.transaction() as session:
            for row, outcome in outcomes:
                attempts = row.attempts + 1
                values: dict[str, Any] = {
                    "attempts": attempts,
                    "lease_until": None,
                    "lease_owner": None,
                    "last_status_code": outcome.status_code,
                    "last_error": outcome.error,
                }
                if outcome.delivered:
                    values |= {"status": DeliveryStatus.DELIVERED, "delivered_at": now}
                elif attempts >= self.settings.max_attempts:
                    values |= {"status": DeliveryStatus.DEAD}
                    log.warning("delivery dead-lettered", delivery=row.id, attempts=attempts, error=outcome.error)
                else:
                    delay = backoff_delay(attempts, self.settings)
                    values |= {"next_attempt_at": now + dt.timedelta(seconds=delay)}
                # Only if the lease is still ours: an expired lease may have passed to another dispatcher.
                await session.execute(
                    update(delivery).where(delivery.id == row.id, delivery.lease_owner == self.owner).values(**values)
                )

    async def run(self, stop: asyncio.Event) -> None:
        """Rounds until ``stop`` is set; sleeps only when a round found nothing to do."""
        log.info("dispatcher started", owner=self.owner)
        while not stop.is_set():
            try:
                handled = await self.run_once()
            except Exception:
                log.exception("dispatcher round failed")
                handled = 0
            if handled == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.settings.idle_poll_seconds)
        log.info("dispatcher stopped", owner=self.owner)
