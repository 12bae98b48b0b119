"""dossier-api's events: one per change, in its transaction, in the contract's shape, without personal data."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import time_machine
from fastapi import FastAPI
from sqlalchemy import func, select
from standardwebhooks import Webhook

from dossier_api.actions import router as actions_router
from dossier_api.config import DossierSettings
from dossier_api.dispatch import DossierDispatcher
from dossier_api.models import EventDelivery, OutboxEvent
from motcua_kit.db import Database
from motcua_kit.events.outbox import to_cloudevent
from motcua_kit.events.settings import EventSettings
from motcua_kit.testing import RolledBackDatabase, TokenFactory, api_client, assert_problem
from tests.dossier_api.factories import act, act_ok, at, dossier_payload, receive
from tests.events_contract import validate_event

APPLICANT = dossier_payload()["applicant"]


async def events_of(database: Database, code: str | None = None) -> list[dict[str, Any]]:
    """The outbox, oldest first, each event checked against its contract."""
    query = select(OutboxEvent).order_by(OutboxEvent.sequence)
    if code is not None:
        query = query.where(OutboxEvent.subject == code)
    async with database.transaction(write=False) as session:
        rows = (await session.scalars(query)).all()
        return [validate_event(to_cloudevent(row)) | {"agency": row.agency} for row in rows]


def types(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"].removeprefix("vn.motcua.") for e in events]


def assert_no_personal_data(events: list[dict[str, Any]]) -> None:
    text = json.dumps(events, ensure_ascii=False)
    for value in (APPLICANT["name"], APPLICANT["phone"], APPLICANT["id_number"], APPLICANT["email"], "Trần Phú"):
        assert value not in text


async def test_a_reception_at_the_counter_publishes_dossier_received(
    client: httpx.AsyncClient, tokens: TokenFactory, dossier_database: RolledBackDatabase
) -> None:
    with time_machine.travel(at(2026, 3, 9, 9), tick=False):
        body = await receive(client, tokens, claims={"subject": "officer-1", "unit": "Bộ phận một cửa"})
    (event,) = await events_of(dossier_database)
    assert event["type"] == "vn.motcua.dossier.received"
    assert (event["source"], event["subject"], event["agency"]) == ("/dossier-api", body["code"], "SNGV")
    data = event["data"]
    assert data == {
        "code": body["code"],
        "agency_code": "SNGV",
        "receiving_agency": "SNGV",
        "procedure_code": "1.000948",
        "procedure_version": 3,
        "channel": "in_person",
        "status": "received",
        "portal_status": 2,
        "action": "receive",
        "actor": {"subject": "officer-1", "role": "reception_officer", "unit": "Bộ phận một cửa"},
        "occurred_at": "2026-03-09T02:00:00+00:00",
        "received_at": "2026-03-09T02:00:00+00:00",
        "due_at": "2026-03-16T02:00:00+00:00",
        "resolved_at": None,
        "returned_at": None,
        "timeliness": None,
    }
    assert event["time"].startswith("2026-03-09T02:00:00")


async def test_every_step_publishes_one_event_in_its_shape(
    client: httpx.AsyncClient, tokens: TokenFactory, dossier_database: RolledBackDatabase
) -> None:
    with time_machine.travel(at(2026, 3, 9, 9), tick=False):
        code = (await receive(client, tokens))["code"]
    with time_machine.travel(at(2026, 3, 9, 10), tick=False):
        await act_ok(client, tokens, code, "assign", {"unit": "Phòng Lãnh sự"}, role="leader")
        await act_ok(client, tokens, code, "supplement-request", {"items": ["Bản sao hộ chiếu", "Ảnh 4x6"]})
    with time_machine.travel(at(2026, 3, 10, 10), tick=False):
        await act_ok(client, tokens, code, "supplement", role="reception_officer")
        await act_ok(client, tokens, code, "pause", {"reason": "Chờ ý kiến cơ quan công an"})
        await act_ok(client, tokens, code, "resume")
        await act_ok(client, tokens, code, "fees")
        await act_ok(client, tokens, code, "payment", {"method": "online"}, role="integration")
        await act_ok(client, tokens, code, "transfer", {"to_agency": "CAO", "share_working_days": 2}, role="leader")
        await act_ok(client, tokens, code, "transfer-return", role="integration")
        await act_ok(
            client, tokens, code, "reschedule", {"additional_working_days": 2, "apology": "Xin lỗi"}, role="leader"
        )
        await act_ok(
            client, tokens, code, "resolve", {"result_number": "12/QĐ", "result_date": "2026-03-10"}, subject="po-7"
        )
    with time_machine.travel(at(2026, 3, 11, 9), tick=False):
        await act_ok(
            client,
            tokens,
            code,
            "return",
            {"method": "post", "tracking_number": "EB1VN", "address": "12 Trần Phú, Đà Nẵng"},
            role="reception_officer",
            subject="ro-2",
        )
    events = await events_of(dossier_database, code)
    assert types(events) == [
        "dossier.received",
        "dossier.status_changed",
        "dossier.supplement_requested",
        "dossier.status_changed",
        "dossier.status_changed",
        "dossier.status_changed",
        "dossier.status_changed",
        "dossier.status_changed",
        "dossier.status_changed",
        "dossier.status_changed",
        "dossier.rescheduled",
        "dossier.resolved",
        "dossier.returned",
    ]
    data = [e["data"] for e in events]
    assert [d["action"] for d in data] == [
        "receive",
        "assign",
        "request_supplement",
        "complete_supplement",
        "pause",
        "resume",
        "request_fees",
        "record_payment",
        "transfer",
        "transfer_return",
        "reschedule",
        "resolve",
        "return",
    ]
    assert [d["portal_status"] for d in data] == [2, 4, 5, 4, 4, 4, 6, 4, 4, 4, 4, 9, 10]
    assert data[2]["missing_items"] == ["Bản sao hộ chiếu", "Ảnh 4x6"]
    assert data[3]["previous_due_at"] is not None  # the clock restarts at the supplement
    # A transfer: the event is the receiving agency's until the dossier comes back.
    assert (data[8]["agency_code"], data[8]["receiving_agency"], events[8]["agency"]) == ("CAO", "SNGV", "CAO")
    assert (data[9]["agency_code"], events[9]["agency"]) == ("SNGV", "SNGV")
    assert data[10]["previous_due_at"] < data[10]["due_at"]
    assert (data[11]["status"], data[11]["timeliness"], data[11]["resolved_at"]) == (
        "resolved",
        "early",
        "2026-03-10T03:00:00+00:00",
    )
    returned = data[12]
    assert (returned["handled_by"], returned["return_method"], returned["actor"]["subject"]) == (
        "po-7",
        "postal",
        "ro-2",
    )
    assert returned["returned_at"] == "2026-03-11T02:00:00+00:00"
    assert_no_personal_data(events)


async def test_a_dossier_filed_online_is_registered_then_received(
    client: httpx.AsyncClient, tokens: TokenFactory, dossier_database: RolledBackDatabase
) -> None:
    code = (await receive(client, tokens, role="citizen", channel="online", claims={"subject": "citizen-9"}))["code"]
    await act_ok(client, tokens, code, "receive", role="reception_officer")
    registered, received = await events_of(dossier_database, code)
    assert (registered["type"], registered["data"]["action"], registered["data"]["status"]) == (
        "vn.motcua.dossier.status_changed",
        "register",
        "registered",
    )
    assert (registered["data"]["portal_status"], registered["data"]["received_at"]) == (1, None)
    # An applicant is never named by account in an event (a citizen's account id may be their ID number).
    assert registered["data"]["actor"] == {"subject": "applicant", "role": "citizen", "unit": None}
    assert "citizen-9" not in json.dumps(registered)
    assert (received["type"], received["data"]["action"], received["data"]["status"]) == (
        "vn.motcua.dossier.received",
        "receive",
        "received",
    )


@pytest.mark.parametrize(
    ("reception", "expected"),
    [
        (
            {"decision": "incomplete", "missing_items": ["Tờ khai"]},
            ("dossier.supplement_requested", "supplement_requested"),
        ),
        ({"decision": "refuse", "reason": "Không thuộc thẩm quyền"}, ("dossier.status_changed", "refused")),
    ],
)
async def test_incomplete_and_refused_receptions(
    client: httpx.AsyncClient,
    tokens: TokenFactory,
    dossier_database: RolledBackDatabase,
    reception: dict[str, Any],
    expected: tuple[str, str],
) -> None:
    code = (await receive(client, tokens, reception=reception))["code"]
    (event,) = await events_of(dossier_database, code)
    assert (types([event])[0], event["data"]["status"]) == expected
    if reception["decision"] == "incomplete":
        assert event["data"]["missing_items"] == ["Tờ khai"]
        # The supplement that completes it is the valid reception: the clock starts.
        await act_ok(client, tokens, code, "supplement", role="reception_officer")
        completed = (await events_of(dossier_database, code))[-1]
        assert (completed["type"], completed["data"]["action"]) == ("vn.motcua.dossier.received", "complete_supplement")
        assert completed["data"]["received_at"] is not None


@pytest.mark.parametrize(
    ("action", "role", "status"), [("withdraw", "reception_officer", "withdrawn"), ("stop", "leader", "stopped")]
)
async def test_closing_a_dossier_is_a_status_change(
    client: httpx.AsyncClient,
    tokens: TokenFactory,
    dossier_database: RolledBackDatabase,
    *,
    action: str,
    role: str,
    status: str,
) -> None:
    code = (await receive(client, tokens))["code"]
    await act_ok(client, tokens, code, action, {"reason": "Theo đề nghị"}, role=role)
    last = (await events_of(dossier_database, code))[-1]
    assert (last["type"], last["data"]["action"], last["data"]["status"]) == (
        "vn.motcua.dossier.status_changed",
        action,
        status,
    )


async def test_an_event_exists_only_with_its_change(
    client: httpx.AsyncClient,
    tokens: TokenFactory,
    dossier_database: RolledBackDatabase,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code = (await receive(client, tokens))["code"]
    # Refused by the rules: no change, no event.
    assert_problem(await act(client, tokens, code, "return", {"method": "in_person"}, role="reception_officer"), 409)
    # A stale If-Match: no change, no event.
    etag = (await client.get(f"/api/v1/dossiers/{code}", headers=tokens.headers("leader"))).headers["etag"]
    await act_ok(client, tokens, code, "assign", {"unit": "Phòng Lãnh sự"}, role="leader")
    stale = await client.post(
        f"/api/v1/dossiers/{code}/pause", json={"reason": "x"}, headers={**tokens.headers("leader"), "If-Match": etag}
    )
    assert_problem(stale, 412)

    # The change and its event were written, then the request failed: both are rolled back.
    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("the answer could not be built")

    monkeypatch.setattr(actions_router, "to_read", broken)
    failed = await act(client, tokens, code, "pause", {"reason": "Chờ ý kiến"}, role="leader")
    assert_problem(failed, 500)
    assert types(await events_of(dossier_database, code)) == ["dossier.received", "dossier.status_changed"]


async def test_a_subscription_gets_a_delivery_for_each_event_it_asked_for(
    client: httpx.AsyncClient, tokens: TokenFactory, dossier_database: RolledBackDatabase
) -> None:
    admin = tokens.headers("admin")
    created = await client.post(
        "/api/v1/subscriptions/dossiers",
        json={
            "name": "city-one-stop",
            "url": "https://motcua.danang.example/hooks",
            "event_types": ["dossier.returned", "dossier.received"],
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    assert created.headers["location"].startswith("/api/v1/subscriptions/dossiers/")
    other = await client.post(
        "/api/v1/subscriptions/dossiers",
        json={"name": "another-agency", "url": "https://cao.example/hooks", "agency": "CAO"},
        headers=admin,
    )
    assert other.status_code == 201
    code = (await receive(client, tokens))["code"]
    await act_ok(client, tokens, code, "assign", {"unit": "Phòng Lãnh sự"}, role="leader")
    async with dossier_database.transaction(write=False) as session:
        deliveries = (
            await session.execute(
                select(EventDelivery.subscription_id, func.count()).group_by(EventDelivery.subscription_id)
            )
        ).all()
    assert dict(deliveries) == {created.json()["id"]: 1}  # received only; nothing for the other agency

    assert_problem(
        await client.post(
            "/api/v1/subscriptions/dossiers",
            json={"name": "x", "url": "https://x.example/", "event_types": ["procedure.published"]},
            headers=admin,
        ),
        422,
        "unknown_event_type",
    )
    for role in ("reception_officer", "leader", "integration"):
        assert_problem(await client.get("/api/v1/subscriptions/dossiers", headers=tokens.headers(role)), 403)
    listed = (await client.get("/api/v1/subscriptions/dossiers", headers=admin)).json()
    assert {s["name"] for s in listed["items"]} == {"city-one-stop", "another-agency"}
    assert all("secret" not in s for s in listed["items"])


async def test_the_city_one_stop_system_receives_signed_events_in_order(
    committing_app: FastAPI, committing_database: Database, dossier_settings: DossierSettings, tokens: TokenFactory
) -> None:
    """A webhook subscription, the dispatcher, and the city system's end: signed CloudEvents, per-dossier order."""
    received: list[httpx.Request] = []

    def city_system(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(204)

    async with api_client(committing_app) as client:
        subscription = (
            await client.post(
                "/api/v1/subscriptions/dossiers",
                json={"name": "city-one-stop", "url": "https://motcua.danang.example/hooks"},
                headers=tokens.headers("admin"),
            )
        ).json()
        first = (await receive(client, tokens))["code"]
        second = (await receive(client, tokens))["code"]
        await act_ok(client, tokens, first, "assign", {"unit": "Phòng Lãnh sự"}, role="leader")
        await act_ok(client, tokens, first, "stop", {"reason": "Trùng hồ sơ"}, role="leader")
    settings = dossier_settings.model_copy(update={"events": EventSettings(backoff_base_seconds=0.01)})
    async with httpx.AsyncClient(transport=httpx.MockTransport(city_system)) as sink:
        dispatcher = DossierDispatcher(committing_database, settings, client=sink)
        try:
            while await dispatcher.run_once():
                pass
        finally:
            await dispatcher.aclose()
    bodies = [Webhook(subscription["secret"]).verify(r.content, dict(r.headers)) for r in received]
    for body in bodies:
        validate_event(body)
    by_dossier = {code: [b["data"]["action"] for b in bodies if b["subject"] == code] for code in (first, second)}
    assert by_dossier == {first: ["receive", "assign", "stop"], second: ["receive"]}
    assert len({r.headers["webhook-id"] for r in received}) == 4
