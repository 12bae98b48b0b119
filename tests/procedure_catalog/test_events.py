"""The catalogue's events: written with each version, in the contract's shape, delivered signed."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from standardwebhooks import Webhook

from motcua_kit.events.dispatcher import Dispatcher
from motcua_kit.events.metrics import delivery_backlog
from motcua_kit.events.models import DeliveryStatus
from motcua_kit.events.settings import EventSettings
from motcua_kit.testing import RolledBackDatabase, TokenFactory, assert_problem
from procedure_catalog.__main__ import dispatcher as catalogue_dispatcher
from procedure_catalog.announcements.repository import AnnouncementRepository
from procedure_catalog.config import CatalogSettings
from procedure_catalog.events import STORE
from procedure_catalog.models import EventDelivery, OutboxEvent
from tests.events_contract import validate_event
from tests.procedure_catalog.factories import AGENCY, Catalogue, national_record

SUBSCRIPTIONS = "/api/v1/subscriptions/procedures"


async def events(database: RolledBackDatabase) -> list[dict[str, Any]]:
    """Every event in the outbox, oldest first, checked against its contract."""
    async with database.transaction(write=False) as session:
        rows = (await session.scalars(select(OutboxEvent).order_by(OutboxEvent.sequence))).all()
    documents = []
    for row in rows:
        document = validate_event(
            {
                "specversion": "1.0",
                "id": row.id,
                "source": row.source,
                "type": row.type,
                "subject": row.subject,
                "time": row.time.isoformat(),
                "datacontenttype": "application/json",
                "data": row.data,
            }
        )
        documents.append({**document, "agency": row.agency})
    return documents


async def test_a_procedure_is_published_amended_and_abolished(
    catalogue: Catalogue, catalog_database: RolledBackDatabase
) -> None:
    code = await catalogue.published(effective_on="2024-01-01")
    amended = await catalogue.amend(
        code, {"online_level": "full", "channels": [_online_channel(amount=90000)]}, effective_on="2024-06-01"
    )
    assert amended.status_code == 201, amended.text
    abolished = await catalogue.announce(("abolish", code), effective_on="2025-01-01", number="99/QĐ-UBND")
    assert abolished.status_code == 201, abolished.text

    published, amendment, abolition = await events(catalog_database)
    assert [e["type"] for e in (published, amendment, abolition)] == [
        "vn.motcua.procedure.published",
        "vn.motcua.procedure.amended",
        "vn.motcua.procedure.abolished",
    ]
    for event in (published, amendment, abolition):
        assert (event["source"], event["subject"], event["agency"]) == ("/procedure-catalog", code, AGENCY["code"])
    assert published["data"]["version"] == 1
    assert published["data"]["status"] == "published"
    assert published["data"]["valid_from"] == "2024-01-01"
    assert published["data"]["valid_until"] is None
    assert published["data"]["online_level"] == "partial"
    assert published["data"]["channels"][0] == {
        "channel": "in_person",
        "processing_time": {"value": 10, "unit": "working_days"},
        "fees": [{"amount_vnd": 200000, "unit": "đồng/hồ sơ", "description_vi": "Lệ phí", "description_en": "Fee"}],
    }
    assert (amendment["data"]["version"], amendment["data"]["online_level"]) == (2, "full")
    assert amendment["data"]["channels"][0]["fees"][0]["amount_vnd"] == 90000
    assert (abolition["data"]["version"], abolition["data"]["status"]) == (3, "abolished")
    assert abolition["data"]["valid_from"] == "2025-01-01"
    assert abolition["data"]["announcement_number"] == "99/QĐ-UBND"
    # The event says what the catalogue says of that version.
    version = (await catalogue.client.get(f"/api/v1/procedures/{code}/versions/2")).json()
    assert amendment["data"]["name_vi"] == version["name_vi"]
    assert amendment["data"]["announcement_number"] == version["announcement"]["number"]


def _online_channel(amount: int) -> dict[str, Any]:
    return {
        "channel": "online",
        "processing_time": {"value": 5, "unit": "working_days"},
        "fees": [{"amount_vnd": amount, "description_vi": "Lệ phí trực tuyến"}],
    }


async def test_one_decision_of_several_changes_is_one_event_per_change_in_its_order(
    catalogue: Catalogue, catalog_database: RolledBackDatabase
) -> None:
    old = await catalogue.published()
    drafts = [(await catalogue.draft()).json()["code"] for _ in range(2)]
    decision = await catalogue.announce(
        ("create", drafts[1]), ("abolish", old), ("create", drafts[0]), effective_on="2024-02-01"
    )
    assert decision.status_code == 201, decision.text
    written = (await events(catalog_database))[1:]
    assert [(e["subject"], e["type"].rsplit(".", 1)[1]) for e in written] == [
        (drafts[1], "published"),
        (old, "abolished"),
        (drafts[0], "published"),
    ]


async def test_a_refused_or_failed_decision_writes_no_event(
    catalogue: Catalogue, catalog_database: RolledBackDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = (await catalogue.draft()).json()["code"]
    refused = await catalogue.announce(("create", code), ("amend", "0.000000"))
    assert_problem(refused, 422, "announcement_not_applicable")

    async def broken(self: AnnouncementRepository, rows: Any) -> None:
        raise RuntimeError("the disk is full")

    # The versions and their events are written; a later step of the same request fails.
    monkeypatch.setattr(AnnouncementRepository, "add_changes", broken)
    failed = await catalogue.announce(("create", code))
    assert_problem(failed, 500)
    monkeypatch.undo()
    assert await events(catalog_database) == []
    assert (await catalogue.client.get(f"/api/v1/procedures/{code}/versions")).status_code == 404


async def test_a_national_import_announces_its_changes_once(
    catalogue: Catalogue, catalog_database: RolledBackDatabase
) -> None:
    async def run(records: list[dict[str, Any]], effective_on: str) -> None:
        body = {"records": records, "decision": {"effective_on": effective_on}}
        response = await catalogue.client.post("/api/v1/procedures/import", json=body, headers=catalogue.editor)
        assert response.status_code == 200, response.text

    await run([national_record("1.009001"), national_record("1.009002")], "2024-03-01")
    await run([national_record("1.009001"), national_record("1.009002")], "2024-04-01")  # unchanged: nothing
    await run(
        [national_record("1.009001", TRANGTHAI="0"), national_record("1.009002", MUCDO="Toàn trình")], "2024-05-01"
    )
    written = await events(catalog_database)
    assert [(e["subject"], e["type"].rsplit(".", 1)[1], e["data"]["version"]) for e in written] == [
        ("1.009001", "published", 1),
        ("1.009002", "published", 1),
        ("1.009001", "abolished", 2),
        ("1.009002", "amended", 2),
    ]
    assert {e["agency"] for e in written} == {"SNGV-HN"}
    assert written[0]["data"]["announcement_number"].startswith("CSDLQG-")
    assert written[3]["data"]["online_level"] == "full"


async def test_subscriptions_are_managed_by_an_admin(catalogue: Catalogue, tokens: TokenFactory) -> None:
    client, admin = catalogue.client, tokens.headers("admin")
    body = {"name": "city-one-stop", "url": "https://motcua.example.vn/hooks", "event_types": ["procedure.abolished"]}
    for role in ("catalog_editor", "integration"):
        assert_problem(await client.post(SUBSCRIPTIONS, json=body, headers=tokens.headers(role)), 403)
    assert_problem(await client.get(SUBSCRIPTIONS), 401)
    created = await client.post(SUBSCRIPTIONS, json=body, headers=admin)
    assert created.status_code == 201, created.text
    subscription = created.json()
    assert subscription["secret"].startswith("whsec_")
    assert subscription["event_types"] == ["vn.motcua.procedure.abolished"]
    assert created.headers["location"] == f"{SUBSCRIPTIONS}/{subscription['id']}"
    listed = (await client.get(SUBSCRIPTIONS, headers=admin)).json()
    assert [s["name"] for s in listed["items"]] == ["city-one-stop"]
    assert "secret" not in listed["items"][0]
    wrong = {**body, "name": "other", "event_types": ["dossier.received"]}
    assert_problem(await client.post(SUBSCRIPTIONS, json=wrong, headers=admin), 422, "unknown_event_type")
    paused = await client.patch(f"{SUBSCRIPTIONS}/{subscription['id']}", json={"status": "paused"}, headers=admin)
    assert paused.json()["status"] == "paused"
    assert (await client.delete(f"{SUBSCRIPTIONS}/{subscription['id']}", headers=admin)).status_code == 204
    assert (await client.get(SUBSCRIPTIONS, headers=admin)).json()["total"] == 0


async def test_deliveries_follow_the_filters_of_each_subscription(
    catalogue: Catalogue, catalog_database: RolledBackDatabase, tokens: TokenFactory
) -> None:
    admin = tokens.headers("admin")
    wanted: dict[str, dict[str, Any]] = {
        "everything": {},
        "abolitions": {"event_types": ["procedure.abolished"]},
        "this-agency": {"agency": AGENCY["code"]},
        "other-agency": {"agency": "SXD"},
    }
    for name, filters in wanted.items():
        body = {"name": name, "url": f"https://{name}.example.vn/hook", **filters}
        assert (await catalogue.client.post(SUBSCRIPTIONS, json=body, headers=admin)).status_code == 201
    await catalogue.published()
    async with catalog_database.transaction(write=False) as session:
        deliveries = (await session.scalars(select(EventDelivery))).all()
        names = {s.id: s.name for s in (await session.scalars(select(STORE.subscription))).all()}
    assert sorted(names[d.subscription_id] for d in deliveries) == ["everything", "this-agency"]


async def test_a_dispatcher_round_delivers_signed_events(
    catalogue: Catalogue, catalog_database: RolledBackDatabase, tokens: TokenFactory
) -> None:
    body = {"name": "sink", "url": "https://sink.example.vn/events"}
    created = (await catalogue.client.post(SUBSCRIPTIONS, json=body, headers=tokens.headers("admin"))).json()
    code = await catalogue.published()
    received: list[httpx.Request] = []

    def sink(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(204)

    async with httpx.AsyncClient(transport=httpx.MockTransport(sink)) as http:
        dispatcher = Dispatcher(catalog_database, STORE, EventSettings(), client=http)
        assert await dispatcher.run_once() == 1
        assert await dispatcher.run_once() == 0
    (request,) = received
    assert str(request.url) == body["url"]
    assert request.headers["content-type"] == "application/cloudevents+json"
    document = Webhook(created["secret"]).verify(request.content, dict(request.headers))
    validate_event(document)
    assert (document["type"], document["subject"], request.headers["webhook-id"]) == (
        "vn.motcua.procedure.published",
        code,
        document["id"],
    )
    async with catalog_database.transaction(write=False) as session:
        (delivery,) = (await session.scalars(select(EventDelivery))).all()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)
    deliveries = await catalogue.client.get(
        f"{SUBSCRIPTIONS}/{created['id']}/deliveries", headers=tokens.headers("admin")
    )
    assert [d["status"] for d in deliveries.json()["items"]] == ["delivered"]
    assert json.loads(request.content)["data"]["code"] == code


async def test_metrics_show_what_subscribers_are_still_owed(
    catalogue: Catalogue, catalog_database: RolledBackDatabase, catalog_app: FastAPI, tokens: TokenFactory
) -> None:
    body = {"name": "slow-sink", "url": "https://slow.example.vn/events"}
    assert (await catalogue.client.post(SUBSCRIPTIONS, json=body, headers=tokens.headers("admin"))).status_code == 201
    await catalogue.published()
    # The gauges are on the app's registry; their figures are read here directly, because the test's
    # one shared connection cannot serve the concurrent samplers a scrape of /metrics runs.
    registered = {family.name for family in catalog_app.state.metrics.registry.collect()}
    assert {"motcua_event_deliveries", "motcua_event_oldest_undelivered_seconds"} <= registered
    figures = await delivery_backlog(catalog_database, STORE)
    assert figures["backlog"] == {("slow-sink", "waiting"): 1.0}
    assert set(figures["oldest"]) == {("slow-sink",)}


def test_the_dispatch_command_builds_the_catalogues_dispatcher_from_its_settings(
    monkeypatch: pytest.MonkeyPatch, catalog_database: RolledBackDatabase
) -> None:
    monkeypatch.setenv("CATALOG_EVENTS__MAX_ATTEMPTS", "4")
    monkeypatch.setenv(
        "CATALOG_EVENTS__SUBSCRIPTIONS", '[{"name": "city", "url": "https://x.vn/h", "secret": "whsec_eA=="}]'
    )
    dispatcher = catalogue_dispatcher(CatalogSettings(_env_file=None), catalog_database)
    assert dispatcher.store is STORE
    assert dispatcher.settings.max_attempts == 4
    assert [s.name for s in dispatcher.settings.subscriptions] == ["city"]
