"""A dossier's national portal sync status, and its re-trigger. Raises the kit's problem errors; never commits."""

from __future__ import annotations

import datetime as dt

from dossier_api.dossiers.service import DossierService
from dossier_api.models import Dossier, PortalSync
from dossier_api.portal.mapping import portal_code
from dossier_api.portal.repository import PortalSyncRepository
from dossier_api.portal.schemas import PortalSyncRead
from motcua_kit.auth import Principal
from motcua_kit.db import utcnow
from motcua_kit.errors import Conflict
from motcua_kit.events.models import DeliveryStatus, SubscriptionStatus


class PortalSyncService:
    def __init__(self, repository: PortalSyncRepository, dossiers: DossierService) -> None:
        self.repository = repository
        self.dossiers = dossiers

    async def status(self, code: str, principal: Principal) -> PortalSyncRead:
        dossier = await self.dossiers.get(code, principal)
        return await self._status(dossier)

    async def _status(self, dossier: Dossier) -> PortalSyncRead:
        subscription = await self.repository.portal_subscription()
        record = await self.repository.sync_record(dossier.id)
        counts = (
            await self.repository.delivery_counts(subscription.id, dossier.code) if subscription is not None else {}
        )
        pending, dead = counts.get(DeliveryStatus.PENDING, 0), counts.get(DeliveryStatus.DEAD, 0)
        record = record or PortalSync(portal_code=portal_code(dossier), created_on_portal=False, steps_sent=0)
        return PortalSyncRead(
            dossier_code=dossier.code,
            enabled=subscription is not None and subscription.status is SubscriptionStatus.ACTIVE,
            portal_code=record.portal_code,
            created_on_portal=bool(record.created_on_portal),
            steps_sent=record.steps_sent or 0,
            attempts=record.attempts or 0,
            last_attempt_at=record.last_attempt_at,
            last_success_at=record.last_success_at,
            last_error=record.last_error,
            pending_events=pending,
            dead_events=dead,
            in_step=bool(record.created_on_portal) and pending == 0 and dead == 0 and record.last_error is None,
        )

    async def retrigger(self, code: str, principal: Principal, *, now: dt.datetime | None = None) -> PortalSyncRead:
        """Sync the dossier again, now: dead letters are replayed, a waiting retry is brought forward, and
        otherwise the dossier's latest event is delivered to the portal once more. The whole record is
        sent again even if the portal was thought to hold it."""
        now = now or utcnow()
        dossier = await self.dossiers.get(code, principal)
        subscription = await self.repository.portal_subscription()
        if subscription is None:
            raise Conflict(
                "The national portal sync is not configured (DOSSIER_NATIONAL_PORTAL__URL).",
                code="portal_sync_disabled",
            )
        if subscription.status is not SubscriptionStatus.ACTIVE:
            raise Conflict("The national portal subscription is paused.", code="portal_sync_paused")
        replayed = await self.repository.replay_dead(subscription.id, dossier.code, now)
        hurried = await self.repository.hurry_pending(subscription.id, dossier.code, now)
        if not replayed and not hurried:
            latest = await self.repository.latest_event_sequence(dossier.code)
            if latest is None:
                raise Conflict(
                    "This dossier has no event to sync (it was imported, or predates the sync).",
                    code="nothing_to_sync",
                )
            await self.repository.add_delivery(subscription.id, dossier.code, latest, now)
        record = await self.repository.sync_record(dossier.id)
        if record is not None:
            record.last_payload_hash = None
        await self.repository.session.flush()
        return await self._status(dossier)
