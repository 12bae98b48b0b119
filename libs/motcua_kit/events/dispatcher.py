"""Delivering events to subscribers: at least once, in order per subject, with backoff and dead letters.

One round:

1. **Claim** a batch of due pending deliveries whose subject has no earlier unfinished delivery for
   the same subscription (pending or dead), and lease them to this dispatcher for ``lease_seconds``.
   On PostgreSQL the claim query locks with ``FOR UPDATE SKIP LOCKED``, so replicas claiming at the
   same moment take different rows; the lease (committed at once) keeps them apart afterwards
   without holding a transaction open during HTTP calls, which on SQLite would block every writer.
   With each head come the next pending deliveries of its subject (``chain_length``).
2. **Send** the subjects concurrently, and each subject's deliveries one after another; after a
   failure the rest of that subject's chain waits for a later round.
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

import aiohttp
import httpx
from sqlalchemy import and_, exists, func, or_, select, tuple_, update
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


Post = Callable[[str, bytes, Mapping[str, str]], Awaitable[int]]
"""POST a body to a URL and return the status code; raise ``OSError`` or ``TimeoutError`` when it fails."""


class AiohttpPost:
    """The production transport. aiohttp keeps its speed under many concurrent deliveries, where
    httpx's connection pool did not (measured: ~7,000/s against ~240/s at 50 concurrent posts)."""

    def __init__(self, timeout_seconds: float) -> None:
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None

    async def __call__(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        if self._session is None:  # created in the running loop, on first use
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        try:
            async with self._session.post(url, data=body, headers=dict(headers), allow_redirects=False) as response:
                await response.read()
                return response.status
        except aiohttp.ClientError as exc:
            raise OSError(str(exc)) from exc

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


def httpx_post(client: httpx.AsyncClient) -> Post:
    """An httpx client as the transport: for tests, whose fake subscribers are httpx mock transports."""

    async def post(url: str, body: bytes, headers: Mapping[str, str]) -> int:
        try:
            return (await client.post(url, content=body, headers=dict(headers))).status_code
        except httpx.TimeoutException as exc:
            raise TimeoutError(str(exc)) from exc
        except httpx.HTTPError as exc:
            raise OSError(str(exc)) from exc

    return post


class WebhookSender:
    """POST the structured CloudEvent, signed per Standard Webhooks with the subscription's secret."""

    def __init__(self, post: Post) -> None:
        self.post = post

    async def __call__(self, event: CloudEvent, subscription: Any) -> Outcome:
        body = event.to_json()
        timestamp = utcnow()
        signature = Webhook(subscription.secret).sign(event.id, timestamp, body.decode())
        headers = {
            "content-type": CLOUDEVENTS_MEDIA_TYPE,
            "webhook-id": event.id,
            "webhook-timestamp": str(int(timestamp.timestamp())),
            "webhook-signature": signature,
        }
        try:
            status = await self.post(subscription.url, body, headers)
        except (OSError, TimeoutError) as exc:
            return Outcome(False, None, f"{type(exc).__name__}: {exc}"[:500])
        if 200 <= status < 300:
            return Outcome(True, status)
        return Outcome(False, status, f"HTTP {status}")


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
        self._transport: AiohttpPost | None = None
        post: Post
        if client is None:
            self._transport = post = AiohttpPost(settings.request_timeout_seconds)
        else:
            post = httpx_post(client)
        self.senders: dict[str, Sender] = {"webhook": WebhookSender(post), **(senders or {})}

    async def aclose(self) -> None:
        if self._transport is not None:
            await self._transport.aclose()

    async def claim(self) -> list[int]:
        """Lease a batch of deliverable deliveries to this dispatcher; returns their ids, in event order.

        First the *heads*: due pending deliveries with no earlier unfinished delivery (pending or dead)
        of the same subject and subscription. Then, for each head, the next pending deliveries of its
        subject (up to ``chain_length``): no other dispatcher can take those while the head it
        follows is pending, so one dispatcher sends a subject's events one after another, in order.
        """
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
        heads_query = (
            select(delivery.id, delivery.subscription_id, delivery.subject)
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
                heads_query = heads_query.with_for_update(skip_locked=True, of=delivery)
            heads = (await session.execute(heads_query)).all()
            if not heads:
                return []
            ids = [head.id for head in heads]
            if self.settings.chain_length > 1:
                position = (
                    func.row_number()
                    .over(partition_by=(delivery.subscription_id, delivery.subject), order_by=delivery.event_sequence)
                    .label("position")
                )
                followers = (
                    select(delivery.id, position)
                    .where(
                        delivery.status == DeliveryStatus.PENDING,
                        tuple_(delivery.subscription_id, delivery.subject).in_(
                            [(head.subscription_id, head.subject) for head in heads]
                        ),
                        delivery.id.not_in(ids),
                    )
                    .subquery()
                )
                ids += list(
                    (
                        await session.scalars(
                            select(followers.c.id).where(followers.c.position < self.settings.chain_length)
                        )
                    ).all()
                )
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
                    .order_by(delivery.event_sequence)
                )
            ).all()
        chains: dict[tuple[str, str], list[Any]] = {}
        for row in rows:
            chains.setdefault((row[0].subscription_id, row[0].subject), []).append(row)
        limit = asyncio.Semaphore(self.settings.concurrency)

        async def send(row: Any) -> Outcome:
            sender = self.senders.get(row[2].kind)
            if sender is None:
                return Outcome(False, None, f"no sender for subscription kind {row[2].kind!r}")
            try:
                return await sender(to_cloudevent(row[1]), row[2])
            except Exception as exc:  # a sender bug must not stop the other deliveries
                log.exception("sender failed", subscription=row[2].id)
                return Outcome(False, None, f"{type(exc).__name__}")

        async def send_chain(chain: list[Any]) -> list[tuple[Any, Outcome | None]]:
            """A subject's events in order; after a failure the rest wait for the next round (None)."""
            results: list[tuple[Any, Outcome | None]] = []
            failed = False
            async with limit:
                for row in chain:
                    if failed:
                        results.append((row[0], None))
                        continue
                    outcome = await send(row)
                    results.append((row[0], outcome))
                    failed = not outcome.delivered
            return results

        chained = await asyncio.gather(*(send_chain(chain) for chain in chains.values()))
        outcomes = [result for chain in chained for result in chain]
        await self._record(outcomes)
        return sum(1 for _, outcome in outcomes if outcome is not None)

    async def _record(self, outcomes: list[tuple[Any, Outcome | None]]) -> None:
        """Delivered rows in one statement; each failure on its own (its attempts and delay differ)."""
        delivery = self.store.delivery
        now = utcnow()
        mine = delivery.lease_owner == self.owner  # an expired lease may have passed to another dispatcher
        release = {"lease_until": None, "lease_owner": None}
        delivered = [row.id for row, outcome in outcomes if outcome is not None and outcome.delivered]
        untried = [row.id for row, outcome in outcomes if outcome is None]
        async with self.database.transaction() as session:
            if delivered:
                await session.execute(
                    update(delivery)
                    .where(delivery.id.in_(delivered), mine)
                    .values(
                        status=DeliveryStatus.DELIVERED,
                        delivered_at=now,
                        attempts=delivery.attempts + 1,
                        last_error=None,
                        **release,
                    )
                )
            if untried:
                await session.execute(update(delivery).where(delivery.id.in_(untried), mine).values(**release))
            for row, outcome in outcomes:
                if outcome is None or outcome.delivered:
                    continue
                attempts = row.attempts + 1
                values: dict[str, Any] = {
                    "attempts": attempts,
                    "last_status_code": outcome.status_code,
                    "last_error": outcome.error,
                    **release,
                }
                if attempts >= self.settings.max_attempts:
                    values["status"] = DeliveryStatus.DEAD
                    log.warning("delivery dead-lettered", delivery=row.id, attempts=attempts, error=outcome.error)
                else:
                    values["next_attempt_at"] = now + dt.timedelta(seconds=backoff_delay(attempts, self.settings))
                await session.execute(update(delivery).where(delivery.id == row.id, mine).values(**values))

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
