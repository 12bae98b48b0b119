"""A kit-only service with an outbox, to test the events machinery on both databases."""

from __future__ import annotations

from typing import Annotated, ClassVar

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel
from pydantic_settings import SettingsConfigDict
from sqlalchemy import Integer, String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from motcua_kit.app import create_service_app
from motcua_kit.auth import Principal, Role, require_roles
from motcua_kit.db import Database, DBSession, new_metadata
from motcua_kit.events.consumer import inbox_router
from motcua_kit.events.envelope import CloudEvent
from motcua_kit.events.models import DeliveryMixin, OutboxEventMixin, ProcessedEventMixin, SubscriptionMixin
from motcua_kit.events.outbox import record_event
from motcua_kit.events.settings import EventSettings
from motcua_kit.events.store import EventStore
from motcua_kit.events.subscriptions import subscriptions_router
from motcua_kit.settings import ServiceSettings


class Base(DeclarativeBase):
    metadata = new_metadata()


class OutboxEvent(OutboxEventMixin, Base):
    pass


class Subscription(SubscriptionMixin, Base):
    pass


class Delivery(DeliveryMixin, Base):
    pass


class ProcessedEvent(ProcessedEventMixin, Base):
    pass


class Parcel(Base):
    __tablename__ = "parcels"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)


class Applied(Base):
    """What the inbox handler did, to count applications."""

    __tablename__ = "applied"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64))


STORE = EventStore(
    source="/kit-test", event=OutboxEvent, subscription=Subscription, delivery=Delivery, processed=ProcessedEvent
)
EVENT_TYPES = ["parcel.received", "parcel.returned"]


class EventsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KITEVENTS_")
    service_name: ClassVar[str] = "kit-events"
    events: EventSettings = EventSettings()


class ParcelIn(BaseModel):
    code: str


router = APIRouter(prefix="/parcels")


@router.post("", status_code=201)
async def receive_parcel(
    body: ParcelIn, session: DBSession, _p: Annotated[Principal, require_roles(Role.RECEPTION_OFFICER)]
) -> dict[str, str]:
    session.add(Parcel(code=body.code))
    event = await record_event(
        session, STORE, "parcel.received", subject=body.code, data={"code": body.code}, agency="SNGV"
    )
    return {"code": body.code, "event_id": event.id}


@router.post("/fail-after-event", status_code=201)
async def fail_after_event(body: ParcelIn, session: DBSession) -> dict[str, str]:
    await record_event(session, STORE, "parcel.received", subject=body.code, data={"code": body.code})
    raise RuntimeError("the change fails after its event was written")


async def on_returned(session: AsyncSession, event: CloudEvent) -> None:
    session.add(Applied(event_id=event.id))


def create_events_app(settings: EventsSettings, database: Database) -> FastAPI:
    return create_service_app(
        settings=settings,
        title="kit events",
        version="0",
        description="kit events",
        routers=[router, subscriptions_router(STORE, EVENT_TYPES)],
        internal_routers=[inbox_router(STORE, {"parcel.returned": on_returned})],
        database=database,
    )
