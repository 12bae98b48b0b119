"""The survey's events (answered, feedback opened) and its consumer of dossier-api's dossier.returned."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import func, select
from standardwebhooks import Webhook

from motcua_kit.db import utcnow
from motcua_kit.events.dispatcher import Dispatcher, new_secret
from motcua_kit.events.envelope import CloudEvent, new_event_id
from motcua_kit.events.models import DeliveryStatus
from motcua_kit.events.settings import EventSettings
from motcua_kit.testing import RolledBackDatabase, TokenFactory, api_client, assert_problem
from satisfaction_survey.__main__ import dispatcher as survey_dispatcher
from satisfaction_survey.config import SurveySettings
from satisfaction_survey.events import STORE
from satisfaction_survey.main import create_app
from satisfaction_survey.models import EventDelivery, Invitation, OutboxEvent, ProcessedEvent
from satisfaction_survey.responses import router as responses_router
from tests.events_contract import validate_event
from tests.satisfaction_survey.factories import BASE, answer_on_paper, answer_online, invite, publish

SUBSCRIPTIONS = "/api/v1/subscriptions/surveys"
INBOX_SECRET = new_secret()


@pytest.fixture
def survey_app(survey_database: RolledBackDatabase, tokens: TokenFactory) -> FastAPI:
    """The survey with an inbox: dossier-api's events are signed with ``INBOX_SECRET``."""
    settings = SurveySettings(
        _env_file=None,
        environment="test",
        auth=tokens.auth_settings(),
        events=EventSettings(inbox_secret=SecretStr(INBOX_SECRET)),
    )
    return create_app(settings, database=survey_database)


@pytest.fixture
async def client(survey_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(survey_app) as client:
        yield client


async def events(database: RolledBackDatabase) -> list[dict[str, Any]]:
    """Every event in the outbox, oldest first, checked against its contract."""
    async with database.transaction(write=False) as session:
        rows = (await session.scalars(select(OutboxEvent).order_by(OutboxEvent.sequence))).all()
    return [
        {
            **validate_event(
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
            ),
            "agency": row.agency,
        }
        for row in rows
    ]


# --- produced: survey.answered, feedback.opened -------------------------------------------------------


async def test_an_online_answer_is_announced(
    client: httpx.AsyncClient, tokens: TokenFactory, survey_database: RolledBackDatabase
) -> None:
    questionnaire = await publish(client, tokens)
    invitation = await invite(client, tokens, channel="online", procedure_code="2.000635")
    answered = await answer_online(client, invitation["token"], questionnaire, score=4)
    assert answered.status_code == 201, answered.text

    (event,) = await events(survey_database)
    assert (event["type"], event["source"], event["subject"], event["agency"]) == (
        "vn.motcua.survey.answered",
        "/satisfaction-survey",
        invitation["dossier_code"],
        "SNGV",
    )
    assert event["data"] == {
        "dossier_code": invitation["dossier_code"],
        "agency_code": "SNGV",
        "procedure_code": "2.000635",
        "channel": "online",
        "questionnaire_version": questionnaire["version"],
        "mode": "online",
        "overall_score": 4,
        "satisfied": True,
        "answered_at": event["data"]["answered_at"],
    }
    assert dt.datetime.fromisoformat(event["data"]["answered_at"]) == dt.datetime.fromisoformat(
        answered.json()["submitted_at"]
    )


async def test_an_unhappy_paper_answer_opens_feedback_and_says_so(
    client: httpx.AsyncClient, tokens: TokenFactory, survey_database: RolledBackDatabase
) -> None:
    questionnaire = await publish(client, tokens)
    invitation = await invite(client, tokens)
    answered = await answer_on_paper(
        client, tokens, invitation["dossier_code"], questionnaire, overall=2, comment="Chờ quá lâu.", complaint=True
    )
    assert answered.status_code == 201, answered.text
    assert answered.json()["feedback_opened"] is True

    answer, feedback = await events(survey_database)
    assert answer["type"] == "vn.motcua.survey.answered"
    assert (answer["data"]["mode"], answer["data"]["overall_score"], answer["data"]["satisfied"]) == ("paper", 2, False)
    assert (feedback["type"], feedback["subject"], feedback["agency"]) == (
        "vn.motcua.feedback.opened",
        invitation["dossier_code"],
        "SNGV",
    )
    item = (await client.get(f"{BASE}/feedback", headers=tokens.headers("survey_admin"))).json()["items"][0]
    assert feedback["data"]["feedback_id"] == item["id"]
    assert feedback["data"]["reasons"] == ["low_score", "complaint"]
    assert feedback["data"]["procedure_code"] == invitation["procedure_code"]
    assert "Chờ quá lâu." not in json.dumps(feedback)  # the comment stays in the API


async def test_a_complaint_without_low_scores_gives_its_one_reason(
    client: httpx.AsyncClient, tokens: TokenFactory, survey_database: RolledBackDatabase
) -> None:
    questionnaire = await publish(client, tokens)
    invitation = await invite(client, tokens)
    answered = await answer_online(
        client, invitation["token"], questionnaire, comment="Thiếu chỗ ngồi.", complaint=True
    )
    assert answered.status_code == 201, answered.text
    _, feedback = await events(survey_database)
    assert feedback["data"]["reasons"] == ["complaint"]


async def test_a_refused_or_failed_answer_writes_no_event(
    client: httpx.AsyncClient,
    tokens: TokenFactory,
    survey_database: RolledBackDatabase,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    questionnaire = await publish(client, tokens)
    invitation = await invite(client, tokens)
    assert_problem(await answer_online(client, invitation["token"], questionnaire, overall=None), 422)

    def broken_receipt(**_: Any) -> None:
        raise RuntimeError("the answer was recorded, then the request failed")

    monkeypatch.setattr(responses_router, "ResponseReceipt", broken_receipt)
    assert_problem(await answer_online(client, invitation["token"], questionnaire), 500)
    monkeypatch.undo()
    assert await events(survey_database) == []
    # Nothing of it stayed: the link still works, and answering it now is announced once.
    assert (await answer_online(client, invitation["token"], questionnaire)).status_code == 201
    assert_problem(await answer_online(client, invitation["token"], questionnaire), 404, "invitation_unavailable")
    assert [e["type"] for e in await events(survey_database)] == ["vn.motcua.survey.answered"]


async def test_subscriptions_are_managed_by_an_admin(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    admin = tokens.headers("admin")
    body = {"name": "city-one-stop", "url": "https://motcua.example.vn/hooks", "event_types": ["feedback.opened"]}
    for role in ("survey_admin", "leader", "integration"):
        assert_problem(await client.post(SUBSCRIPTIONS, json=body, headers=tokens.headers(role)), 403)
    created = await client.post(SUBSCRIPTIONS, json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["secret"].startswith("whsec_")
    assert created.json()["event_types"] == ["vn.motcua.feedback.opened"]
    listed = (await client.get(SUBSCRIPTIONS, headers=admin)).json()
    assert listed["total"] == 1
    assert "secret" not in listed["items"][0]
    wrong = {**body, "name": "other", "event_types": ["procedure.published"]}
    assert_problem(await client.post(SUBSCRIPTIONS, json=wrong, headers=admin), 422, "unknown_event_type")


async def test_a_dispatcher_round_delivers_signed_events_to_matching_subscribers(
    client: httpx.AsyncClient, tokens: TokenFactory, survey_database: RolledBackDatabase
) -> None:
    admin = tokens.headers("admin")
    sink = (
        await client.post(SUBSCRIPTIONS, json={"name": "sink", "url": "https://sink.example.vn/e"}, headers=admin)
    ).json()
    other = {"name": "other-agency", "url": "https://other.example.vn/e", "agency": "SXD"}
    assert (await client.post(SUBSCRIPTIONS, json=other, headers=admin)).status_code == 201
    questionnaire = await publish(client, tokens)
    invitation = await invite(client, tokens)
    assert (await answer_online(client, invitation["token"], questionnaire, overall=1)).status_code == 201

    received: list[httpx.Request] = []

    def subscriber(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(200)

    async with httpx.AsyncClient(transport=httpx.MockTransport(subscriber)) as http:
        dispatcher = Dispatcher(survey_database, STORE, EventSettings(), client=http)
        handled = await dispatcher.run_once()
        handled += await dispatcher.run_once()  # the second event of the subject waits for the first
        assert await dispatcher.run_once() == 0
    assert handled == 2
    verified = [Webhook(sink["secret"]).verify(r.content, dict(r.headers)) for r in received]
    assert [validate_event(v)["type"] for v in verified] == ["vn.motcua.survey.answered", "vn.motcua.feedback.opened"]
    assert {str(r.url) for r in received} == {"https://sink.example.vn/e"}
    async with survey_database.transaction(write=False) as session:
        statuses = (await session.scalars(select(EventDelivery.status))).all()
    assert statuses == [DeliveryStatus.DELIVERED, DeliveryStatus.DELIVERED]


# --- consumed: dossier.returned -> the dossier's invitation -------------------------------------------


def returned_event(code: str = "SNGV-260301-0042", *, contract: bool = True, **data: Any) -> CloudEvent:
    """A ``dossier.returned`` event as dossier-api sends it (checked against the contract unless
    ``contract=False``, for an event that breaks it)."""
    now = utcnow()
    payload: dict[str, Any] = {
        "code": code,
        "agency_code": "SNGV",
        "receiving_agency": "SNGV",
        "procedure_code": "1.000948",
        "procedure_version": 3,
        "channel": "postal",
        "status": "returned",
        "portal_status": 10,
        "action": "return",
        "actor": {"subject": "desk-3", "role": "reception_officer", "unit": "Bộ phận Một cửa"},
        "occurred_at": now.isoformat(),
        "received_at": (now - dt.timedelta(days=9)).isoformat(),
        "due_at": (now - dt.timedelta(days=1)).isoformat(),
        "resolved_at": (now - dt.timedelta(days=2)).isoformat(),
        "returned_at": now.isoformat(),
        "timeliness": "early",
        "handled_by": "officer-9",
        "return_method": "postal",
    }
    payload.update(data)
    event = CloudEvent(
        id=new_event_id(),
        source="/dossier-api",
        type="vn.motcua.dossier.returned",
        subject=code,
        time=now,
        data=payload,
    )
    if contract:
        validate_event(event)
    return event


def signed(event: CloudEvent, secret: str = INBOX_SECRET) -> dict[str, Any]:
    """The request dossier-api's dispatcher makes (Standard Webhooks)."""
    body = event.to_json()
    moment = utcnow()
    return {
        "content": body,
        "headers": {
            "content-type": "application/cloudevents+json",
            "webhook-id": event.id,
            "webhook-timestamp": str(int(moment.timestamp())),
            "webhook-signature": Webhook(secret).sign(event.id, moment, body.decode()),
        },
    }


async def deliver(client: httpx.AsyncClient, event: CloudEvent) -> httpx.Response:
    return await client.post("/internal/events", **signed(event))


async def invitations(database: RolledBackDatabase) -> list[Invitation]:
    async with database.transaction(write=False) as session:
        return list((await session.scalars(select(Invitation).order_by(Invitation.id))).all())


async def test_a_returned_dossier_is_invited_once_whatever_the_redeliveries(
    client: httpx.AsyncClient, tokens: TokenFactory, survey_database: RolledBackDatabase
) -> None:
    questionnaire = await publish(client, tokens)
    event = returned_event()
    first = await deliver(client, event)
    assert first.status_code == 200, first.text
    assert first.json() == {"status": "applied"}
    (invitation,) = await invitations(survey_database)
    assert (invitation.dossier_code, invitation.procedure_code, invitation.agency_code, invitation.channel) == (
        "SNGV-260301-0042",
        "1.000948",
        "SNGV",
        "postal",
    )
    assert invitation.officer_id == "officer-9"  # the officer who resolved it, not the return desk
    assert invitation.questionnaire_id == questionnaire["id"]
    assert invitation.created_by == f"event:{event.id}"
    token_hash = invitation.token_hash

    # The same event again (the dispatcher did not see the first answer): recognised, not applied.
    assert (await deliver(client, event)).json() == {"status": "duplicate"}
    # Another dossier.returned of the same dossier (a new event id): applied, and changes nothing.
    assert (await deliver(client, returned_event(handled_by="officer-2"))).json() == {"status": "applied"}
    (unchanged,) = await invitations(survey_database)
    assert (unchanged.id, unchanged.token_hash, unchanged.officer_id) == (invitation.id, token_hash, "officer-9")
    stats = (await client.get(f"{BASE}/stats", headers=tokens.headers("reporter"))).json()
    assert stats["invitations"] == 1
    async with survey_database.transaction(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(ProcessedEvent)) == 2


async def test_the_citizen_gets_the_link_by_a_reissue(
    client: httpx.AsyncClient, tokens: TokenFactory, survey_database: RolledBackDatabase
) -> None:
    """The event's invitation has a link nobody saw; the return desk (or the portal) asks for one."""
    questionnaire = await publish(client, tokens)
    assert (await deliver(client, returned_event("SNGV-260301-0043"))).status_code == 200
    created = await client.post(
        f"{BASE}/invitations", json={**_invitation_body("SNGV-260301-0043")}, headers=tokens.headers("integration")
    )
    assert_problem(created, 409, "invitation_exists")
    issued = await client.post(
        f"{BASE}/invitations/reissue",
        json={"dossier_code": "SNGV-260301-0043"},
        headers=tokens.headers("reception_officer"),
    )
    assert issued.status_code == 200, issued.text
    assert issued.json()["link"].endswith(issued.json()["token"])
    answered = await answer_online(client, issued.json()["token"], questionnaire)
    assert answered.status_code == 201, answered.text
    (event,) = await events(survey_database)
    assert (event["subject"], event["data"]["channel"]) == ("SNGV-260301-0043", "postal")


def _invitation_body(code: str) -> dict[str, Any]:
    return {
        "dossier_code": code,
        "procedure_code": "1.000948",
        "agency_code": "SNGV",
        "channel": "postal",
        "officer_id": "officer-9",
    }


async def test_a_dossier_invited_by_hand_is_left_as_it_is(
    client: httpx.AsyncClient, tokens: TokenFactory, survey_database: RolledBackDatabase
) -> None:
    await publish(client, tokens)
    by_hand = await invite(client, tokens, dossier_code="SNGV-260301-0044", officer_id="officer-1")
    assert (await deliver(client, returned_event("SNGV-260301-0044"))).json() == {"status": "applied"}
    (invitation,) = await invitations(survey_database)
    assert (invitation.id, invitation.officer_id) == (by_hand["id"], "officer-1")


async def test_the_returning_officer_is_evaluated_when_nobody_resolved_it_here(
    client: httpx.AsyncClient, tokens: TokenFactory, survey_database: RolledBackDatabase
) -> None:
    await publish(client, tokens)
    assert (await deliver(client, returned_event(handled_by=None))).status_code == 200
    (invitation,) = await invitations(survey_database)
    assert invitation.officer_id == "desk-3"


async def test_other_events_are_ignored(
    client: httpx.AsyncClient, tokens: TokenFactory, survey_database: RolledBackDatabase
) -> None:
    await publish(client, tokens)
    received = returned_event(action="receive", status="received")
    other = CloudEvent(**{**received.model_dump(), "type": "vn.motcua.dossier.received"})
    assert (await deliver(client, other)).json() == {"status": "ignored"}
    assert await invitations(survey_database) == []


async def test_an_event_that_cannot_be_applied_is_refused_and_can_come_again(
    client: httpx.AsyncClient, tokens: TokenFactory, survey_database: RolledBackDatabase
) -> None:
    """Refused (so the producer retries, then keeps a dead letter), never marked as processed."""
    event = returned_event("SNGV-260301-0045")
    assert_problem(await deliver(client, event), 409, "no_current_questionnaire")
    broken = returned_event("bad code", contract=False, channel="carrier pigeon")
    refused = assert_problem(await deliver(client, broken), 422, "invalid_event_data")
    assert {e["field"] for e in refused["errors"]} == {"data.code", "data.channel"}
    assert await invitations(survey_database) == []
    # Once a questionnaire is published, the same event (redelivered) is applied.
    await publish(client, tokens)
    assert (await deliver(client, event)).json() == {"status": "applied"}
    assert [i.dossier_code for i in await invitations(survey_database)] == ["SNGV-260301-0045"]


async def test_the_inbox_takes_only_events_signed_with_its_secret(
    client: httpx.AsyncClient, tokens: TokenFactory, survey_database: RolledBackDatabase, survey_app: FastAPI
) -> None:
    await publish(client, tokens)
    forged = await client.post("/internal/events", **signed(returned_event(), secret=new_secret()))
    assert_problem(forged, 401, "invalid_signature")
    assert await invitations(survey_database) == []
    assert "/internal/events" not in (await client.get("/openapi.json")).json()["paths"]
    closed = create_app(
        SurveySettings(_env_file=None, environment="test", auth=tokens.auth_settings()), database=survey_database
    )
    async with api_client(closed) as no_inbox:
        assert_problem(await deliver(no_inbox, returned_event()), 503, "inbox_disabled")


def test_the_dispatch_command_builds_the_surveys_dispatcher_from_its_settings(
    monkeypatch: pytest.MonkeyPatch, survey_database: RolledBackDatabase
) -> None:
    monkeypatch.setenv("SURVEY_EVENTS__BATCH_SIZE", "7")
    monkeypatch.setenv("SURVEY_EVENTS__INBOX_SECRET", INBOX_SECRET)
    settings = SurveySettings(_env_file=None)
    dispatcher = survey_dispatcher(settings, survey_database)
    assert (dispatcher.store, dispatcher.settings.batch_size) == (STORE, 7)
    assert settings.events.inbox_secret is not None
    assert settings.events.inbox_secret.get_secret_value() == INBOX_SECRET
