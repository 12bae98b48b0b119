from __future__ import annotations

import asyncio
import datetime as dt
import re

import httpx
import pytest
import time_machine
from sqlalchemy.ext.asyncio import AsyncEngine

from dossier_api.config import DossierSettings
from dossier_api.main import create_app
from motcua_kit.db import Database
from motcua_kit.testing import TokenFactory, api_client, assert_problem, error_fields
from tests.dossier_api.factories import dossier_payload
from tests.dossier_api.fake_catalog import FakeCatalog

CODE = re.compile(r"^SNGV-\d{6}-\d{4}$")


async def test_officer_receives_a_dossier(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    response = await client.post(
        "/api/v1/dossiers", json=dossier_payload(), headers=tokens.headers("reception_officer")
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert CODE.match(body["code"])
    assert body["status"] == "received"
    assert body["portal_status"] == 2
    assert body["received_at"] is not None
    assert response.headers["location"] == f"/api/v1/dossiers/{body['code']}"

    read = await client.get(f"/api/v1/dossiers/{body['code']}", headers=tokens.headers("processing_officer"))
    assert read.status_code == 200
    secret = body.pop("tracking_secret")
    assert len(secret) == 10
    assert read.json() == body


async def test_code_carries_the_vietnamese_reception_day(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    # 23:30 UTC on 31 Dec 2025 is already 1 Jan 2026 in Hanoi.
    with time_machine.travel(dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.UTC), tick=False):
        token = tokens.headers("reception_officer")
        response = await client.post("/api/v1/dossiers", json=dossier_payload(), headers=token)
    assert response.json()["code"].startswith("SNGV-260101-")


async def test_codes_number_the_day_in_sequence(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    headers = tokens.headers("reception_officer")
    codes = [
        (await client.post("/api/v1/dossiers", json=dossier_payload(), headers=headers)).json()["code"]
        for _ in range(3)
    ]
    numbers = [int(c.rsplit("-", 1)[1]) for c in codes]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]


async def test_citizen_files_online_and_awaits_reception(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    citizen = tokens.headers("citizen", subject="citizen-1")
    response = await client.post("/api/v1/dossiers", json=dossier_payload(channel="online"), headers=citizen)
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["portal_status"], body["received_at"]) == ("registered", 1, None)
    assert (await client.get(f"/api/v1/dossiers/{body['code']}", headers=citizen)).status_code == 200
    stranger = tokens.headers("citizen", subject="citizen-2")
    assert_problem(await client.get(f"/api/v1/dossiers/{body['code']}", headers=stranger), 404, "dossier_not_found")


async def test_citizen_cannot_enter_an_in_person_dossier(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    response = await client.post("/api/v1/dossiers", json=dossier_payload(), headers=tokens.headers("citizen"))
    assert_problem(response, 403, "channel_not_allowed")


@pytest.mark.parametrize("role", ["leader", "catalog_editor", "survey_admin", "reporter"])
async def test_reception_needs_a_receiving_role(client: httpx.AsyncClient, tokens: TokenFactory, role: str) -> None:
    assert_problem(await client.post("/api/v1/dossiers", json=dossier_payload(), headers=tokens.headers(role)), 403)


async def test_anonymous_cannot_read_or_write(client: httpx.AsyncClient) -> None:
    assert_problem(await client.post("/api/v1/dossiers", json=dossier_payload()), 401)
    assert_problem(await client.get("/api/v1/dossiers/SNGV-260101-0001"), 401)


async def test_invalid_identity_number_and_phone_are_422(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    payload = dossier_payload(
        applicant={"name": "A", "id_number": "12345", "phone": "12345", "email": "not-an-email"}, channel="fax"
    )
    response = await client.post("/api/v1/dossiers", json=payload, headers=tokens.headers("reception_officer"))
    body = assert_problem(response, 422)
    assert error_fields(body) == {"applicant.id_number", "applicant.phone", "applicant.email", "channel"}


async def test_submission_in_the_future_is_422(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    response = await client.post(
        "/api/v1/dossiers", json=dossier_payload(submitted_at=future), headers=tokens.headers("reception_officer")
    )
    assert error_fields(assert_problem(response, 422, "submitted_in_future")) == {"submitted_at"}


async def test_naive_submission_time_is_422(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    response = await client.post(
        "/api/v1/dossiers",
        json=dossier_payload(submitted_at="2026-01-01T08:00:00"),
        headers=tokens.headers("reception_officer"),
    )
    assert error_fields(assert_problem(response, 422)) == {"submitted_at"}


@pytest.mark.parametrize("instant", ["0001-01-01T00:00:00+07:00", "9999-12-31T23:59:59-07:00", "1800-01-01T00:00:00Z"])
async def test_absurd_submission_times_are_422(client: httpx.AsyncClient, tokens: TokenFactory, instant: str) -> None:
    response = await client.post(
        "/api/v1/dossiers", json=dossier_payload(submitted_at=instant), headers=tokens.headers("reception_officer")
    )
    assert error_fields(assert_problem(response, 422)) == {"submitted_at"}


async def test_malformed_code_is_422_and_unknown_is_404(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    headers = tokens.headers("reception_officer")
    assert_problem(await client.get("/api/v1/dossiers/not-a-code", headers=headers), 422)
    assert_problem(await client.get("/api/v1/dossiers/SNGV-990101-0001", headers=headers), 404)


async def test_concurrent_receptions_get_distinct_codes(
    dossier_engine: AsyncEngine, dossier_settings: DossierSettings, tokens: TokenFactory, fake_catalog: FakeCatalog
) -> None:
    """Many receptions at once, each in its own transaction on the real engine: no code twice."""
    app = create_app(dossier_settings, database=Database(dossier_engine), catalog_transport=fake_catalog.transport)
    app.state.database.dispose = _keep_engine  # the engine belongs to the test session
    headers = tokens.headers("reception_officer")
    async with api_client(app) as client:
        responses = await asyncio.gather(
            *(client.post("/api/v1/dossiers", json=dossier_payload(), headers=headers) for _ in range(20))
        )
    assert [r.status_code for r in responses] == [201] * 20
    codes = {r.json()["code"] for r in responses}
    assert len(codes) == 20


async def _keep_engine() -> None:
    return None
