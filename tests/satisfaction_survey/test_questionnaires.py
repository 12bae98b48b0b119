from __future__ import annotations

import httpx

from motcua_kit.testing import RolledBackDatabase, assert_problem
from satisfaction_survey.demo import seed_demo
from satisfaction_survey.models import Factor


async def test_no_questionnaire_yet_is_404(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/surveys/questionnaires/current"), 404, "no_current_questionnaire")


async def test_current_questionnaire_is_public_and_bilingual(
    client: httpx.AsyncClient, survey_database: RolledBackDatabase
) -> None:
    assert await seed_demo(survey_database) == "questionnaire v1 with 7 questions published"
    assert await seed_demo(survey_database) == "already loaded"
    response = await client.get("/api/v1/surveys/questionnaires/current")
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 1
    assert body["status"] == "published"
    assert body["scale"] == [1, 2, 3, 4, 5]
    factors = {q["factor"] for q in body["questions"]}
    assert factors == {f.value for f in Factor}
    assert all(q["text_vi"] and q["text_en"] for q in body["questions"])
    assert [q["position"] for q in body["questions"]] == sorted(q["position"] for q in body["questions"])
