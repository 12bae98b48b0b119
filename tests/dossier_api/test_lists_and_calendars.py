"""Staff lists (filters, masking, own dossiers only for applicants) and agency calendars as data."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import httpx
import pytest
import time_machine
from fastapi import FastAPI

from motcua_kit.testing import TokenFactory, assert_problem, error_fields
from tests.dossier_api.factories import act_ok, at, dossier_payload, receive
from tests.dossier_api.fake_catalog import FakeCatalog, procedure_version


async def listing(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = await client.get("/api/v1/dossiers", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_filters(client: httpx.AsyncClient, tokens: TokenFactory, fake_catalog: FakeCatalog) -> None:
    fake_catalog.add(procedure_version("2.002001"))
    with time_machine.travel(at(2026, 3, 9, 9), tick=False):
        early = (await receive(client, tokens, procedure_code="2.002001"))["code"]
        postal = (await receive(client, tokens, procedure_code="2.002001", channel="postal"))["code"]
        await act_ok(client, tokens, early, "assign", {"unit": "P1", "officer": "officer-2"}, role="leader")
    with time_machine.travel(at(2026, 3, 20, 9), tick=False):
        staff = tokens.headers("processing_officer")
        later = (
            await receive(
                client, tokens, procedure_code="2.002001", intermediary={"code": "TCTG-9", "name": "Hội Luật gia"}
            )
        )["code"]

        def codes(body: dict[str, Any]) -> set[str]:
            return {item["code"] for item in body["items"]}

        scope = {"procedure": "2.002001"}
        assert codes(await listing(client, staff, **scope)) == {early, postal, later}
        assert codes(await listing(client, staff, **scope, channel="postal")) == {postal}
        assert codes(await listing(client, staff, **scope, status="processing")) == {early}
        assert codes(await listing(client, staff, **scope, officer="officer-2")) == {early}
        assert codes(await listing(client, staff, **scope, intermediary="TCTG-9")) == {later}
        assert codes(await listing(client, staff, **scope, overdue="true")) == {early, postal}
        assert codes(await listing(client, staff, **scope, overdue="false")) == {later}
        assert codes(await listing(client, staff, **scope, received_from="2026-03-10")) == {later}
        assert codes(await listing(client, staff, **scope, received_to="2026-03-09")) == {early, postal}
        assert codes(await listing(client, staff, **scope, due_before="2026-03-17T00:00:00+07:00")) == {early, postal}
        assert codes(await listing(client, staff, **scope, agency="SNGV")) == {early, postal, later}
        page = await listing(client, staff, **scope, sort="due_at", size=1)
        assert (page["total"], page["items"][0]["progress"]) == (3, "overdue")


async def test_leaders_see_personal_data_masked(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    code = (await receive(client, tokens))["code"]
    officer = (await listing(client, tokens.headers("reception_officer")))["items"]
    leader_items = (await listing(client, tokens.headers("leader")))["items"]
    mine = next(i for i in officer if i["code"] == code)
    masked = next(i for i in leader_items if i["code"] == code)
    assert (mine["applicant_name"], mine["applicant_phone"]) == ("Nguyễn Văn An", "0905123456")
    assert (masked["applicant_name"], masked["applicant_phone"]) == ("N*** V*** A***", "*******456")
    detail = (await client.get(f"/api/v1/dossiers/{code}", headers=tokens.headers("leader"))).json()
    assert detail["applicant"]["id_number"] == "*********234"
    assert detail["applicant"]["email"] is None


async def test_citizens_and_intermediaries_see_only_their_own(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    await receive(client, tokens)
    alice = tokens.headers("citizen", subject="alice")
    bob = tokens.headers("citizen", subject="bob")
    mine = (await client.post("/api/v1/dossiers", json=dossier_payload(channel="online"), headers=alice)).json()
    await client.post("/api/v1/dossiers", json=dossier_payload(channel="online"), headers=bob)
    assert [i["code"] for i in (await listing(client, alice))["items"]] == [mine["code"]]
    assert (await listing(client, alice))["items"][0]["applicant_name"] == "Nguyễn Văn An"

    org = tokens.headers("intermediary", subject="clerk-1", agency="TCTG-1")
    filed = await client.post(
        "/api/v1/dossiers",
        json=dossier_payload(channel="online", intermediary={"code": "TCTG-1", "name": "Trung tâm"}),
        headers=org,
    )
    # The same organisation's other clerk sees it too; another organisation does not.
    colleague = tokens.headers("intermediary", subject="clerk-2", agency="TCTG-1")
    other = tokens.headers("intermediary", subject="clerk-3", agency="TCTG-2")
    assert [i["code"] for i in (await listing(client, colleague))["items"]] == [filed.json()["code"]]
    assert (await listing(client, other))["total"] == 0


@pytest.mark.parametrize(
    "params",
    [{"status": "lost"}, {"sort": "applicant_name"}, {"size": "1000"}, {"received_from": "yesterday"}],
)
async def test_bad_list_parameters_are_422(
    client: httpx.AsyncClient, tokens: TokenFactory, params: dict[str, str]
) -> None:
    response = await client.get("/api/v1/dossiers", params=params, headers=tokens.headers("leader"))
    assert_problem(response, 422)


# --- calendars -----------------------------------------------------------------------------------


async def test_the_national_calendar_is_version_zero(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/calendars/SNGV")
    assert response.status_code == 200
    assert response.headers["etag"] == '"calendar-SNGV-v0"'
    body = response.json()
    assert (body["version"], body["rules"]["days_off"], len(body["rules"]["periods"])) == (0, [], 2)


async def test_working_periods_are_documented_as_local_times(client: httpx.AsyncClient, dossier_app: FastAPI) -> None:
    """Found by fuzzing: the schema said `format: time` (RFC 3339, with an offset) for times that never have one."""
    period = dossier_app.openapi()["components"]["schemas"]["Period"]["properties"]["start"]
    assert "format" not in period
    body = (await client.get("/api/v1/calendars/SNGV")).json()
    for served in body["rules"]["periods"]:
        assert re.fullmatch(period["pattern"], served["start"])
        assert re.fullmatch(period["pattern"], served["end"])


async def test_due_date_preview(client: httpx.AsyncClient) -> None:
    # Hung Kings' day 2026 is Sunday 26 April -> off Monday 27 April; 30 April and 1 May are Thursday and Friday.
    response = await client.get(
        "/api/v1/calendars/SNGV/due-date", params={"start": "2026-04-24T16:00:00+07:00", "working_days": 3}
    )
    body = response.json()
    # Friday 16:00, 3 working days: Tue 28, Wed 29, then Monday 4 May; due at 16:00.
    assert dt.datetime.fromisoformat(body["due_at"]) == at(2026, 5, 4, 16)
    assert body["calendar_version"] == 0
    after_hours = await client.get(
        "/api/v1/calendars/SNGV/due-date", params={"start": "2026-04-24T19:00:00+07:00", "working_hours": 4}
    )
    assert dt.datetime.fromisoformat(after_hours.json()["clock_started_at"]) == at(2026, 4, 28, 7)


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2026-04-24T16:00:00+07:00"},
        {"start": "2026-04-24T16:00:00+07:00", "working_days": 1, "working_hours": 1},
        {"start": "2026-04-24T16:00:00", "working_days": 1},
        {"start": "2026-04-24T16:00:00+07:00", "working_days": -1},
        {"start": "2026-04-24T16:00:00+07:00", "working_days": 1e9},
    ],
)
async def test_bad_preview_parameters_are_422(client: httpx.AsyncClient, params: dict[str, Any]) -> None:
    assert_problem(await client.get("/api/v1/calendars/SNGV/due-date", params=params), 422)


async def test_an_edit_is_a_new_version_and_dossiers_record_theirs(
    client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    url = "/api/v1/calendars/SNGV"
    change = {
        "closures": [{"first": "2026-03-12", "last": "2026-03-13", "reason": "Chuyển trụ sở"}],
        "note": "Thông báo số 12/TB-SNGV",
    }
    assert_problem(await client.put(url, json=change, headers=tokens.headers("reception_officer")), 403)
    assert_problem(await client.put(url, json=change, headers=tokens.headers("leader")), 428)
    leader = {**tokens.headers("leader"), "If-Match": '"calendar-SNGV-v0"'}
    created = await client.put(url, json=change, headers=leader)
    assert created.status_code == 200, created.text
    assert (created.json()["version"], created.headers["etag"]) == (1, '"calendar-SNGV-v1"')
    assert_problem(await client.put(url, json=change, headers=leader), 412, "stale_version")

    with time_machine.travel(at(2026, 3, 9, 9), tick=False):
        body = await receive(client, tokens)
    # The two closed days push the appointment from Monday 16 to Wednesday 18 March.
    assert (body["calendar_version"], dt.datetime.fromisoformat(body["due_at"])) == (1, at(2026, 3, 18, 9))

    versions = (await client.get(f"{url}/versions")).json()
    assert [v["version"] for v in versions] == [1]
    assert (await client.get(f"{url}/versions/0")).json()["rules"]["closures"] == []
    assert_problem(await client.get(f"{url}/versions/7"), 404, "calendar_version_not_found")


async def test_worked_days_and_working_hours(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    change = {
        "worked_days": [{"date": "2026-03-14", "name": "Làm bù"}],
        "periods": [{"start": "08:00:00", "end": "12:00:00"}, {"start": "13:00:00", "end": "17:00:00"}],
    }
    headers = {**tokens.headers("leader"), "If-Match": "*"}
    assert (await client.put("/api/v1/calendars/HCM", json=change, headers=headers)).status_code == 200
    preview = await client.get(
        "/api/v1/calendars/HCM/due-date", params={"start": "2026-03-13T07:30:00+07:00", "working_days": 1}
    )
    # Before opening: the clock starts at 08:00 Friday; one day later is Saturday 14 (worked) at 08:00.
    body = preview.json()
    assert dt.datetime.fromisoformat(body["clock_started_at"]) == at(2026, 3, 13, 8)
    assert dt.datetime.fromisoformat(body["due_at"]) == at(2026, 3, 13, 17)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"days_off": [{"date": "2026-05-02", "name": "x"}], "worked_days": [{"date": "2026-05-02", "name": "y"}]},
            "body",
        ),
        ({"closures": [{"first": "2026-05-03", "last": "2026-05-01", "reason": "x"}]}, "closures.0"),
        ({"periods": [{"start": "13:00:00", "end": "12:00:00"}]}, "periods.0"),
        ({"periods": [{"start": "07:00:00+07:00", "end": "12:00:00+07:00"}]}, "periods.0"),
        ({"periods": [{"start": "07:00:00", "end": "12:00:00"}, {"start": "11:00:00", "end": "17:00:00"}]}, "body"),
        ({"periods": []}, "periods"),
        ({"days_off": [{"date": "1800-01-01", "name": "x"}]}, "days_off.0.date"),
        ({"closures": [{"first": "2026-01-01", "last": "2028-01-01", "reason": "x"}]}, "closures.0"),
    ],
)
async def test_inconsistent_calendars_are_422(
    client: httpx.AsyncClient, tokens: TokenFactory, change: dict[str, Any], field: str
) -> None:
    headers = {**tokens.headers("leader"), "If-Match": "*"}
    response = await client.put("/api/v1/calendars/SNGV", json=change, headers=headers)
    assert field in error_fields(assert_problem(response, 422))


async def test_malformed_agency_code_is_422(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/calendars/x"), 422)
