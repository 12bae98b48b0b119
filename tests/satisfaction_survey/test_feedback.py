from __future__ import annotations

from typing import Any

import httpx
import pytest

from motcua_kit.testing import TokenFactory, assert_problem, error_fields
from tests.satisfaction_survey.factories import BASE, answer_on_paper, answer_online, invite, publish


@pytest.fixture
async def questionnaire(client: httpx.AsyncClient, tokens: TokenFactory) -> dict[str, Any]:
    return await publish(client, tokens)


async def _unhappy(client: httpx.AsyncClient, tokens: TokenFactory, questionnaire: dict[str, Any], **kw: Any) -> int:
    invitation = await invite(client, tokens, **kw)
    receipt = await answer_online(client, invitation["token"], questionnaire, civil_servant=1, result=2)
    assert receipt.json()["feedback_opened"] is True
    listed = await client.get(f"{BASE}/feedback", headers=tokens.headers("survey_admin"))
    item_id: int = next(i["id"] for i in listed.json()["items"] if i["dossier_code"] == invitation["dossier_code"])
    return item_id


async def test_low_scores_open_feedback_for_the_agency(
    client: httpx.AsyncClient, tokens: TokenFactory, questionnaire: dict[str, Any]
) -> None:
    invitation = await invite(client, tokens)
    receipt = await answer_online(client, invitation["token"], questionnaire, civil_servant=1, result=2, overall=3)
    assert receipt.json()["feedback_opened"] is True
    listed = (await client.get(f"{BASE}/feedback", headers=tokens.headers("leader"))).json()
    assert listed["total"] == 1
    item = listed["items"][0]
    assert (item["status"], item["dossier_code"], item["agency_code"], item["officer_id"]) == (
        "open",
        invitation["dossier_code"],
        "SNGV",
        "officer-7",
    )
    assert [(s["key"], s["factor"], s["score"]) for s in item["low_scores"]] == [
        ("civil_servant", "civil_servant", 1),
        ("result", "result", 2),
    ]
    assert (item["complaint"], item["comment"], item["response_text"]) == (False, None, None)


async def test_happy_and_middling_answers_open_nothing(
    client: httpx.AsyncClient, tokens: TokenFactory, questionnaire: dict[str, Any]
) -> None:
    invitation = await invite(client, tokens)
    receipt = await answer_online(client, invitation["token"], questionnaire, score=3, comment="Bình thường.")
    assert receipt.json()["feedback_opened"] is False
    assert (await client.get(f"{BASE}/feedback", headers=tokens.headers("leader"))).json()["total"] == 0


async def test_a_complaint_opens_feedback_with_its_comment(
    client: httpx.AsyncClient, tokens: TokenFactory, questionnaire: dict[str, Any]
) -> None:
    invitation = await invite(client, tokens)
    complaint = "Phải chờ hai giờ mới được tiếp nhận."
    receipt = await answer_on_paper(
        client, tokens, invitation["dossier_code"], questionnaire, comment=complaint, complaint=True
    )
    assert receipt.json()["feedback_opened"] is True
    item = (await client.get(f"{BASE}/feedback", headers=tokens.headers("leader"))).json()["items"][0]
    assert (item["complaint"], item["comment"], item["low_scores"]) == (True, complaint, [])


async def test_agency_acknowledges_answers_and_resolves(
    client: httpx.AsyncClient, tokens: TokenFactory, questionnaire: dict[str, Any]
) -> None:
    item_id = await _unhappy(client, tokens, questionnaire)
    officer = tokens.headers("processing_officer", subject="head-of-unit")
    read = await client.get(f"{BASE}/feedback/{item_id}", headers=officer)
    etag = read.headers["etag"]
    assert_problem(
        await client.patch(f"{BASE}/feedback/{item_id}", json={"status": "acknowledged"}, headers=officer), 428
    )

    acknowledged = await client.patch(
        f"{BASE}/feedback/{item_id}", json={"status": "acknowledged"}, headers={**officer, "If-Match": etag}
    )
    assert acknowledged.status_code == 200, acknowledged.text
    assert (acknowledged.json()["status"], acknowledged.json()["acknowledged_by"]) == ("acknowledged", "head-of-unit")
    stale = await client.patch(
        f"{BASE}/feedback/{item_id}", json={"response_text": "x"}, headers={**officer, "If-Match": etag}
    )
    assert_problem(stale, 412, "stale_version")

    etag = acknowledged.headers["etag"]
    without_answer = await client.patch(
        f"{BASE}/feedback/{item_id}", json={"status": "resolved"}, headers={**officer, "If-Match": etag}
    )
    assert error_fields(assert_problem(without_answer, 422, "resolution_without_answer")) == {"response_text"}
    answer = "Đơn vị đã nhắc nhở công chức và bố trí thêm người tiếp nhận."
    resolved = await client.patch(
        f"{BASE}/feedback/{item_id}",
        json={"status": "resolved", "response_text": answer},
        headers={**officer, "If-Match": etag},
    )
    assert resolved.status_code == 200, resolved.text
    body = resolved.json()
    assert (body["status"], body["response_text"], body["resolved_by"]) == ("resolved", answer, "head-of-unit")
    assert body["resolved_at"] is not None

    closed = await client.patch(
        f"{BASE}/feedback/{item_id}",
        json={"response_text": "sửa"},
        headers={**officer, "If-Match": resolved.headers["etag"]},
    )
    assert_problem(closed, 409, "feedback_closed")
    listed = await client.get(f"{BASE}/feedback", params={"status": "resolved"}, headers=officer)
    assert [i["id"] for i in listed.json()["items"]] == [item_id]


async def test_an_item_may_be_resolved_at_once(
    client: httpx.AsyncClient, tokens: TokenFactory, questionnaire: dict[str, Any]
) -> None:
    item_id = await _unhappy(client, tokens, questionnaire)
    leader = tokens.headers("leader")
    etag = (await client.get(f"{BASE}/feedback/{item_id}", headers=leader)).headers["etag"]
    resolved = await client.patch(
        f"{BASE}/feedback/{item_id}",
        json={"status": "resolved", "response_text": "Đã xử lý."},
        headers={**leader, "If-Match": etag},
    )
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["acknowledged_at"] is None


async def test_bad_updates_are_422(
    client: httpx.AsyncClient, tokens: TokenFactory, questionnaire: dict[str, Any]
) -> None:
    item_id = await _unhappy(client, tokens, questionnaire)
    leader = tokens.headers("leader")
    etag = (await client.get(f"{BASE}/feedback/{item_id}", headers=leader)).headers["etag"]
    headers = {**leader, "If-Match": etag}
    for body, fields in (
        ({}, {"body"}),
        ({"status": "open"}, {"status"}),
        ({"status": "closed"}, {"status"}),
        ({"response_text": "x" * 2001}, {"response_text"}),
        ({"response_text": "ok", "priority": 1}, {"priority"}),
    ):
        response = await client.patch(f"{BASE}/feedback/{item_id}", json=body, headers=headers)
        assert error_fields(assert_problem(response, 422)) == fields, body


async def test_staff_of_another_agency_see_nothing(
    client: httpx.AsyncClient, tokens: TokenFactory, questionnaire: dict[str, Any]
) -> None:
    ours = await _unhappy(client, tokens, questionnaire, agency_code="SNGV")
    theirs = await _unhappy(client, tokens, questionnaire, agency_code="STP")
    officer = tokens.headers("processing_officer", agency="SNGV")
    listed = (await client.get(f"{BASE}/feedback", headers=officer)).json()
    assert [i["id"] for i in listed["items"]] == [ours]
    assert_problem(await client.get(f"{BASE}/feedback/{theirs}", headers=officer), 404, "feedback_not_found")
    assert_problem(await client.get(f"{BASE}/feedback", params={"agency": "STP"}, headers=officer), 403, "other_agency")
    everyone = (await client.get(f"{BASE}/feedback", headers=tokens.headers("survey_admin", agency="SNGV"))).json()
    assert everyone["total"] == 2


@pytest.mark.parametrize("role", ["citizen", "intermediary", "integration", "reporter", "catalog_editor"])
async def test_feedback_is_for_staff(client: httpx.AsyncClient, tokens: TokenFactory, role: str) -> None:
    assert_problem(await client.get(f"{BASE}/feedback", headers=tokens.headers(role)), 403)
    assert_problem(
        await client.patch(f"{BASE}/feedback/1", json={"status": "resolved"}, headers=tokens.headers(role)), 403
    )
    assert_problem(await client.get(f"{BASE}/feedback"), 401)
