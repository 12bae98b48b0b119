"""The outbox, the dispatcher, subscriptions and the inbox, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from standardwebhooks import Webhook

from motcua_kit.db import Database, create_engine, utcnow
from motcua_kit.events.dispatcher import Dispatcher, backoff_delay, new_secret
from motcua_kit.events.envelope import CloudEvent, new_event_id
from motcua_kit.events.models import DeliveryStatus
from motcua_kit.events.outbox import NewEvent, record_event, record_events
from motcua_kit.events.settings import DeclaredSubscription, EventSettings
from motcua_kit.events.subscriptions import sync_declared_subscriptions
from motcua_kit.settings import DatabaseSettings
from motcua_kit.testing import (
    TokenFactory,
    api_client,
    assert_problem,
    error_fields,
    fresh_database_url,
    rolled_back,
)
from tests.kit.events_app import (
    STORE,
    Applied,
    Base,
    Delivery,
    EventsSettings,
    OutboxEvent,
    Parcel,
    Subscription,
    create_events_app,
)

FAST = EventSettings(backoff_base_seconds=0.01, backoff_max_seconds=0.02, max_attempts=3, idle_poll_seconds=0.01)


@pytest.fixture(scope="session")
async def events_engine(db_backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AsyncEngine]:
    async with fresh_database_url(db_backend, "kitevents", tmp_path_factory.mktemp("events")) as url:
        engine = create_engine(DatabaseSettings(url=url))
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        yield engine
        await engine.dispose()


@pytest.fixture
async def database(events_engine: AsyncEngine) -> AsyncIterator[Database]:
    """Real commits (the dispatcher runs its own transactions); emptied after each test."""
    yield Database(events_engine)
    async with events_engine.begin() as connection:
        for table in (Applied, Delivery, Subscription, OutboxEvent, Parcel):
            await connection.execute(delete(table))
        await connection.execute(delete(STORE.processed))


@pytest.fixture
def settings(tokens: TokenFactory) -> EventsSettings:
    return EventsSettings(_env_file=None, environment="test", auth=tokens.auth_settings(), events=FAST)


async def subscribe(
    database: Database, name: str = "sink", types: list[str] | None = None, agency: str | None = None
) -> str:
    secret = new_secret()
    async with database.transaction() as session:
        await sync_declared_subscriptions(
            session,
            STORE,
            [
                DeclaredSubscription(
                    name=name, url=f"http://{name}.test/hook", event_types=types or [], agency=agency, secret=secret
                )
            ],
        )
    return secret


async def emit(database: Database, subject: str, name: str = "parcel.received", agency: str | None = "SNGV") -> str:
    async with database.transaction() as session:
        event = await record_event(session, STORE, name, subject=subject, data={"code": subject}, agency=agency)
    return event.id


def sink(received: list[httpx.Request], fail: Callable[[httpx.Request], bool] = lambda r: False) -> httpx.AsyncClient:
    def handler(request: httpx.Request) -> httpx.Response:
        if fail(request):
            return httpx.Response(503)
        received.append(request)
        return httpx.Response(204)

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


async def drain(dispatcher: Dispatcher, rounds: int = 50) -> None:
    for _ in range(rounds):
        if await dispatcher.run_once() == 0:
            pending = await pending_count(dispatcher.database)
            if pending == 0:
                return
            await asyncio.sleep(0.03)


async def pending_count(database: Database) -> int:
    async with database.transaction(write=False) as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(Delivery).where(Delivery.status == DeliveryStatus.PENDING)
            )
            or 0
        )


async def test_event_is_written_with_its_change_or_not_at_all(
    database: Database, settings: EventsSettings, tokens: TokenFactory
) -> None:
    await subscribe(database)
    async with api_client(create_events_app(settings, database)) as client:
        ok = await client.post("/api/v1/parcels", json={"code": "P1"}, headers=tokens.headers("reception_officer"))
        assert ok.status_code == 201
        failed = await client.post("/api/v1/parcels/fail-after-event", json={"code": "P2"})
        assert_problem(failed, 500)
    async with database.transaction(write=False) as session:
        events = (await session.scalars(select(OutboxEvent))).all()
        deliveries = (await session.scalars(select(Delivery))).all()
    assert [e.subject for e in events] == ["P1"]
    assert events[0].id == ok.json()["event_id"]
    assert events[0].type == "vn.motcua.parcel.received"
    assert len(deliveries) == 1


async def test_delivery_is_a_signed_cloudevent(database: Database) -> None:
    secret = await subscribe(database)
    event_id = await emit(database, "P1")
    received: list[httpx.Request] = []
    dispatcher = Dispatcher(database, STORE, FAST, client=sink(received))
    assert await dispatcher.run_once() == 1
    request = received[0]
    assert request.headers["content-type"] == "application/cloudevents+json"
    assert request.headers["webhook-id"] == event_id
    body = Webhook(secret).verify(request.content, dict(request.headers))
    event = CloudEvent.model_validate(body)
    assert (event.specversion, event.id, event.type, event.subject, event.source) == (
        "1.0",
        event_id,
        "vn.motcua.parcel.received",
        "P1",
        "/kit-test",
    )
    assert event.data == {"code": "P1"}
    assert await pending_count(database) == 0


async def test_filters_by_type_and_agency(database: Database) -> None:
    await subscribe(database, "returned-only", types=["parcel.returned"])
    await subscribe(database, "other-agency", agency="SXD")
    await subscribe(database, "everything")
    await emit(database, "P1")
    async with database.transaction(write=False) as session:
        names = set(
            (
                await session.scalars(
                    select(Subscription.name).join(Delivery, Delivery.subscription_id == Subscription.id)
                )
            ).all()
        )
    assert names == {"everything"}


async def test_many_events_are_recorded_at_once_in_order(database: Database) -> None:
    await subscribe(database, "returned-only", types=["parcel.returned"])
    await subscribe(database, "everything")
    wanted = [
        NewEvent("parcel.returned" if n % 3 == 0 else "parcel.received", f"P{n}", {"code": f"P{n}"}, "SNGV")
        for n in range(30)
    ]
    async with database.transaction() as session:
        recorded = await record_events(session, STORE, wanted)
        assert await record_events(session, STORE, []) == []
    assert [e.subject for e in recorded] == [f"P{n}" for n in range(30)]
    async with database.transaction(write=False) as session:
        events = (await session.scalars(select(OutboxEvent).order_by(OutboxEvent.sequence))).all()
        deliveries = (await session.execute(select(Subscription.name, Delivery.subject).join(Subscription))).all()
    assert [(e.id, e.subject, e.type) for e in events] == [(e.id, e.subject, e.type) for e in recorded]
    assert sum(1 for name, _ in deliveries if name == "everything") == 30
    assert {subject for name, subject in deliveries if name == "returned-only"} == {f"P{n}" for n in range(0, 30, 3)}


async def test_order_per_subject_holds_through_failures(database: Database) -> None:
    await subscribe(database)
    for n in range(3):
        await emit(database, "P1", name="parcel.received" if n == 0 else "parcel.returned")
        await emit(database, f"Q{n}")
    failures = {"left": 2}

    def fail_first_p1(request: httpx.Request) -> bool:
        if json.loads(request.content)["subject"] == "P1" and failures["left"]:
            failures["left"] -= 1
            return True
        return False

    received: list[httpx.Request] = []
    dispatcher = Dispatcher(database, STORE, FAST, client=sink(received, fail_first_p1))
    await drain(dispatcher)
    p1 = [json.loads(r.content)["type"] for r in received if json.loads(r.content)["subject"] == "P1"]
    assert p1 == ["vn.motcua.parcel.received", "vn.motcua.parcel.returned", "vn.motcua.parcel.returned"]
    assert len(received) == 6


async def test_dead_letter_holds_its_subject_until_replayed(
    database: Database, settings: EventsSettings, tokens: TokenFactory
) -> None:
    await subscribe(database)
    await emit(database, "P1")
    await emit(database, "P1", name="parcel.returned")
    await emit(database, "Q1")
    down = {"on": True}
    received: list[httpx.Request] = []
    dispatcher = Dispatcher(database, STORE, FAST, client=sink(received, lambda r: down["on"] and b'"P1"' in r.content))
    await drain(dispatcher)
    assert [json.loads(r.content)["subject"] for r in received] == ["Q1"]

    async with api_client(create_events_app(settings, database)) as client:
        admin = tokens.headers("admin")
        subscription = (await client.get("/api/v1/subscriptions", headers=admin)).json()["items"][0]
        assert "secret" not in subscription
        dead = (
            await client.get(
                f"/api/v1/subscriptions/{subscription['id']}/deliveries", params={"status": "dead"}, headers=admin
            )
        ).json()
        assert dead["total"] == 1
        assert dead["items"][0]["attempts"] == FAST.max_attempts
        down["on"] = False
        replay = await client.post(
            f"/api/v1/subscriptions/{subscription['id']}/deliveries/{dead['items'][0]['id']}/replay", headers=admin
        )
        assert replay.status_code == 200
    await drain(dispatcher)
    assert [json.loads(r.content)["type"] for r in received[1:]] == [
        "vn.motcua.parcel.received",
        "vn.motcua.parcel.returned",
    ]


async def test_backoff_grows_and_is_capped() -> None:
    settings = EventSettings(backoff_base_seconds=2, backoff_max_seconds=60)
    delays = [backoff_delay(n, settings) for n in range(1, 10)]
    assert 1.5 <= delays[0] <= 2.5
    assert 6 <= delays[2] <= 10
    assert all(d <= 75 for d in delays)


async def test_a_killed_dispatcher_loses_nothing(database: Database) -> None:
    """A lease taken by a dispatcher that died is taken again once it expires."""
    await subscribe(database)
    await emit(database, "P1")
    dead_dispatcher = Dispatcher(database, STORE, FAST, owner="dead")
    assert len(await dead_dispatcher.claim()) == 1  # ... and it never sends
    received: list[httpx.Request] = []
    survivor = Dispatcher(database, STORE, FAST, client=sink(received))
    assert await survivor.run_once() == 0  # leased to the dead one
    async with database.transaction() as session:
        await session.execute(update(Delivery).values(lease_until=utcnow()))
    await drain(survivor)
    assert len(received) == 1


async def test_concurrent_dispatchers_never_claim_the_same_delivery(database: Database) -> None:
    await subscribe(database)
    for n in range(40):
        await emit(database, f"S{n}")
    dispatchers = [
        Dispatcher(database, STORE, FAST.model_copy(update={"batch_size": 7}), owner=f"d{i}") for i in range(4)
    ]
    claims = await asyncio.gather(*(d.claim() for d in dispatchers))
    flat = [i for claim in claims for i in claim]
    assert len(flat) == len(set(flat))


async def test_subscription_admin_api(database: Database, settings: EventsSettings, tokens: TokenFactory) -> None:
    async with api_client(create_events_app(settings, database)) as client:
        admin = tokens.headers("admin")
        body = {
            "name": "city-one-stop",
            "url": "https://motcua.danang.example/hooks",
            "event_types": ["parcel.received"],
        }
        created = await client.post("/api/v1/subscriptions", json=body, headers=admin)
        assert created.status_code == 201, created.text
        subscription = created.json()
        assert subscription["secret"].startswith("whsec_")
        assert subscription["event_types"] == ["vn.motcua.parcel.received"]
        assert_problem(
            await client.post("/api/v1/subscriptions", json=body, headers=admin), 409, "duplicate_subscription"
        )
        read = (await client.get(f"/api/v1/subscriptions/{subscription['id']}", headers=admin)).json()
        assert "secret" not in read
        paused = await client.patch(
            f"/api/v1/subscriptions/{subscription['id']}", json={"status": "paused"}, headers=admin
        )
        assert paused.json()["status"] == "paused"
        assert_problem(
            await client.post(
                "/api/v1/subscriptions", json={**body, "name": "x", "event_types": ["dossier.eaten"]}, headers=admin
            ),
            422,
            "unknown_event_type",
        )
        assert_problem(
            await client.post("/api/v1/subscriptions", json={**body, "name": "y", "url": "ftp://x"}, headers=admin), 422
        )
        assert_problem(await client.get("/api/v1/subscriptions", headers=tokens.headers("reception_officer")), 403)
        assert (await client.delete(f"/api/v1/subscriptions/{subscription['id']}", headers=admin)).status_code == 204
        assert_problem(await client.get(f"/api/v1/subscriptions/{subscription['id']}", headers=admin), 404)
    # A paused subscription gets no deliveries; a deleted one is gone.
    await emit(database, "P9")
    assert await pending_count(database) == 0


@pytest.mark.parametrize("action", ["replay", "discard"])
@pytest.mark.parametrize("delivery_id", ["0", str(2**63), "4265771199589356929024"])
async def test_delivery_id_out_of_range_is_a_validation_error(
    database: Database, settings: EventsSettings, tokens: TokenFactory, action: str, delivery_id: str
) -> None:
    """Found by fuzzing: a number past 64 bits overflowed the database driver (500)."""
    async with api_client(create_events_app(settings, database)) as client:
        response = await client.post(
            f"/api/v1/subscriptions/x/deliveries/{delivery_id}/{action}", headers=tokens.headers("admin")
        )
    problem = assert_problem(response, 422, "validation_error")
    assert error_fields(problem) == {"delivery_id"}


def signed(secret: str, event: CloudEvent) -> tuple[bytes, dict[str, str]]:
    body = event.to_json()
    timestamp = utcnow()
    return body, {
        "content-type": "application/cloudevents+json",
        "webhook-id": event.id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": Webhook(secret).sign(event.id, timestamp, body.decode()),
    }


async def test_inbox_applies_each_event_once(events_engine: AsyncEngine, settings: EventsSettings) -> None:
    secret = new_secret()
    settings = settings.model_copy(update={"events": FAST.model_copy(update={"inbox_secret": SecretStr(secret)})})
    event = CloudEvent(
        id=new_event_id(), source="/other", type="vn.motcua.parcel.returned", subject="P1", time=utcnow(), data={}
    )
    async with rolled_back(events_engine) as database:
        async with api_client(create_events_app(settings, database)) as client:
            body, headers = signed(secret, event)
            first = await client.post("/internal/events", content=body, headers=headers)
            again = await client.post("/internal/events", content=body, headers=headers)
            assert (first.json(), again.json()) == ({"status": "applied"}, {"status": "duplicate"})
            forged_body, forged_headers = signed(new_secret(), event)
            assert_problem(await client.post("/internal/events", content=forged_body, headers=forged_headers), 401)
            assert_problem(
                await client.post(
                    "/internal/events", content=body, headers={"content-type": "application/cloudevents+json"}
                ),
                401,
            )
            assert "/internal/events" not in (await client.get("/openapi.json")).json()["paths"]
        async with database.transaction(write=False) as session:
            assert await session.scalar(select(func.count()).select_from(Applied)) == 1


def test_cloudevent_json_shape() -> None:
    event = CloudEvent(id="1", source="/s", type="vn.motcua.x", subject=None, time=utcnow(), data={"a": 1})
    document: dict[str, Any] = json.loads(event.to_json())
    assert set(document) == {"specversion", "id", "source", "type", "time", "datacontenttype", "data"}


async def test_a_subject_is_never_split_between_dispatchers(database: Database) -> None:
    """Chains: one dispatcher takes several events of a subject; no other dispatcher takes any of them."""
    await subscribe(database)
    for n in range(5):
        for number in range(12):
            await emit(database, f"S{number}", name="parcel.received" if n == 0 else "parcel.returned")
    dispatchers = [
        Dispatcher(database, STORE, FAST.model_copy(update={"batch_size": 4}), owner=f"d{i}") for i in range(3)
    ]
    claims = await asyncio.gather(*(d.claim() for d in dispatchers))
    async with database.transaction(write=False) as session:
        rows = (await session.execute(select(Delivery.id, Delivery.subject, Delivery.lease_owner))).all()
    owners_of_subject: dict[str, set[str]] = {}
    for _, subject, owner in rows:
        if owner is not None:
            owners_of_subject.setdefault(subject, set()).add(owner)
    assert all(len(owners) == 1 for owners in owners_of_subject.values())
    flat = [i for claim in claims for i in claim]
    assert len(flat) == len(set(flat))
    assert len(flat) == len(owners_of_subject) * 5  # each claimed subject came with its whole chain
