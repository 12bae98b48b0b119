"""The admin API of a service's subscriptions and dead letters (mounted at /api/v1/subscriptions)."""

# No `from __future__ import annotations`: FastAPI must resolve the factory's local annotations.

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua_kit.auth import Principal, require_roles
from motcua_kit.db import DBSession, utcnow
from motcua_kit.errors import Conflict, FieldError, NotFound, UnprocessableContent, problem_responses
from motcua_kit.events.dispatcher import new_secret
from motcua_kit.events.envelope import event_type
from motcua_kit.events.models import DeliveryStatus, SubscriptionStatus
from motcua_kit.events.settings import DeclaredSubscription
from motcua_kit.events.store import EventStore
from motcua_kit.pagination import Page, Pagination, paginate

# Delivery ids are 64-bit; a larger number is a client's mistake (422), not a database overflow (500).
DeliveryId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The delivery's id.")]


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120, description="Unique, e.g. the subscriber system's name.")
    url: AnyHttpUrl = Field(description="Where signed events are POSTed.")
    event_types: list[str] = Field(default=[], max_length=50, description="Types to receive; empty for all.")
    agency: str | None = Field(default=None, max_length=40, description="Only events of this agency.")


class SubscriptionRead(BaseModel):
    id: str
    name: str
    url: str
    event_types: list[str]
    agency: str | None
    kind: str
    status: SubscriptionStatus
    created_at: dt.datetime


class SubscriptionCreated(SubscriptionRead):
    secret: str = Field(description="The signing secret (Standard Webhooks). Shown only this once.")


class SubscriptionPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: SubscriptionStatus


class DeliveryRead(BaseModel):
    id: int
    event_id: str
    event_type: str
    subject: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: dt.datetime
    last_status_code: int | None
    last_error: str | None
    delivered_at: dt.datetime | None


def _read(row: Any) -> SubscriptionRead:
    return SubscriptionRead(
        id=row.id,
        name=row.name,
        url=row.url,
        event_types=row.event_types,
        agency=row.agency,
        kind=row.kind,
        status=row.status,
        created_at=row.created_at,
    )


def subscriptions_router(  # noqa: PLR0915 - one block per endpoint
    store: EventStore, known_types: Sequence[str], *, prefix: str = "/subscriptions"
) -> APIRouter:
    """Create, list, pause, resume and delete subscriptions; list, replay and discard deliveries. Admin only.

    Each service mounts it under its own ``prefix`` (``/subscriptions/dossiers``, ...), so the gateway
    routes ``/api/v1/subscriptions/<area>`` to the service that owns those events.
    """
    router = APIRouter(prefix=prefix, tags=["subscriptions"])
    known = {event_type(t) for t in known_types}
    admin = Annotated[Principal, require_roles()]
    S, D, E = store.subscription, store.delivery, store.event  # noqa: N806 - table classes

    def check_types(types: list[str]) -> list[str]:
        unknown = [t for t in types if event_type(t) not in known]
        if unknown:
            raise UnprocessableContent(
                f"Unknown event types: {', '.join(unknown)}.",
                code="unknown_event_type",
                errors=[FieldError(field="event_types", message=f"known types: {', '.join(sorted(known))}")],
            )
        return sorted({event_type(t) for t in types})

    async def get_subscription(session: AsyncSession, subscription_id: str) -> Any:
        row = await session.get(S, subscription_id)
        if row is None:
            raise NotFound(f"No subscription {subscription_id!r}.", code="subscription_not_found")
        return row

    @router.post("", status_code=status.HTTP_201_CREATED, responses=problem_responses(409))
    async def create_subscription(
        body: SubscriptionCreate, session: DBSession, principal: admin, response: Response
    ) -> SubscriptionCreated:
        """Subscribe a URL to this service's events. The signing secret is in this answer only."""
        if await session.scalar(select(S.id).where(S.name == body.name)):
            raise Conflict(f"A subscription named {body.name!r} exists.", code="duplicate_subscription")
        secret = new_secret()
        row = S(
            id=uuid.uuid4().hex,
            name=body.name,
            url=str(body.url),
            event_types=check_types(body.event_types),
            agency=body.agency,
            secret=secret,
            kind="webhook",
            status=SubscriptionStatus.ACTIVE,
            created_by=principal.subject,
            created_at=utcnow(),
        )
        session.add(row)
        await session.flush()
        response.headers["Location"] = f"/api/v1{prefix}/{row.id}"
        return SubscriptionCreated(**_read(row).model_dump(), secret=secret)

    @router.get("")
    async def list_subscriptions(session: DBSession, _principal: admin, page: Pagination) -> Page[SubscriptionRead]:
        """Every subscription, without secrets."""
        rows, total = await paginate(session, select(S).order_by(S.created_at, S.id), page)
        return Page[SubscriptionRead](items=[_read(r) for r in rows], total=total, page=page.page, size=page.size)

    @router.get("/{subscription_id}", responses=problem_responses(404))
    async def get_one(
        subscription_id: Annotated[str, Path(max_length=32)], session: DBSession, _principal: admin
    ) -> SubscriptionRead:
        """One subscription, without its secret."""
        return _read(await get_subscription(session, subscription_id))

    @router.patch("/{subscription_id}", responses=problem_responses(404))
    async def pause_or_resume(
        subscription_id: Annotated[str, Path(max_length=32)],
        body: SubscriptionPatch,
        session: DBSession,
        _principal: admin,
    ) -> SubscriptionRead:
        """Pause (events are still recorded for it, not sent) or resume a subscription."""
        row = await get_subscription(session, subscription_id)
        row.status = body.status
        await session.flush()
        return _read(row)

    @router.delete("/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(404))
    async def delete_subscription(
        subscription_id: Annotated[str, Path(max_length=32)], session: DBSession, _principal: admin
    ) -> None:
        """Remove a subscription and what it was still owed."""
        await session.delete(await get_subscription(session, subscription_id))

    @router.get("/{subscription_id}/deliveries", responses=problem_responses(404))
    async def list_deliveries(
        subscription_id: Annotated[str, Path(max_length=32)],
        session: DBSession,
        _principal: admin,
        page: Pagination,
        status_: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
    ) -> Page[DeliveryRead]:
        """Deliveries owed to a subscription; `?status=dead` lists its dead letters."""
        await get_subscription(session, subscription_id)
        query = (
            select(D, E.id, E.type)
            .join(E, E.sequence == D.event_sequence)
            .where(D.subscription_id == subscription_id)
            .order_by(D.event_sequence)
        )
        if status_ is not None:
            query = query.where(D.status == status_)
        total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        rows = (await session.execute(query.limit(page.size).offset(page.offset))).all()
        items = [
            DeliveryRead(
                id=d.id,
                event_id=event_id,
                event_type=type_,
                subject=d.subject,
                status=d.status,
                attempts=d.attempts,
                next_attempt_at=d.next_attempt_at,
                last_status_code=d.last_status_code,
                last_error=d.last_error,
                delivered_at=d.delivered_at,
            )
            for d, event_id, type_ in rows
        ]
        return Page[DeliveryRead](items=items, total=int(total or 0), page=page.page, size=page.size)

    async def dead_letter(session: AsyncSession, subscription_id: str, delivery_id: int) -> Any:
        row = await session.get(D, delivery_id)
        if row is None or row.subscription_id != subscription_id:
            raise NotFound(f"No delivery {delivery_id} for this subscription.", code="delivery_not_found")
        if row.status is not DeliveryStatus.DEAD:
            raise Conflict("Only a dead letter can be replayed or discarded.", code="not_dead_letter")
        return row

    @router.post("/{subscription_id}/deliveries/{delivery_id}/replay", responses=problem_responses(404, 409))
    async def replay(
        subscription_id: Annotated[str, Path(max_length=32)],
        delivery_id: DeliveryId,
        session: DBSession,
        _principal: admin,
    ) -> dict[str, str]:
        """Send a dead letter again, with a fresh count of attempts."""
        row = await dead_letter(session, subscription_id, delivery_id)
        row.status, row.attempts, row.next_attempt_at = DeliveryStatus.PENDING, 0, utcnow()
        return {"status": "pending"}

    @router.post("/{subscription_id}/deliveries/{delivery_id}/discard", responses=problem_responses(404, 409))
    async def discard(
        subscription_id: Annotated[str, Path(max_length=32)],
        delivery_id: DeliveryId,
        session: DBSession,
        _principal: admin,
    ) -> dict[str, str]:
        """Give up on a dead letter, so the later events of its subject flow again."""
        row = await dead_letter(session, subscription_id, delivery_id)
        row.status = DeliveryStatus.DISCARDED
        return {"status": "discarded"}

    return router


async def sync_declared_subscriptions(
    session: AsyncSession, store: EventStore, declared: Sequence[DeclaredSubscription]
) -> None:
    """Create or update the subscriptions named in configuration (matched by name)."""
    for wanted in declared:
        row = await session.scalar(select(store.subscription).where(store.subscription.name == wanted.name))
        values = {
            "url": wanted.url,
            "event_types": sorted({event_type(t) for t in wanted.event_types}),
            "agency": wanted.agency,
            "secret": wanted.secret.get_secret_value(),
            "kind": wanted.kind,
        }
        if row is None:
            session.add(
                store.subscription(
                    id=uuid.uuid4().hex,
                    name=wanted.name,
                    status=SubscriptionStatus.ACTIVE,
                    created_by="configuration",
                    created_at=utcnow(),
                    **values,
                )
            )
        else:
            for key, value in values.items():
                setattr(row, key, value)
    await session.flush()
