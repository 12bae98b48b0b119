"""Processing actions: the state machine, the clock (supplement, pauses, fees, reschedule), the timeline."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import httpx
import pytest
import time_machine
from fastapi import FastAPI
from sqlalchemy import select

from dossier_api.actions.router import router
from dossier_api.actions.state_machine import TRANSITIONS, Action, allowed_actions
from dossier_api.models import DossierStatus, TimelineEntry
from dossier_api.models.dossier import PortalStatus
from motcua_kit.testing import RolledBackDatabase, TokenFactory, api_client, assert_problem, error_fields
from tests.dossier_api.factories import act, act_ok, at, dossier_payload, receive


def due(body: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(body["due_at"])


async def received_on_monday(client: httpx.AsyncClient, tokens: TokenFactory) -> str:
    """A dossier received Monday 9 March 2026 at 09:00, 5 working days: due Monday 16 March 09:00."""
    with time_machine.travel(at(2026, 3, 9, 9), tick=False):
        body = await receive(client, tokens)
    assert due(body) == at(2026, 3, 16, 9)
    code: str = body["code"]
    return code


def test_the_state_machine_covers_the_ten_portal_statuses() -> None:
    assert [s.portal_code for s in DossierStatus] == [p.value for p in PortalStatus]
    reachable = {DossierStatus.REGISTERED} | {
        rule.target for rule in TRANSITIONS.values() if isinstance(rule.target, DossierStatus)
    }
    assert reachable == set(DossierStatus)
    finished = {DossierStatus.REFUSED, DossierStatus.WITHDRAWN, DossierStatus.STOPPED, DossierStatus.RETURNED}
    for status in finished:
        assert allowed_actions(status) == [], status


async def test_a_dossier_from_reception_to_returned_result(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    code = await received_on_monday(client, tokens)
    with time_machine.travel(at(2026, 3, 9, 10), tick=False):
        body = await act_ok(
            client,
            tokens,
            code,
            "assign",
            {"unit": "Phòng Lãnh sự", "officer": "officer-7"},
            role="leader",
            unit="Ban Giám đốc",
            name="Lê Văn Cường",
        )
    assert (body["status"], body["portal_status"], body["assigned_officer"]) == ("processing", 4, "officer-7")

    # Tuesday: a supplement (within 3 working days); the clock stops.
    with time_machine.travel(at(2026, 3, 10, 10), tick=False):
        body = await act_ok(client, tokens, code, "supplement-request", {"items": ["Bản sao hộ chiếu còn hạn"]})
    assert (body["status"], body["portal_status"], body["paused"]) == ("supplement_requested", 5, True)

    # Thursday 14:00 it arrives: the deadline is recounted from then, 5 working days -> Thursday 19 March 14:00.
    with time_machine.travel(at(2026, 3, 12, 14), tick=False):
        body = await act_ok(client, tokens, code, "supplement", role="reception_officer")
    assert body["status"] == "processing"
    assert body["clock_started_at"] is not None
    assert due(body) == at(2026, 3, 19, 14)
    assert not body["paused"]

    # Paused from Friday 09:00 to Monday 09:00: 6 + 2 working hours = one working day.
    with time_machine.travel(at(2026, 3, 13, 9), tick=False):
        body = await act_ok(client, tokens, code, "pause", {"reason": "Chờ ý kiến của cơ quan công an"})
    assert body["paused"]
    with time_machine.travel(at(2026, 3, 16, 9), tick=False):
        body = await act_ok(client, tokens, code, "resume")
    assert due(body) == at(2026, 3, 20, 14)

    with time_machine.travel(at(2026, 3, 16, 10), tick=False):
        body = await act_ok(client, tokens, code, "fees")
        assert (body["status"], body["portal_status"], body["fees_amount_vnd"]) == ("awaiting_fees", 6, 200_000)
        body = await act_ok(client, tokens, code, "payment", {"method": "online"}, role="integration")
    assert body["status"] == "processing"
    assert due(body) == at(2026, 3, 20, 14)

    with time_machine.travel(at(2026, 3, 18, 15), tick=False):
        body = await act_ok(
            client, tokens, code, "resolve", {"result_number": "123/QĐ-SNGV", "result_date": "2026-03-18"}
        )
    assert (body["status"], body["portal_status"], body["timeliness"], body["progress"]) == (
        "resolved",
        9,
        "early",
        None,
    )

    with time_machine.travel(at(2026, 3, 19, 9), tick=False):
        body = await act_ok(
            client,
            tokens,
            code,
            "return",
            {"method": "post", "tracking_number": "EB123456789VN", "address": "12 Trần Phú, Đà Nẵng"},
            role="reception_officer",
        )
    assert (body["status"], body["portal_status"], body["return_tracking_number"]) == (
        "returned",
        10,
        "EB123456789VN",
    )

    timeline = (await client.get(f"/api/v1/dossiers/{code}/timeline", headers=tokens.headers("leader"))).json()
    assert [e["action"] for e in timeline] == [
        "register",
        "receive",
        "assign",
        "request_supplement",
        "complete_supplement",
        "pause",
        "resume",
        "request_fees",
        "record_payment",
        "resolve",
        "return_result",
    ]
    assign = timeline[2]
    assert (assign["actor_role"], assign["actor_unit"], assign["actor_name"]) == (
        "leader",
        "Ban Giám đốc",
        "Lê Văn Cường",
    )
    assert assign["status_before"] == "received"
    assert assign["status_after"] == "processing"
    assert dt.datetime.fromisoformat(assign["step_deadline"]) == at(2026, 3, 16, 9)
    assert dt.datetime.fromisoformat(timeline[4]["step_deadline"]) == at(2026, 3, 19, 14)


async def test_resolution_after_the_due_day_is_late(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    code = await received_on_monday(client, tokens)
    with time_machine.travel(at(2026, 3, 16, 16), tick=False):
        on_due_day = await client.get(f"/api/v1/dossiers/{code}", headers=tokens.headers("leader"))
        assert on_due_day.json()["progress"] == "in_time"
    with time_machine.travel(at(2026, 3, 17, 8), tick=False):
        assert (await client.get(f"/api/v1/dossiers/{code}", headers=tokens.headers("leader"))).json()[
            "progress"
        ] == "overdue"
        body = await act_ok(client, tokens, code, "resolve", {"result_number": "9/GP", "result_date": "2026-03-17"})
    assert body["timeliness"] == "late"


async def test_supplement_only_within_three_working_days(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    code = await received_on_monday(client, tokens)
    # Reception Monday 9: the window ends with the third working day after it, Thursday 12 March.
    with time_machine.travel(at(2026, 3, 13, 8), tick=False):
        response = await act(client, tokens, code, "supplement-request", {"items": ["Ảnh 3x4"]})
    assert_problem(response, 422, "supplement_too_late")
    with time_machine.travel(at(2026, 3, 12, 16), tick=False):
        await act_ok(client, tokens, code, "supplement-request", {"items": ["Ảnh 3x4"]})


async def test_a_supplement_is_requested_once(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    code = await received_on_monday(client, tokens)
    with time_machine.travel(at(2026, 3, 10, 9), tick=False):
        await act_ok(client, tokens, code, "supplement-request", {"items": ["Ảnh 3x4"]})
        await act_ok(client, tokens, code, "supplement", role="reception_officer")
        response = await act(client, tokens, code, "supplement-request", {"items": ["Tờ khai"]})
    assert_problem(response, 422, "second_supplement")


async def test_supplement_request_lists_items(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    code = await received_on_monday(client, tokens)
    with time_machine.travel(at(2026, 3, 10, 9), tick=False):
        response = await act(client, tokens, code, "supplement-request", {"items": []})
    assert error_fields(assert_problem(response, 422)) == {"items"}


async def test_reschedule_once_and_before_the_due_date(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    code = await received_on_monday(client, tokens)
    apology = {"additional_working_days": 3, "apology": "Xin lỗi ông/bà vì cần xác minh thêm thông tin."}
    with time_machine.travel(at(2026, 3, 13, 9), tick=False):
        assert_problem(await act(client, tokens, code, "reschedule", apology), 403)
        body = await act_ok(client, tokens, code, "reschedule", apology, role="leader")
        assert body["rescheduled"]
        assert due(body) == at(2026, 3, 19, 9)
        assert_problem(await act(client, tokens, code, "reschedule", apology, role="leader"), 422, "second_reschedule")
    timeline = (await client.get(f"/api/v1/dossiers/{code}/timeline", headers=tokens.headers("leader"))).json()
    assert timeline[-1]["details"]["previous_due_at"].startswith("2026-03-16T02:00:00")


async def test_no_reschedule_once_the_due_date_has_passed(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    code = await received_on_monday(client, tokens)
    apology = {"additional_working_days": 2, "apology": "Xin lỗi."}
    with time_machine.travel(at(2026, 3, 16, 10), tick=False):
        response = await act(client, tokens, code, "reschedule", apology, role="leader")
    assert_problem(response, 422, "reschedule_after_due")


async def test_transfer_takes_a_share_of_the_deadline(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    code = await received_on_monday(client, tokens)
    with time_machine.travel(at(2026, 3, 9, 10), tick=False):
        too_long = await act(client, tokens, code, "transfer", {"to_agency": "CAT", "share_working_days": 6})
        assert_problem(too_long, 422, "share_exceeds_deadline")
        assert_problem(
            await act(client, tokens, code, "transfer", {"to_agency": "SNGV", "share_working_days": 1}),
            422,
            "transfer_to_self",
        )
        body = await act_ok(client, tokens, code, "transfer", {"to_agency": "CAT", "share_working_days": 2})
        assert (body["current_agency"], body["agency_code"], body["status"]) == ("CAT", "SNGV", "processing")
        resolve = {"result_number": "1/GP", "result_date": "2026-03-09"}
        assert_problem(await act(client, tokens, code, "resolve", resolve), 409, "transfer_not_returned")
        body = await act_ok(client, tokens, code, "transfer-return", role="integration")
        assert body["current_agency"] == "SNGV"
        assert (await act_ok(client, tokens, code, "resolve", resolve))["status"] == "resolved"
    timeline = (await client.get(f"/api/v1/dossiers/{code}/timeline", headers=tokens.headers("leader"))).json()
    transfer = next(e for e in timeline if e["action"] == "transfer")
    assert dt.datetime.fromisoformat(transfer["step_deadline"]) == at(2026, 3, 11, 10)


async def test_actions_outside_the_state_machine_are_409(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    citizen = tokens.headers("citizen", subject="citizen-9")
    online = await client.post("/api/v1/dossiers", json=dossier_payload(channel="online"), headers=citizen)
    code = online.json()["code"]
    body = assert_problem(
        await act(client, tokens, code, "resolve", {"result_number": "1", "result_date": "2026-01-01"}),
        409,
        "action_not_allowed",
    )
    assert (body["action"], body["current_status"]) == ("resolve", "registered")
    assert_problem(await act(client, tokens, code, "return", {"method": "online"}, role="reception_officer"), 409)
    assert_problem(await act(client, tokens, code, "payment", {"method": "cash"}), 409, "action_not_allowed")


async def test_an_online_filing_is_received_or_refused(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    citizen = tokens.headers("citizen", subject="citizen-5")
    first = (await client.post("/api/v1/dossiers", json=dossier_payload(channel="online"), headers=citizen)).json()
    second = (await client.post("/api/v1/dossiers", json=dossier_payload(channel="online"), headers=citizen)).json()
    received = await act_ok(client, tokens, first["code"], "receive", role="reception_officer")
    assert (received["status"], received["due_at"] is not None) == ("received", True)
    refused = await act_ok(
        client, tokens, second["code"], "refuse", {"reason": "Hồ sơ nộp sai cơ quan."}, role="reception_officer"
    )
    assert (refused["status"], refused["portal_status"], refused["closing_reason"]) == (
        "refused",
        3,
        "Hồ sơ nộp sai cơ quan.",
    )
    # Refusal is for reception; a received dossier is stopped instead.
    assert_problem(await act(client, tokens, first["code"], "refuse", {"reason": "x"}, role="reception_officer"), 409)


async def test_the_applicant_withdraws_their_own_dossier(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    citizen = tokens.headers("citizen", subject="citizen-1")
    code = (await client.post("/api/v1/dossiers", json=dossier_payload(channel="online"), headers=citizen)).json()[
        "code"
    ]
    stranger = await act(client, tokens, code, "withdraw", {"reason": "Không cần nữa"}, role="citizen", sub="x")
    assert_problem(stranger, 404, "dossier_not_found")
    body = await act_ok(client, tokens, code, "withdraw", {"reason": "Không cần nữa"}, role="citizen", sub="citizen-1")
    assert (body["status"], body["portal_status"]) == ("withdrawn", 7)
    assert_problem(await act(client, tokens, code, "stop", {"reason": "x"}), 409, "action_not_allowed")


async def test_stop_processing(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    code = await received_on_monday(client, tokens)
    with time_machine.travel(at(2026, 3, 10, 9), tick=False):
        await act_ok(client, tokens, code, "pause", {"reason": "Chờ xác minh"})
        body = await act_ok(client, tokens, code, "stop", {"reason": "Người nộp không bổ sung."}, role="leader")
    assert (body["status"], body["portal_status"], body["paused"]) == ("stopped", 8, False)


async def test_a_paused_dossier_is_resumed_before_anything_else(
    client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    code = await received_on_monday(client, tokens)
    with time_machine.travel(at(2026, 3, 10, 9), tick=False):
        await act_ok(client, tokens, code, "pause", {"reason": "Chờ xác minh"})
        assert_problem(await act(client, tokens, code, "pause", {"reason": "again"}), 409, "already_paused")
        resolve = {"result_number": "1", "result_date": "2026-03-10"}
        assert_problem(await act(client, tokens, code, "resolve", resolve), 409, "dossier_paused")
        await act_ok(client, tokens, code, "resume")
        assert_problem(await act(client, tokens, code, "resume"), 409, "not_paused")


async def test_a_result_date_outside_reception_and_today_is_422(
    client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    code = await received_on_monday(client, tokens)
    with time_machine.travel(at(2026, 3, 10, 9), tick=False):
        for day in ("2026-03-08", "2026-03-11"):
            response = await act(client, tokens, code, "resolve", {"result_number": "1", "result_date": day})
            assert_problem(response, 422, "implausible_result_date")


async def test_return_by_post_needs_a_tracking_number(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    code = await received_on_monday(client, tokens)
    response = await act(client, tokens, code, "return", {"method": "post"}, role="reception_officer")
    assert error_fields(assert_problem(response, 422)) == {"tracking_number"}


async def test_actions_need_if_match(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    code = (await receive(client, tokens))["code"]
    url = f"/api/v1/dossiers/{code}/assign"
    headers = tokens.headers("leader")
    assert_problem(await client.post(url, json={"unit": "P1"}, headers=headers), 428, "if_match_required")
    stale = {**headers, "If-Match": f'"dossier-{code}-v0"'}
    assert_problem(await client.post(url, json={"unit": "P1"}, headers=stale), 412, "stale_version")


@pytest.mark.parametrize(
    ("action", "role"),
    [("assign", "processing_officer"), ("resolve", "reception_officer"), ("stop", "citizen"), ("pause", "reporter")],
)
async def test_actions_need_their_roles(
    client: httpx.AsyncClient, tokens: TokenFactory, action: str, role: str
) -> None:
    code = (await receive(client, tokens))["code"]
    assert_problem(await act(client, tokens, code, action, {}, role=role), 403, "missing_role")


async def test_of_two_concurrent_actions_exactly_one_wins(committing_app: FastAPI, tokens: TokenFactory) -> None:
    async with api_client(committing_app) as client:
        code = (await receive(client, tokens))["code"]
        etag = (await client.get(f"/api/v1/dossiers/{code}", headers=tokens.headers("leader"))).headers["etag"]
        headers = {**tokens.headers("leader"), "If-Match": etag}
        responses = await asyncio.gather(
            client.post(f"/api/v1/dossiers/{code}/assign", json={"unit": "Phòng A"}, headers=headers),
            client.post(f"/api/v1/dossiers/{code}/stop", json={"reason": "Trùng hồ sơ"}, headers=headers),
        )
        statuses = sorted(r.status_code for r in responses)
        assert statuses[0] == 200
        assert statuses[1] in {409, 412}
        timeline = (await client.get(f"/api/v1/dossiers/{code}/timeline", headers=tokens.headers("leader"))).json()
    assert len(timeline) == 3  # register, receive, and the one action that won


async def test_timeline_entries_cannot_be_changed(
    client: httpx.AsyncClient, tokens: TokenFactory, dossier_database: RolledBackDatabase
) -> None:
    await receive(client, tokens)
    async with dossier_database.sessionmaker() as session:
        first = await session.scalar(select(TimelineEntry).limit(1))
        assert first is not None
        first.note = "rewritten history"
        with pytest.raises(RuntimeError, match="immutable"):
            await session.flush()
        await session.rollback()


def test_every_action_has_an_endpoint() -> None:
    paths = {route.path.rsplit("/", 1)[-1] for route in router.routes}  # type: ignore[attr-defined]
    assert len(paths) == len(Action)
