"""All SQL of the national portal sync: a dossier's state and sync record, and its portal deliveries."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from dossier_api.models import (
    Dossier,
    EventDelivery,
    EventSubscription,
    OutboxEvent,
    PortalSync,
    SupplementRequest,
    TimelineEntry,
)
from dossier_api.portal.mapping import DossierState
from motcua_kit.events.models import DeliveryStatus

NATIONAL_PORTAL_KIND = "national_portal"


class PortalSyncRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def dossier_state(self, code: str) -> DossierState | None:
        dossier = await self.session.scalar(select(Dossier).where(Dossier.code == code))
        if dossier is None:
            return None
        timeline = (
            await self.session.scalars(
                select(TimelineEntry).where(TimelineEntry.dossier_id == dossier.id).order_by(TimelineEntry.id)
            )
        ).all()
        supplements = (
            await self.session.scalars(
                select(SupplementRequest)
                .where(SupplementRequest.dossier_id == dossier.id)
                .order_by(SupplementRequest.requested_at, SupplementRequest.id)
            )
        ).all()
        return DossierState(dossier, timeline, supplements)

    async def sync_record(self, dossier_id: int) -> PortalSync | None:
        return await self.session.get(PortalSync, dossier_id)

    async def add_sync_record(self, record: PortalSync) -> PortalSync:
        self.session.add(record)
        await self.session.flush()
        return record

    # --- the portal subscription and its deliveries ---------------------------------------------

    async def portal_subscription(self) -> EventSubscription | None:
        statement = (
            select(EventSubscription)
            .where(EventSubscription.kind == NATIONAL_PORTAL_KIND)
            .order_by(EventSubscription.created_at, EventSubscription.id)
            .limit(1)
        )
        return await self.session.scalar(statement)

    async def delivery_counts(self, subscription_id: str, code: str) -> dict[DeliveryStatus, int]:
        statement = (
            select(EventDelivery.status, func.count())
            .where(EventDelivery.subscription_id == subscription_id, EventDelivery.subject == code)
            .group_by(EventDelivery.status)
        )
        return {status: int(count) for status, count in (await self.session.execute(statement)).all()}

    async def replay_dead(self, subscription_id: str, code: str, now: dt.datetime) -> int:
        """Dead letters of this dossier go back to pending, with a fresh count of attempts."""
        result = await self.session.execute(
            update(EventDelivery)
            .where(
                EventDelivery.subscription_id == subscription_id,
                EventDelivery.subject == code,
                EventDelivery.status == DeliveryStatus.DEAD,
            )
            .values(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def hurry_pending(self, subscription_id: str, code: str, now: dt.datetime) -> int:
        """Pending deliveries of this dossier are due now, instead of after their backoff."""
        result = await self.session.execute(
            update(EventDelivery)
            .where(
                EventDelivery.subscription_id == subscription_id,
                EventDelivery.subject == code,
                EventDelivery.status == DeliveryStatus.PENDING,
            )
            .values(next_attempt_at=now)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def latest_event_sequence(self, code: str) -> int | None:
        statement = select(func.max(OutboxEvent.sequence)).where(OutboxEvent.subject == code)
        return await self.session.scalar(statement)

    async def add_delivery(self, subscription_id: str, code: str, event_sequence: int, now: dt.datetime) -> None:
        self.session.add(
            EventDelivery(
                event_sequence=event_sequence,
                subscription_id=subscription_id,
                subject=code,
                status=DeliveryStatus.PENDING,
                attempts=0,
                next_attempt_at=now,
            )
        )
        await self.session.flush()
