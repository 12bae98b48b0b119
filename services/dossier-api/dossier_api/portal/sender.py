"""The national portal sync: a dispatcher sender for subscriptions of kind ``national_portal``.

For each dossier event delivered to it, the sender reads the dossier as it is *now* (not as the
event saw it) and brings the portal in step:

1. **The dossier** (DongBoHoSoMC): created the first time (``isUpdating: false``); a create the
   portal refuses (the dossier exists there already, e.g. one filed on the portal) is retried as an
   update, and an update of a dossier the portal does not know as a create. Once created, the
   dossier is sent again only when its record changed (a fingerprint of the last accepted record).
2. **The progress** (CapNhatTienDoHoSoMC): the timeline entries not sent yet, in order, at most 100
   per call.
3. **The sync record** (``portal_sync``): last attempt, last success, last error, created or not,
   steps sent; what staff see at ``GET /api/v1/dossiers/{code}/portal-sync``.

Any failure (the portal down, slow past the timeout, refusing) is an unsuccessful delivery: the
dispatcher retries with backoff and dead-letters after its maximum attempts, holding the dossier's
later events for the portal until staff re-trigger it. A redelivered event finds nothing new to
send; a sync interrupted between the portal's answer and the record only re-sends what the portal
takes idempotently (an upsert, and steps it already holds).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from dossier_api.config import DossierSettings
from dossier_api.models import PortalSync, TimelineEntry
from dossier_api.portal.client import PortalAnswer, PortalClient
from dossier_api.portal.mapping import (
    MAX_RECORDS_PER_CALL,
    DossierState,
    MappingError,
    dossier_record,
    payload_digest,
    portal_code,
    progress_steps,
)
from dossier_api.portal.repository import PortalSyncRepository
from motcua_kit.db import Database, utcnow
from motcua_kit.events.dispatcher import Outcome
from motcua_kit.events.envelope import CloudEvent
from motcua_kit.logging import get_logger

log = get_logger("dossier_api.portal")

NOT_CONFIGURED = "the national portal sync is not configured (DOSSIER_NATIONAL_PORTAL__URL and __TOKEN)"


@dataclass(slots=True)
class SyncProgress:
    """What one sync achieved; saved whether it finished or not."""

    created: bool
    accepted_digest: str | None
    last_step_id: int
    steps_sent: int = 0
    error: str | None = None  # kept in the sync record, for staff
    summary: str | None = None  # told to the dispatcher (delivery record, logs): no quote of the payload
    status_code: int | None = None

    def fail(self, answer: PortalAnswer) -> None:
        self.error, self.status_code = answer.failure, answer.status_code
        self.summary = answer.summary or answer.failure


class NationalPortalSender:
    def __init__(
        self,
        database: Database,
        settings: DossierSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.database = database
        portal = settings.national_portal
        self.agency_name = portal.agency_name or settings.agency_name
        self.client = (
            PortalClient(portal.token.get_secret_value(), timeout=portal.timeout_seconds, transport=transport)
            if portal.token is not None
            else None
        )
        self.clock = clock

    async def aclose(self) -> None:
        if self.client is not None:
            await self.client.aclose()

    async def __call__(self, event: CloudEvent, subscription: Any) -> Outcome:
        if self.client is None or not subscription.url:
            return Outcome(False, None, NOT_CONFIGURED)
        code = event.subject or ""
        async with self.database.transaction(write=False) as session:
            repository = PortalSyncRepository(session)
            state = await repository.dossier_state(code)
            record = await repository.sync_record(state.dossier.id) if state is not None else None
        if state is None:
            return Outcome(False, None, f"no dossier {code!r}")
        started = self.clock()
        progress = SyncProgress(
            created=record.created_on_portal if record else False,
            accepted_digest=record.last_payload_hash if record else None,
            last_step_id=record.last_step_id if record else 0,
        )
        try:
            await self.sync(self.client, subscription.url, state, progress)
        except MappingError as exc:
            progress.error = progress.summary = str(exc)
        await self._save(state, progress, started)
        if progress.error is not None:
            log.warning("portal sync failed", dossier=code, status=progress.status_code)
            return Outcome(False, progress.status_code, progress.summary)
        return Outcome(True, progress.status_code or httpx.codes.OK)

    async def sync(self, client: PortalClient, base_url: str, state: DossierState, progress: SyncProgress) -> None:
        """Send what the portal does not have yet: the dossier's record, then its new steps."""
        record = dossier_record(state, agency_name=self.agency_name)
        digest = payload_digest(record)
        if not progress.created or digest != progress.accepted_digest:
            answer = await self._upsert(client, base_url, record, exists=progress.created)
            if not answer.accepted:
                progress.fail(answer)
                return
            progress.created, progress.accepted_digest = True, digest
        new_steps: list[TimelineEntry] = [e for e in state.timeline if e.id > progress.last_step_id]
        for start in range(0, len(new_steps), MAX_RECORDS_PER_CALL):
            chunk = new_steps[start : start + MAX_RECORDS_PER_CALL]
            answer = await client.sync_progress(base_url, progress_steps(state.dossier, chunk))
            if not answer.accepted:
                progress.fail(answer)
                return
            progress.last_step_id = chunk[-1].id
            progress.steps_sent += len(chunk)

    async def _upsert(
        self,
        client: PortalClient,
        base_url: str,
        record: dict[str, Any],
        *,
        exists: bool,
    ) -> PortalAnswer:
        """Create-then-update, or update-then-create: the portal's refusal of one says to try the other."""
        first = await client.sync_dossiers(base_url, [record], updating=exists)
        if first.accepted or not first.refused:
            return first
        second = await client.sync_dossiers(base_url, [record], updating=not exists)
        if second.accepted:
            return second
        # Both refused: the first refusal is the one that explains (e.g. the payload is invalid).
        return first if second.refused else second

    async def _save(self, state: DossierState, progress: SyncProgress, started: dt.datetime) -> None:
        async with self.database.transaction() as session:
            repository = PortalSyncRepository(session)
            record = await repository.sync_record(state.dossier.id)
            if record is None:
                record = await repository.add_sync_record(
                    PortalSync(dossier_id=state.dossier.id, portal_code=portal_code(state.dossier))
                )
            record.portal_code = portal_code(state.dossier)
            record.created_on_portal = progress.created
            record.last_payload_hash = progress.accepted_digest
            if progress.last_step_id > (record.last_step_id or 0):
                record.last_step_id = progress.last_step_id
            record.steps_sent = (record.steps_sent or 0) + progress.steps_sent
            record.attempts = (record.attempts or 0) + 1
            record.last_attempt_at = started
            if progress.error is None:
                record.last_success_at = started
                record.last_error = None
            else:
                record.last_error = progress.error
