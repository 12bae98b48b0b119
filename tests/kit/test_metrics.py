"""Domain metrics: counters and scrape-time gauges on the app's registry, and the outbox backlog gauges."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client.exposition import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from motcua_kit.db import Database, create_engine, utcnow
from motcua_kit.events.dispatcher import Dispatcher
from motcua_kit.events.metrics import register_delivery_metrics
from motcua_kit.events.models import DeliveryStatus
from motcua_kit.metrics import AppMetrics, GaugeValues
from motcua_kit.settings import DatabaseSettings
from motcua_kit.testing import TokenFactory, api_client, fresh_database_url
from tests.kit.events_app import STORE, Applied, Base, Delivery, EventsSettings, OutboxEvent, Parcel, Subscription
from tests.kit.events_app import create_events_app as build_events_app
from tests.kit.test_events import FAST, emit, subscribe


def samples(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    """Every sample of metric ``name`` in an exposition, keyed by its sorted labels."""
    found: dict[tuple[tuple[str, str], ...], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


async def exposition(metrics: AppMetrics) -> str:
    await metrics.refresh()
    return generate_latest(metrics.registry).decode()


async def test_counter_is_registered_on_the_app_registry_only() -> None:
    first, second = AppMetrics("one"), AppMetrics("two")
    received = first.counter("motcua_things_received_total", "Things received.", ["channel"])
    received.labels("online").inc()
    received.labels("online").inc()
    # A second application (another test) registers the same name without clashing.
    second.counter("motcua_things_received_total", "Things received.", ["channel"])
    assert samples(await exposition(first), "motcua_things_received_total") == {(("channel", "online"),): 2.0}
    assert samples(await exposition(second), "motcua_things_received_total") == {}


async def test_scrape_gauge_is_sampled_at_most_once_per_interval() -> None:
    metrics = AppMetrics("svc")
    calls: list[int] = []

    async def overdue() -> GaugeValues:
        calls.append(1)
        return {("SNGV",): float(len(calls)), ("SXD",): 0}

    metrics.scrape_gauge("motcua_overdue", "Overdue now.", overdue, labelnames=["agency"], min_interval_seconds=30)
    # Two moments an hour before the real clock (which counts from boot, so may itself be small).
    long_ago = time.monotonic() - 3600
    await metrics.refresh(now=long_ago)
    await metrics.refresh(now=long_ago + 10)  # within the interval: the last values are reused
    text = await exposition(metrics)  # the real clock: an hour later, so sampled again
    assert len(calls) == 2
    assert samples(text, "motcua_overdue") == {(("agency", "SNGV"),): 2.0, (("agency", "SXD"),): 0.0}


async def test_a_failing_sampler_drops_its_series_and_is_counted() -> None:
    metrics = AppMetrics("svc")
    state = {"fail": False}

    async def flaky() -> GaugeValues:
        if state["fail"]:
            raise ConnectionError("database down")
        return {(): 7}

    async def healthy() -> GaugeValues:
        return {(): 1}

    metrics.scrape_gauge("motcua_flaky", "Flaky.", flaky, min_interval_seconds=0)
    metrics.scrape_gauge("motcua_healthy", "Healthy.", healthy, min_interval_seconds=0)
    assert samples(await exposition(metrics), "motcua_flaky") == {(): 7.0}
    state["fail"] = True
    text = await exposition(metrics)
    assert samples(text, "motcua_flaky") == {}
    assert samples(text, "motcua_healthy") == {(): 1.0}
    errors = samples(text, "motcua_metrics_sampler_errors_total")
    assert errors == {(("gauge", "motcua_flaky"), ("service", "svc")): 1.0}


async def test_a_slow_sampler_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("motcua_kit.metrics.SAMPLE_TIMEOUT_SECONDS", 0.05)
    metrics = AppMetrics("svc")

    async def slow() -> GaugeValues:
        await asyncio.sleep(5)
        return {(): 1}

    metrics.scrape_gauge("motcua_slow", "Slow.", slow, min_interval_seconds=0)
    text = await exposition(metrics)
    assert samples(text, "motcua_slow") == {}
    assert samples(text, "motcua_metrics_sampler_errors_total")[(("gauge", "motcua_slow"), ("service", "svc"))] == 1


async def test_label_sets_must_match_the_label_names() -> None:
    metrics = AppMetrics("svc")

    async def wrong() -> GaugeValues:
        return {("a", "b"): 1}

    metrics.scrape_gauge("motcua_wrong", "Wrong labels.", wrong, labelnames=["agency"], min_interval_seconds=0)
    text = await exposition(metrics)
    assert samples(text, "motcua_wrong") == {}
    assert samples(text, "motcua_metrics_sampler_errors_total")


def test_a_gauge_name_is_registered_once() -> None:
    metrics = AppMetrics("svc")

    async def one() -> GaugeValues:
        return {(): 1}

    metrics.scrape_gauge("motcua_once", "Once.", one)
    with pytest.raises(ValueError, match="already registered"):
        metrics.scrape_gauge("motcua_once", "Once.", one)


@pytest.fixture(scope="module")
async def metrics_engine(db_backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AsyncEngine]:
    async with fresh_database_url(db_backend, "kitmetrics", tmp_path_factory.mktemp("metrics")) as url:
        engine = create_engine(DatabaseSettings(url=url))
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        yield engine
        await engine.dispose()


@pytest.fixture
async def database(metrics_engine: AsyncEngine) -> AsyncIterator[Database]:
    yield Database(metrics_engine)
    async with metrics_engine.begin() as connection:
        for table in (Applied, Delivery, Subscription, OutboxEvent, Parcel):
            await connection.execute(delete(table))


async def test_delivery_backlog_per_subscription_and_state(database: Database, tokens: TokenFactory) -> None:
    await subscribe(database, "portal")
    await subscribe(database, "survey")
    for code in ("P1", "P2", "P3"):
        await emit(database, code)
    # The portal is down: every try fails; the survey service takes everything.
    dispatcher = Dispatcher(
        database,
        STORE,
        FAST,
        client=httpx.AsyncClient(
            transport=httpx.MockTransport(
                lambda r: httpx.Response(503 if r.url.host == "portal.test" else 204),
            )
        ),
    )
    await dispatcher.run_once()
    await dispatcher.aclose()
    async with database.transaction() as session:
        # One of the portal's deliveries ran out of tries; the events are an hour old.
        portal_ids = (
            await session.scalars(
                select(Delivery.id)
                .join(Subscription, Subscription.id == Delivery.subscription_id)
                .where(Subscription.name == "portal")
                .order_by(Delivery.id)
            )
        ).all()
        assert len(portal_ids) == 3
        await session.execute(update(Delivery).where(Delivery.id == portal_ids[0]).values(status=DeliveryStatus.DEAD))
        await session.execute(update(OutboxEvent).values(time=utcnow() - dt.timedelta(hours=1)))

    settings = EventsSettings(_env_file=None, environment="test", auth=tokens.auth_settings(), events=FAST)
    app = build_events_app(settings, database)
    register_delivery_metrics(app.state.metrics, database, STORE)
    async with api_client(app) as client:
        text = (await client.get("/metrics")).text
    backlog = samples(text, "motcua_event_deliveries")
    by_state = {dict(labels)["state"]: value for labels, value in backlog.items()}
    assert {dict(labels)["subscription"] for labels in backlog} == {"portal"}
    assert sum(backlog.values()) == 3
    assert by_state == {"retrying": 2, "dead": 1}
    assert all(dict(labels)["service"] == "kit-events" for labels in backlog)
    oldest = samples(text, "motcua_event_oldest_undelivered_seconds")
    assert list(oldest) == [(("service", "kit-events"), ("subscription", "portal"))]
    assert 3500 < next(iter(oldest.values())) < 3700
