"""Printed slips from a dossier's data, and the citizen's public lookup."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pypdf
import pytest
import time_machine

from motcua_kit.testing import TokenFactory, assert_problem
from tests.dossier_api.factories import act_ok, at, dossier_payload, receive


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


async def slip(
    client: httpx.AsyncClient, tokens: TokenFactory, code: str, kind: str, role: str = "reception_officer"
) -> httpx.Response:
    return await client.get(f"/api/v1/dossiers/{code}/slips/{kind}", headers=tokens.headers(role))


async def test_receipt_slip_is_an_a5_pdf_with_the_appointment(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    with time_machine.travel(at(2026, 3, 9, 9), tick=False):
        code = (await receive(client, tokens))["code"]
        response = await slip(client, tokens, code, "receipt")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (420, 595)  # A5 in points
    text = pdf_text(response.content)
    assert code in text
    assert "Nguyễn Văn An" in text
    assert "5 ngày làm việc" in text
    assert "ngày 16 tháng 3 năm 2026" in " ".join(text.split())  # the appointment
    assert "048090001234" not in text
    assert "0905123456" not in text


async def test_each_slip_needs_its_event(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    code = (await receive(client, tokens))["code"]
    for kind in ("supplement_request", "refusal", "apology"):
        assert_problem(await slip(client, tokens, code, kind), 409, "slip_not_available")
    assert_problem(await slip(client, tokens, code, "nonsense"), 422)


async def test_supplement_refusal_apology_and_process_control_slips(
    client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    incomplete = await receive(
        client, tokens, reception={"decision": "incomplete", "missing_items": ["Bản sao hộ chiếu còn hạn"]}
    )
    assert "Bản sao hộ chiếu còn hạn" in pdf_text(
        (await slip(client, tokens, incomplete["code"], "supplement_request")).content
    )
    refused = await receive(client, tokens, reception={"decision": "refuse", "reason": "Không thuộc thẩm quyền."})
    assert "Không thuộc thẩm quyền." in pdf_text((await slip(client, tokens, refused["code"], "refusal")).content)

    with time_machine.travel(at(2026, 3, 9, 9), tick=False):
        code = (await receive(client, tokens))["code"]
        await act_ok(client, tokens, code, "assign", {"unit": "Phòng Lãnh sự"}, role="leader", unit="Ban Giám đốc")
        await act_ok(
            client,
            tokens,
            code,
            "reschedule",
            {"additional_working_days": 2, "apology": "Cần xác minh với cơ quan công an."},
            role="leader",
            name="Trần Thị Hoa",
        )
        apology = pdf_text((await slip(client, tokens, code, "apology")).content)
        control = pdf_text((await slip(client, tokens, code, "process_control", role="leader")).content)
    assert "Cần xác minh với cơ quan công an." in apology
    assert "ngày 18 tháng 3 năm 2026" in " ".join(apology.split())  # the new appointment
    assert "Phòng Lãnh sự" in " ".join(control.split())


async def test_slips_are_for_staff_and_the_applicant(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    citizen = tokens.headers("citizen", subject="owner")
    code = (await client.post("/api/v1/dossiers", json=dossier_payload(channel="online"), headers=citizen)).json()[
        "code"
    ]
    await act_ok(client, tokens, code, "receive", role="reception_officer")
    own = await client.get(f"/api/v1/dossiers/{code}/slips/receipt", headers=citizen)
    assert own.status_code == 200
    stranger = tokens.headers("citizen", subject="someone-else")
    assert_problem(await client.get(f"/api/v1/dossiers/{code}/slips/receipt", headers=stranger), 404)


# --- public lookup -------------------------------------------------------------------------------


async def test_lookup_with_the_secret_shows_status_and_steps(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    body = await receive(client, tokens)
    response = await client.get(f"/api/v1/tracking/{body['code']}", params={"secret": body["tracking_secret"]})
    assert response.status_code == 200
    view = response.json()
    assert (view["status"], view["portal_status"], view["status_text"]) == ("received", 2, "Đã tiếp nhận")
    assert [s["text"] for s in view["steps"]] == ["Hồ sơ được đăng ký", "Hồ sơ được tiếp nhận"]
    assert response.headers["cache-control"] == "no-store"
    text = response.text
    for personal in ("Nguyễn Văn An", "048090001234", "0905123456", "an.nguyen@example.vn", "Trần Phú", "tester"):
        assert personal not in text


async def test_lookup_in_english_and_by_phone(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    body = await receive(client, tokens, reception={"decision": "incomplete", "missing_items": ["Ảnh 3x4"]})
    response = await client.get(
        f"/api/v1/tracking/{body['code']}", params={"phone": "+84905123456"}, headers={"Accept-Language": "en"}
    )
    view = response.json()
    assert response.headers["content-language"] == "en"
    assert (view["status_text"], view["supplement_items"]) == ("Supplement requested", ["Ảnh 3x4"])


async def test_wrong_secret_and_unknown_code_look_the_same(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    body = await receive(client, tokens)

    def comparable(response: httpx.Response) -> dict[str, Any]:
        document: dict[str, Any] = assert_problem(response, 404, "tracking_not_found")
        return {k: v for k, v in document.items() if k not in {"request_id", "instance"}}

    wrong = await client.get(f"/api/v1/tracking/{body['code']}", params={"secret": "AAAAAAAAAA"})
    unknown = await client.get("/api/v1/tracking/SNGV-990101-0001", params={"secret": "AAAAAAAAAA"})
    wrong_phone = await client.get(f"/api/v1/tracking/{body['code']}", params={"phone": "0911111111"})
    assert comparable(wrong) == comparable(unknown) == comparable(wrong_phone)
    assert wrong.headers.keys() == unknown.headers.keys()


@pytest.mark.parametrize("params", [{}, {"secret": "ABCDEFGHJK", "phone": "0905123456"}])
async def test_lookup_needs_secret_or_phone(
    client: httpx.AsyncClient, tokens: TokenFactory, params: dict[str, str]
) -> None:
    code = (await receive(client, tokens))["code"]
    assert_problem(await client.get(f"/api/v1/tracking/{code}", params=params), 422, "secret_or_phone")


async def test_no_phone_on_file_matches_no_phone(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    body = await receive(client, tokens, applicant={"name": "Lê Thị Mai"})
    response = await client.get(f"/api/v1/tracking/{body['code']}", params={"phone": "0905123456"})
    assert_problem(response, 404, "tracking_not_found")
