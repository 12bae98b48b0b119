"""Receiving events from another motcua service: verified, and applied once per event id.

The producer's dispatcher POSTs signed CloudEvents to ``/internal/events`` (never routed by the
gateway). The signature is checked with the service's ``events.inbox_secret``; an event already
applied answers 200 without running its handler again, so redeliveries are harmless.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from standardwebhooks import Webhook, WebhookVerificationError

from motcua_kit.db import DBSession, dialect_insert
from motcua_kit.errors import BadRequest, ServiceUnavailable, Unauthorized
from motcua_kit.events.envelope import CloudEvent, event_type
from motcua_kit.events.store import EventStore
from motcua_kit.logging import get_logger

log = get_logger("motcua.events.consumer")

Handler = Callable[[AsyncSession, CloudEvent], Awaitable[None]]


async def claim_event(session: AsyncSession, store: EventStore, event: CloudEvent) -> bool:
    """Record that ``event`` is being applied; False if it already was (in this or a past transaction)."""
    insert = dialect_insert(session)
    statement = (
        insert(store.processed)
        .values(event_id=event.id, type=event.type)
        .on_conflict_do_nothing(index_elements=[store.processed.event_id])
        .returning(store.processed.event_id)
    )
    return await session.scalar(statement) is not None


def inbox_router(store: EventStore, handlers: Mapping[str, Handler]) -> APIRouter:
    """``POST /internal/events``: verify, deduplicate, dispatch to the handler of the event's type."""
    router = APIRouter(include_in_schema=False)
    by_type = {event_type(name): handler for name, handler in handlers.items()}

    @router.post("/internal/events")
    async def receive_event(request: Request, session: DBSession) -> dict[str, str]:
        secret = request.app.state.settings.events.inbox_secret
        if secret is None:
            raise ServiceUnavailable("This service accepts no events (no inbox secret).", code="inbox_disabled")
        body = await request.body()
        try:
            Webhook(secret.get_secret_value()).verify(body, dict(request.headers), json_parse=False)
        except WebhookVerificationError as exc:
            raise Unauthorized("The event's signature is not valid.", code="invalid_signature") from exc
        try:
            event = CloudEvent.model_validate_json(body)
        except ValidationError as exc:
            raise BadRequest("The body is not a CloudEvent.", code="invalid_event") from exc
        if not await claim_event(session, store, event):
            return {"status": "duplicate"}
        handler = by_type.get(event.type)
        if handler is None:
            log.info("event ignored", type=event.type)
            return {"status": "ignored"}
        await handler(session, event)
        return {"status": "applied"}

    return router
