from __future__ import annotations

import asyncio
import datetime as dt
import re
from typing import Any

import httpx
import pytest
import time_machine
from fastapi import FastAPI

from motcua_kit.testing import TokenFactory, api_client, assert_problem, error_fields
from tests.dossier_api.factories import HANOI, at, dossier_payload, receive
from tests.dossier_api.fake_catalog import FakeCatalog, procedure_version

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


async def test_nul_characters_are_422_naming_the_field(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    """PostgreSQL refuses NUL in text (a probe beside the fuzzing found it), so this was a 500 there."""
    payload = dossier_payload(applicant={"name": "Lê\x00Văn", "address": "12 Trần Phú\x00"})
    response = await client.post("/api/v1/dossiers", json=payload, headers=tokens.headers("reception_officer"))
    assert error_fields(assert_problem(response, 422)) == {"applicant.name", "applicant.address"}


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


async def test_concurrent_receptions_get_distinct_codes(committing_app: FastAPI, tokens: TokenFactory) -> None:
    """Many receptions at once, each in its own transaction on a real engine: no code twice."""
    headers = tokens.headers("reception_officer")
    async with api_client(committing_app) as client:
        responses = await asyncio.gather(
            *(client.post("/api/v1/dossiers", json=dossier_payload(), headers=headers) for _ in range(20))
        )
    assert [r.status_code for r in responses] == [201] * 20
    codes = {r.json()["code"] for r in responses}
    assert len(codes) == 20


# --- the catalogue -------------------------------------------------------------------------------


async def test_the_procedure_version_in_force_is_snapshotted(
    client: httpx.AsyncClient, tokens: TokenFactory, fake_catalog: FakeCatalog
) -> None:
    body = await receive(client, tokens)
    assert body["procedure"] == {
        "code": "1.000948",
        "version": 3,
        "name": "Cấp thẻ đi lại của doanh nhân APEC (thẻ ABTC)",
        "processing_time": {"value": 5.0, "unit": "working_days"},
        "fees": [{"amount_vnd": 200000, "description_vi": "Lệ phí cấp thẻ", "description_en": None, "unit": "VND/thẻ"}],
        "source": "catalog",
    }
    asked = fake_catalog.requests[-1]
    assert asked.url.params["at"] == dt.datetime.now(HANOI).date().isoformat()
    # A later amendment of the catalogue does not change the dossier.
    fake_catalog.add(procedure_version(version=4, name_vi="Tên mới"))
    read = await client.get(f"/api/v1/dossiers/{body['code']}", headers=tokens.headers("reception_officer"))
    assert read.json()["procedure"]["version"] == 3


async def test_unknown_procedure_is_422(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    response = await client.post(
        "/api/v1/dossiers", json=dossier_payload(procedure_code="9.999999"), headers=tokens.headers("reception_officer")
    )
    assert error_fields(assert_problem(response, 422, "unknown_procedure")) == {"procedure_code"}


async def test_abolished_procedure_is_422(
    client: httpx.AsyncClient, tokens: TokenFactory, fake_catalog: FakeCatalog
) -> None:
    fake_catalog.add(procedure_version("2.000635", status="abolished"))
    response = await client.post(
        "/api/v1/dossiers", json=dossier_payload(procedure_code="2.000635"), headers=tokens.headers("reception_officer")
    )
    assert_problem(response, 422, "procedure_abolished")


async def test_channel_the_procedure_does_not_offer_is_422(
    client: httpx.AsyncClient, tokens: TokenFactory, fake_catalog: FakeCatalog
) -> None:
    only_in_person = procedure_version("1.001000")
    only_in_person["channels"] = only_in_person["channels"][:1]
    fake_catalog.add(only_in_person)
    response = await client.post(
        "/api/v1/dossiers",
        json=dossier_payload(procedure_code="1.001000", channel="postal"),
        headers=tokens.headers("reception_officer"),
    )
    assert error_fields(assert_problem(response, 422, "channel_not_offered")) == {"channel"}


async def test_catalogue_down_is_503_and_writes_nothing(
    client: httpx.AsyncClient, tokens: TokenFactory, fake_catalog: FakeCatalog
) -> None:
    headers = tokens.headers("reception_officer")
    first = await receive(client, tokens)
    fake_catalog.down = True
    response = await client.post("/api/v1/dossiers", json=dossier_payload(), headers=headers)
    assert_problem(response, 503, "catalog_unavailable")
    assert response.headers["retry-after"]
    fake_catalog.down = False
    after = await receive(client, tokens)
    # No code was used up by the failed reception.
    assert int(after["code"][-4:]) == int(first["code"][-4:]) + 1


async def test_catalogue_answer_outside_the_contract_is_502(
    client: httpx.AsyncClient, tokens: TokenFactory, fake_catalog: FakeCatalog
) -> None:
    fake_catalog.broken = True
    response = await client.post(
        "/api/v1/dossiers", json=dossier_payload(), headers=tokens.headers("reception_officer")
    )
    assert_problem(response, 502, "catalog_bad_answer")


# --- due date ------------------------------------------------------------------------------------


async def test_due_date_counts_working_days_from_reception(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    # Monday 9 March 2026, 09:00: five working days later is Monday 16 March, 09:00.
    with time_machine.travel(at(2026, 3, 9, 9), tick=False):
        body = await receive(client, tokens)
    assert dt.datetime.fromisoformat(body["due_at"]) == at(2026, 3, 16, 9)
    assert body["calendar_version"] == 0
    assert body["progress"] == "in_time"


async def test_reception_after_closing_time_counts_from_the_next_morning(
    client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    # Friday 13 March 2026 at 18:30: the clock starts on Monday 16 March at 07:00.
    with time_machine.travel(at(2026, 3, 13, 18, 30), tick=False):
        body = await receive(client, tokens)
    assert dt.datetime.fromisoformat(body["due_at"]) == at(2026, 3, 20, 17)
    assert body["code"].startswith("SNGV-260313-")


async def test_due_date_skips_the_2025_swap(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    # Friday 25 April 2025, 09:00, 5 working days: Saturday 26 April is worked, 30 April to 4 May are off
    # (2 May swapped), so: 26 Apr, 28 Apr, 29 Apr, 5 May, 6 May -> due Tuesday 6 May at 09:00.
    with time_machine.travel(at(2025, 4, 25, 9), tick=False):
        body = await receive(client, tokens)
    assert dt.datetime.fromisoformat(body["due_at"]) == at(2025, 5, 6, 9)


# --- idempotency ---------------------------------------------------------------------------------


async def test_same_key_and_body_replays_the_answer(
    client: httpx.AsyncClient, tokens: TokenFactory, fake_catalog: FakeCatalog
) -> None:
    fake_catalog.add(procedure_version("1.777777"))
    headers = {**tokens.headers("reception_officer", subject="officer-1"), "Idempotency-Key": "counter-3-0042"}
    payload = dossier_payload(procedure_code="1.777777")
    first = await client.post("/api/v1/dossiers", json=payload, headers=headers)
    again = await client.post("/api/v1/dossiers", json=payload, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["etag"] == first.headers["etag"]
    listed = await client.get(
        "/api/v1/dossiers", params={"procedure": "1.777777"}, headers=tokens.headers("reception_officer")
    )
    assert listed.json()["total"] == 1


async def test_same_key_with_another_body_is_422(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    headers = {**tokens.headers("reception_officer"), "Idempotency-Key": "k-1"}
    assert (await client.post("/api/v1/dossiers", json=dossier_payload(), headers=headers)).status_code == 201
    other = dossier_payload(channel="postal")
    assert_problem(await client.post("/api/v1/dossiers", json=other, headers=headers), 422, "idempotency_key_reused")


async def test_keys_belong_to_their_caller(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    one = {**tokens.headers("reception_officer", subject="a"), "Idempotency-Key": "same"}
    two = {**tokens.headers("reception_officer", subject="b"), "Idempotency-Key": "same"}
    first = await client.post("/api/v1/dossiers", json=dossier_payload(), headers=one)
    second = await client.post("/api/v1/dossiers", json=dossier_payload(), headers=two)
    assert first.json()["code"] != second.json()["code"]


@pytest.mark.parametrize("key", ["", "x" * 201, "has space"])
async def test_malformed_idempotency_key_is_422(client: httpx.AsyncClient, tokens: TokenFactory, key: str) -> None:
    headers = {**tokens.headers("reception_officer"), "Idempotency-Key": key}
    response = await client.post("/api/v1/dossiers", json=dossier_payload(), headers=headers)
    assert_problem(response, 422)


async def test_concurrent_retries_with_one_key_create_one_dossier(
    committing_app: FastAPI, tokens: TokenFactory
) -> None:
    key = f"retry-{dt.datetime.now(dt.UTC).timestamp()}"
    headers = {**tokens.headers("reception_officer", subject="retrying-officer"), "Idempotency-Key": key}
    async with api_client(committing_app) as client:
        responses = await asyncio.gather(
            *(client.post("/api/v1/dossiers", json=dossier_payload(), headers=headers) for _ in range(5))
        )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["code"] for r in responses}) == 1


# --- tracking secret, incomplete and refused dossiers ----------------------------------------------


async def test_the_tracking_secret_is_shown_once(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    body = await receive(client, tokens)
    assert re.fullmatch(r"[A-Z2-9]{10}", body["tracking_secret"])
    read = await client.get(f"/api/v1/dossiers/{body['code']}", headers=tokens.headers("reception_officer"))
    assert "tracking_secret" not in read.json()
    assert body["tracking_secret"] not in read.text


async def test_incomplete_dossier_gets_one_supplement_request(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    body = await receive(
        client,
        tokens,
        reception={"decision": "incomplete", "missing_items": ["Bản sao hộ chiếu", "02 ảnh 3x4"]},
    )
    assert (body["status"], body["portal_status"], body["received_at"], body["due_at"]) == (
        "supplement_requested",
        5,
        None,
        None,
    )
    timeline = await client.get(f"/api/v1/dossiers/{body['code']}/timeline", headers=tokens.headers("leader"))
    steps = timeline.json()
    assert [s["action"] for s in steps] == ["register", "request_supplement"]
    assert steps[1]["details"] == {"items": ["Bản sao hộ chiếu", "02 ảnh 3x4"]}


async def test_refused_dossier_keeps_its_reason(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    body = await receive(
        client, tokens, reception={"decision": "refuse", "reason": "Thủ tục không thuộc thẩm quyền của Sở."}
    )
    assert (body["status"], body["portal_status"]) == ("refused", 3)
    assert body["closing_reason"] == "Thủ tục không thuộc thẩm quyền của Sở."


@pytest.mark.parametrize(
    ("reception", "field"),
    [
        ({"decision": "incomplete"}, "reception.missing_items"),
        ({"decision": "refuse"}, "reception.reason"),
        ({"decision": "maybe"}, "reception.decision"),
    ],
)
async def test_reception_decision_needs_its_details(
    client: httpx.AsyncClient, tokens: TokenFactory, reception: dict[str, Any], field: str
) -> None:
    response = await client.post(
        "/api/v1/dossiers", json=dossier_payload(reception=reception), headers=tokens.headers("reception_officer")
    )
    assert field in error_fields(assert_problem(response, 422))


async def test_applicants_cannot_decide_at_reception(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    payload = dossier_payload(channel="online", reception={"decision": "refuse", "reason": "x"})
    response = await client.post("/api/v1/dossiers", json=payload, headers=tokens.headers("citizen"))
    assert_problem(response, 403, "reception_decision_not_allowed")


async def test_result_by_post_needs_an_address(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    response = await client.post(
        "/api/v1/dossiers",
        json=dossier_payload(result_return={"method": "post"}),
        headers=tokens.headers("reception_officer"),
    )
    assert error_fields(assert_problem(response, 422)) == {"result_return.address"}


async def test_organisation_gives_a_tax_code(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    organisation = {"type": "organisation", "name": "Công ty TNHH Sông Hàn", "id_number": "0401234567"}
    assert (await receive(client, tokens, applicant=organisation))["applicant"]["id_number"] == "0401234567"
    wrong = {**organisation, "id_number": "048090001234"}
    response = await client.post(
        "/api/v1/dossiers", json=dossier_payload(applicant=wrong), headers=tokens.headers("reception_officer")
    )
    assert error_fields(assert_problem(response, 422)) == {"applicant.id_number"}


async def test_intermediary_files_for_a_citizen(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    body = await receive(
        client,
        tokens,
        role="intermediary",
        channel="online",
        intermediary={"code": "TCTG-01", "name": "Trung tâm Hỗ trợ doanh nghiệp"},
    )
    assert body["status"] == "registered"
    assert body["intermediary"] == {"code": "TCTG-01", "name": "Trung tâm Hỗ trợ doanh nghiệp"}


@pytest.mark.parametrize(
    "documents",
    [[{"component": "Tờ khai", "originals": 0, "copies": 0}], [{"component": "Tờ khai", "copies": -1}]],
)
async def test_documents_must_hand_something_in(
    client: httpx.AsyncClient, tokens: TokenFactory, documents: list[dict[str, Any]]
) -> None:
    response = await client.post(
        "/api/v1/dossiers", json=dossier_payload(documents=documents), headers=tokens.headers("reception_officer")
    )
    assert_problem(response, 422)
