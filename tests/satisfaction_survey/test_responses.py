from __future__ import annotations

from typing import Any

import httpx
import pytest

from motcua_kit.testing import TokenFactory, assert_problem, error_fields
from tests.satisfaction_survey.factories import (
    BASE,
    answer_on_paper,
    answer_online,
    answers,
    invite,
    publish,
)


@pytest.fixture
async def questionnaire(client: httpx.AsyncClient, tokens: TokenFactory) -> dict[str, Any]:
    return await publish(client, tokens)


async def test_citizen_answers_online_without_login(
    client: httpx.AsyncClient, tokens: TokenFactory, questionnaire: dict[str, Any]
) -> None:
    invitation = await invite(client, tokens)
    response = await answer_online(client, invitation["token"], questionnaire, comment="Cảm ơn cán bộ.")
    assert response.status_code == 201, response.text
    receipt = response.json()
    assert receipt["mode"] == "online"
    assert receipt["questionnaire_version"] == questionnaire["version"]
    assert receipt["feedback_opened"] is False
    assert set(receipt) == {"id", "mode", "questionnaire_version", "submitted_at", "feedback_opened"}

    stored = await client.get(response.headers["location"], headers=tokens.headers("survey_admin"))
    assert stored.status_code == 200
    body = stored.json()
    assert (body["dossier_code"], body["mode"], body["entered_by"], body["form_number"]) == (
        invitation["dossier_code"],
        "online",
        None,
        None,
    )
    assert body["overall_score"] == 5
    assert {a["key"]: a["score"] or a["text"] for a in body["answers"]} == {
        "access": 5,
        "procedure": 5,
        "civil_servant": 5,
        "result": 5,
        "feedback_handling": 5,
        "overall": 5,
        "comment": "Cảm ơn cán bộ.",
    }


async def test_a_used_link_cannot_answer_again(
    client: httpx.AsyncClient, tokens: TokenFactory, questionnaire: dict[str, Any]
) -> None:
    token = (await invite(client, tokens))["token"]
    assert (await answer_online(client, token, questionnaire)).status_code == 201
    assert_problem(await answer_online(client, token, questionnaire, score=1), 404, "invitation_unavailable")
    assert_problem(await answer_online(client, "z" * 43, questionnaire), 404, "invitation_unavailable")


async def test_staff_enter_a_paper_form(
    client: httpx.AsyncClient, tokens: TokenFactory, questionnaire: dict[str, Any]
) -> None:
    invitation = await invite(client, tokens)
    response = await answer_on_paper(
        client, tokens, invitation["dossier_code"], questionnaire, form_number="PKS-2026-0001", overall=4
    )
    assert response.status_code == 201, response.text
    assert response.json()["mode"] == "paper"
    body = (await client.get(response.headers["location"], headers=tokens.headers("leader"))).json()
    assert (body["mode"], body["form_number"], body["entered_by"], body["overall_score"]) == (
        "paper",
        "PKS-2026-0001",
        "clerk-1",
        4,
    )
    # The online link of an evaluated dossier is dead too.
    assert_problem(await client.get(f"{BASE}/invitations/{invitation['token']}"), 404, "invitation_unavailable")


async def test_one_response_per_dossier(
    client: httpx.AsyncClient, tokens: TokenFactory, questionnaire: dict[str, Any]
) -> None:
    online = await invite(client, tokens)
    assert (await answer_online(client, online["token"], questionnaire)).status_code == 201
    after_online = await answer_on_paper(client, tokens, online["dossier_code"], questionnaire)
    assert_problem(after_online, 409, "already_answered")
    paper = await invite(client, tokens)
    assert (await answer_on_paper(client, tokens, paper["dossier_code"], questionnaire)).status_code == 201
    assert_problem(await answer_on_paper(client, tokens, paper["dossier_code"], questionnaire), 409, "already_answered")


async def test_a_paper_form_is_entered_once(
    client: httpx.AsyncClient, tokens: TokenFactory, questionnaire: dict[str, Any]
) -> None:
    first, second = await invite(client, tokens), await invite(client, tokens)
    entered = await answer_on_paper(client, tokens, first["dossier_code"], questionnaire, form_number="PKS-9")
    assert entered.status_code == 201
    again = await answer_on_paper(client, tokens, second["dossier_code"], questionnaire, form_number="PKS-9")
    assert_problem(again, 409, "form_number_used")


@pytest.mark.parametrize("role", ["citizen", "intermediary", "integration", "reporter", "leader"])
async def test_paper_entry_needs_one_stop_staff(
    client: httpx.AsyncClient, tokens: TokenFactory, questionnaire: dict[str, Any], role: str
) -> None:
    invitation = await invite(client, tokens)
    response = await answer_on_paper(client, tokens, invitation["dossier_code"], questionnaire, role=role)
    assert_problem(response, 403, "paper_entry_not_allowed")


async def test_anonymous_paper_entry_is_401(
    client: httpx.AsyncClient, tokens: TokenFactory, questionnaire: dict[str, Any]
) -> None:
    invitation = await invite(client, tokens)
    payload = {"mode": "paper", "dossier_code": invitation["dossier_code"], "form_number": "P-1", "answers": []}
    assert_problem(await client.post(f"{BASE}/responses", json=payload), 401)


async def test_the_officer_who_handled_it_may_not_enter_its_evaluation(
    client: httpx.AsyncClient, tokens: TokenFactory, questionnaire: dict[str, Any]
) -> None:
    invitation = await invite(client, tokens, officer_id="clerk-1")
    response = await answer_on_paper(client, tokens, invitation["dossier_code"], questionnaire)
    assert_problem(response, 403, "own_dossier_evaluation")


async def test_paper_for_a_dossier_without_invitation_is_404(
    client: httpx.AsyncClient, tokens: TokenFactory, questionnaire: dict[str, Any]
) -> None:
    response = await answer_on_paper(client, tokens, "SNGV-991231-0001", questionnaire)
    assert_problem(response, 404, "invitation_not_found")


async def test_each_mode_has_its_own_fields(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    staff = tokens.headers("reception_officer")
    paper = await client.post(f"{BASE}/responses", json={"mode": "paper", "token": "abc", "answers": []}, headers=staff)
    body = assert_problem(paper, 422, "validation_error")
    assert {(e["field"], e["type"]) for e in body["errors"]} == {
        ("dossier_code", "missing"),
        ("form_number", "missing"),
        ("token", "not_allowed"),
    }
    online = await client.post(
        f"{BASE}/responses",
        json={
            "mode": "online",
            "dossier_code": "SNGV-1",
            "form_number": "P-1",
            "questionnaire_version": 1,
            "answers": [],
        },
    )
    assert error_fields(assert_problem(online, 422)) == {
        "token",
        "dossier_code",
        "form_number",
        "questionnaire_version",
    }


async def test_answers_are_checked_against_the_version(
    client: httpx.AsyncClient, tokens: TokenFactory, questionnaire: dict[str, Any]
) -> None:
    invitation = await invite(client, tokens)
    other = await publish(client, tokens, title_vi="Phiếu khác")  # a newer version, not the invitation's
    by_key = {q["key"]: q["id"] for q in questionnaire["questions"]}
    payload = {
        "mode": "online",
        "token": invitation["token"],
        "answers": [
            {"question_id": by_key["access"], "score": 5},
            {"question_id": by_key["access"], "score": 4},
            {"question_id": by_key["procedure"], "text": "không phải điểm"},
            {"question_id": by_key["comment"], "score": 3},
            {"question_id": other["questions"][0]["id"], "score": 5},
        ],
        "complaint": True,
    }
    body = assert_problem(await client.post(f"{BASE}/responses", json=payload), 422, "invalid_answers")
    problems = {(e["field"], e["type"]) for e in body["errors"]}
    assert problems == {
        ("answers.0.question_id", "duplicate_answer"),
        ("answers.1.question_id", "duplicate_answer"),
        ("answers.2.score", "missing"),
        ("answers.2.text", "not_allowed"),
        ("answers.3.text", "missing"),
        ("answers.3.score", "not_allowed"),
        ("answers.4.question_id", "question_not_in_version"),
        ("answers", "missing_answer"),
        ("complaint", "complaint_without_comment"),
    }
    missing = sorted(e["message"] for e in body["errors"] if e["type"] == "missing_answer")
    assert missing == [
        f"required question 'civil_servant' (id {by_key['civil_servant']}) is not answered",
        f"required question 'overall' (id {by_key['overall']}) is not answered",
        f"required question 'result' (id {by_key['result']}) is not answered",
    ]
    # Nothing was recorded: the link still works.
    assert (await client.get(f"{BASE}/invitations/{invitation['token']}")).status_code == 200


async def test_optional_questions_may_be_skipped(
    client: httpx.AsyncClient, tokens: TokenFactory, questionnaire: dict[str, Any]
) -> None:
    invitation = await invite(client, tokens)
    response = await answer_online(client, invitation["token"], questionnaire, feedback_handling=None)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("score", [0, 6, -1, 100, "5", 4.5, None])
async def test_scores_outside_the_scale_are_422(
    client: httpx.AsyncClient, tokens: TokenFactory, questionnaire: dict[str, Any], score: object
) -> None:
    invitation = await invite(client, tokens)
    given = answers(questionnaire)
    given[0] = {"question_id": given[0]["question_id"], "score": score}
    response = await client.post(
        f"{BASE}/responses", json={"mode": "online", "token": invitation["token"], "answers": given}
    )
    body = assert_problem(response, 422)
    assert error_fields(body) == {"answers.0.score"}


async def test_comment_length_and_characters_are_limited(
    client: httpx.AsyncClient, tokens: TokenFactory, questionnaire: dict[str, Any]
) -> None:
    invitation = await invite(client, tokens)
    for comment in ("x" * 2001, "xin chào\x00", "   "):
        response = await answer_online(client, invitation["token"], questionnaire, comment=comment)
        assert error_fields(assert_problem(response, 422)) == {"answers.6.text"}
    assert (await answer_online(client, invitation["token"], questionnaire, comment="x" * 2000)).status_code == 201


async def test_absurd_bodies_are_422(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    too_many = [{"question_id": n, "score": 5} for n in range(1, 102)]
    for payload, fields in (
        ({"mode": "online", "token": "t", "answers": too_many}, {"answers"}),
        ({"mode": "fax", "answers": []}, {"mode"}),
        ({"mode": "online", "token": "t", "answers": [{"question_id": 2**40, "score": 5}]}, {"answers.0.question_id"}),
        ({"mode": "online", "token": "t" * 200, "answers": []}, {"token"}),
        ({"mode": "online", "token": "t"}, {"answers"}),
    ):
        assert error_fields(assert_problem(await client.post(f"{BASE}/responses", json=payload), 422)) == fields
    assert_problem(
        await client.post(f"{BASE}/responses", content=b"{", headers={"content-type": "application/json"}), 400
    )


async def test_paper_form_of_an_earlier_version(
    client: httpx.AsyncClient, tokens: TokenFactory, questionnaire: dict[str, Any]
) -> None:
    admin = tokens.headers("survey_admin")
    newer = await publish(client, tokens, title_vi="Phiếu 2")
    invitation = await invite(client, tokens)  # issued with the newer version
    assert invitation["questionnaire_version"] == newer["version"]
    payload = {
        "mode": "paper",
        "dossier_code": invitation["dossier_code"],
        "form_number": "OLD-1",
        "questionnaire_version": questionnaire["version"],
        "answers": answers(questionnaire),
    }
    entered = await client.post(f"{BASE}/responses", json=payload, headers=tokens.headers("reception_officer"))
    assert entered.status_code == 201, entered.text
    assert entered.json()["questionnaire_version"] == questionnaire["version"]

    draft = await client.post(f"{BASE}/questionnaires", json={"title_vi": "x", "questions": []}, headers=admin)
    assert draft.status_code == 422
    other = await invite(client, tokens)
    never = {**payload, "dossier_code": other["dossier_code"], "form_number": "OLD-2", "questionnaire_version": 999}
    response = await client.post(f"{BASE}/responses", json=never, headers=tokens.headers("reception_officer"))
    assert error_fields(assert_problem(response, 422, "invalid_answers")) == {"questionnaire_version"}


async def test_reading_responses_needs_survey_admin_or_leader(
    client: httpx.AsyncClient, tokens: TokenFactory, questionnaire: dict[str, Any]
) -> None:
    online, paper = await invite(client, tokens), await invite(client, tokens, agency_code="SNGV2")
    await answer_online(client, online["token"], questionnaire, overall=3)
    await answer_on_paper(client, tokens, paper["dossier_code"], questionnaire)
    for role in ("citizen", "reception_officer", "integration", "reporter"):
        assert_problem(await client.get(f"{BASE}/responses", headers=tokens.headers(role)), 403)
    assert_problem(await client.get(f"{BASE}/responses"), 401)
    admin = tokens.headers("survey_admin")
    listed = (await client.get(f"{BASE}/responses", headers=admin)).json()
    assert listed["total"] == 2
    assert [r["mode"] for r in listed["items"]] == ["paper", "online"]  # newest first
    only_online = (await client.get(f"{BASE}/responses", params={"mode": "online"}, headers=admin)).json()
    assert [(r["dossier_code"], r["overall_score"]) for r in only_online["items"]] == [(online["dossier_code"], 3)]
    by_agency = (await client.get(f"{BASE}/responses", params={"agency": "SNGV2"}, headers=admin)).json()
    assert [r["dossier_code"] for r in by_agency["items"]] == [paper["dossier_code"]]
    assert_problem(await client.get(f"{BASE}/responses/424242", headers=admin), 404, "response_not_found")
    assert_problem(
        await client.get(f"{BASE}/responses", params={"from": "2026-02-01", "to": "2026-01-01"}, headers=admin), 422
    )
