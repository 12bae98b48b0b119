from __future__ import annotations

import httpx
import pytest

from motcua_kit.testing import RolledBackDatabase, TokenFactory, assert_problem, error_fields
from satisfaction_survey.demo import seed_demo
from satisfaction_survey.models import Factor
from tests.satisfaction_survey.factories import BASE, publish, question, questionnaire_payload


async def test_no_questionnaire_yet_is_404(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get(f"{BASE}/questionnaires/current"), 404, "no_current_questionnaire")


async def test_current_questionnaire_is_public_and_bilingual(
    client: httpx.AsyncClient, survey_database: RolledBackDatabase
) -> None:
    outcome = await seed_demo(survey_database)
    assert outcome.startswith("questionnaire v1 with 7 questions published; 30 demo invitations")
    assert await seed_demo(survey_database) == "already loaded"
    response = await client.get(f"{BASE}/questionnaires/current")
    assert response.status_code == 200
    assert response.headers["content-language"] == "vi"
    body = response.json()
    assert body["version"] == 1
    assert body["status"] == "published"
    assert body["scale"] == [1, 2, 3, 4, 5]
    assert body["scale_labels"][4] == {"value": 5, "label": "Rất hài lòng"}
    assert {q["factor"] for q in body["questions"]} == {f.value for f in Factor}
    assert all(q["text_vi"] and q["text_en"] and q["text"] == q["text_vi"] for q in body["questions"])
    assert [q["position"] for q in body["questions"]] == sorted(q["position"] for q in body["questions"])


async def test_accept_language_picks_english(client: httpx.AsyncClient, survey_database: RolledBackDatabase) -> None:
    await seed_demo(survey_database, evaluations=False)
    response = await client.get(f"{BASE}/questionnaires/current", headers={"Accept-Language": "en-GB,vi;q=0.5"})
    assert response.headers["content-language"] == "en"
    body = response.json()
    assert body["title"] == body["title_en"]
    assert all(q["text"] == q["text_en"] for q in body["questions"])
    assert body["questions"][0]["factor_label"] == "Access to the service"
    assert body["scale_labels"][0]["label"] == "Very dissatisfied"


async def test_admin_drafts_edits_and_publishes_a_version(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    admin = tokens.headers("survey_admin")
    first = await publish(client, tokens)
    created = await client.post(f"{BASE}/questionnaires", json=questionnaire_payload(title_vi="Bản 2"), headers=admin)
    assert created.status_code == 201, created.text
    draft = created.json()
    assert (draft["status"], draft["version"]) == ("draft", first["version"] + 1)
    assert created.headers["location"] == f"{BASE}/questionnaires/{draft['id']}"
    # A draft is not what citizens answer.
    assert (await client.get(f"{BASE}/questionnaires/current")).json()["id"] == first["id"]

    changed = questionnaire_payload(title_vi="Bản 2, sửa")
    changed["questions"].insert(0, question("access_waiting", "access"))
    replaced = await client.put(
        f"{BASE}/questionnaires/{draft['id']}", json=changed, headers={**admin, "If-Match": created.headers["etag"]}
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["title_vi"] == "Bản 2, sửa"
    assert [q["key"] for q in replaced.json()["questions"]][:2] == ["access_waiting", "access"]
    assert replaced.headers["etag"] != created.headers["etag"]

    stale = await client.post(
        f"{BASE}/questionnaires/{draft['id']}/publish", headers={**admin, "If-Match": created.headers["etag"]}
    )
    assert_problem(stale, 412, "stale_version")
    assert_problem(await client.post(f"{BASE}/questionnaires/{draft['id']}/publish", headers=admin), 428)
    published = await client.post(
        f"{BASE}/questionnaires/{draft['id']}/publish", headers={**admin, "If-Match": replaced.headers["etag"]}
    )
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert (await client.get(f"{BASE}/questionnaires/current")).json()["id"] == draft["id"]
    previous = (await client.get(f"{BASE}/questionnaires/{first['id']}", headers=admin)).json()
    assert previous["status"] == "retired"
    assert previous["retired_at"] is not None

    listed = (await client.get(f"{BASE}/questionnaires", params={"status": "retired"}, headers=admin)).json()
    assert [q["id"] for q in listed["items"]] == [first["id"]]


async def test_published_version_is_immutable(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    admin = tokens.headers("survey_admin")
    published = await publish(client, tokens)
    read = await client.get(f"{BASE}/questionnaires/{published['id']}", headers=admin)
    etag = read.headers["etag"]
    edit = await client.put(
        f"{BASE}/questionnaires/{published['id']}", json=questionnaire_payload(), headers={**admin, "If-Match": etag}
    )
    assert_problem(edit, 409, "questionnaire_not_draft")
    again = await client.post(f"{BASE}/questionnaires/{published['id']}/publish", headers={**admin, "If-Match": etag})
    assert_problem(again, 409, "questionnaire_not_draft")


async def test_malformed_questionnaire_is_422_naming_each_problem(
    client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    payload = questionnaire_payload(
        questions=[
            question("access", "access"),
            question("access", "procedure"),
            question("overall", "overall", required=False),
            question("overall_2", "overall"),
            question("comment", "overall", kind="comment", required=True),
            question("comment_2", "result", kind="comment"),
        ]
    )
    response = await client.post(f"{BASE}/questionnaires", json=payload, headers=tokens.headers("survey_admin"))
    body = assert_problem(response, 422, "invalid_questionnaire")
    types = {(e["field"], e["type"]) for e in body["errors"]}
    assert ("questions.1.key", "duplicate_key") in types
    assert ("questions.4.required", "comment_required") in types
    assert ("questions.5.kind", "second_comment") in types
    assert ("questions", "overall_question_count") in types
    missing = {e["message"] for e in body["errors"] if e["type"] == "missing_factor"}
    assert missing == {
        "no scale question measures the factor 'civil_servant'",
        "no scale question measures the factor 'result'",
        "no scale question measures the factor 'feedback_handling'",
    }


async def test_overall_question_must_be_required(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    payload = questionnaire_payload()
    payload["questions"][5]["required"] = False
    response = await client.post(f"{BASE}/questionnaires", json=payload, headers=tokens.headers("survey_admin"))
    assert error_fields(assert_problem(response, 422, "invalid_questionnaire")) == {"questions.5.required"}


async def test_publishing_needs_every_english_text(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    admin = tokens.headers("survey_admin")
    payload = questionnaire_payload(title_en=None)
    payload["questions"][2]["text_en"] = None
    created = await client.post(f"{BASE}/questionnaires", json=payload, headers=admin)
    assert created.status_code == 201
    response = await client.post(
        f"{BASE}/questionnaires/{created.json()['id']}/publish", headers={**admin, "If-Match": created.headers["etag"]}
    )
    assert error_fields(assert_problem(response, 422, "not_publishable")) == {"title_en", "questions.2.text_en"}


@pytest.mark.parametrize(
    "payload",
    [
        questionnaire_payload(title_vi="x" * 301),
        questionnaire_payload(title_vi="Phiếu\x00"),
        questionnaire_payload(questions=[]),
        questionnaire_payload(questions=[question(f"q{n}", "access") for n in range(51)]),
        questionnaire_payload(questions=[question("Bad Key!", "access")]),
        questionnaire_payload(questions=[question("a", "weather")]),
        questionnaire_payload(unknown=True),
    ],
    ids=["long-title", "nul", "no-questions", "too-many", "bad-key", "bad-factor", "unknown-field"],
)
async def test_absurd_questionnaires_are_422(
    client: httpx.AsyncClient, tokens: TokenFactory, payload: dict[str, object]
) -> None:
    response = await client.post(f"{BASE}/questionnaires", json=payload, headers=tokens.headers("survey_admin"))
    assert_problem(response, 422, "validation_error")


@pytest.mark.parametrize("role", ["citizen", "reception_officer", "leader", "integration"])
async def test_administration_needs_survey_admin(client: httpx.AsyncClient, tokens: TokenFactory, role: str) -> None:
    headers = tokens.headers(role)
    assert_problem(await client.post(f"{BASE}/questionnaires", json=questionnaire_payload(), headers=headers), 403)
    assert_problem(await client.get(f"{BASE}/questionnaires", headers=headers), 403)
    assert_problem(await client.post(f"{BASE}/questionnaires/1/publish", headers=headers), 403)


async def test_anonymous_administration_is_401(client: httpx.AsyncClient) -> None:
    assert_problem(await client.post(f"{BASE}/questionnaires", json=questionnaire_payload()), 401)
    assert_problem(await client.get(f"{BASE}/questionnaires/1"), 401)


async def test_unknown_and_absurd_ids(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    admin = tokens.headers("survey_admin")
    assert_problem(await client.get(f"{BASE}/questionnaires/999999", headers=admin), 404, "questionnaire_not_found")
    assert_problem(await client.get(f"{BASE}/questionnaires/99999999999", headers=admin), 422)
