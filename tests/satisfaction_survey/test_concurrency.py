"""Races, each request in its own transaction on a real engine (its own database, not rolled back)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from motcua_kit.db import Database
from motcua_kit.testing import TokenFactory, api_client, migrated_engine
from satisfaction_survey.config import SurveySettings
from satisfaction_survey.demo import seed_demo
from satisfaction_survey.main import MIGRATIONS, create_app
from satisfaction_survey.models import Response
from tests.satisfaction_survey.factories import BASE, answers, invitation_payload


@pytest.fixture(scope="module")
async def race_engine(db_backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AsyncEngine]:
    async with migrated_engine(db_backend, "survey_race", MIGRATIONS, tmp_path_factory) as engine:
        await seed_demo(Database(engine), evaluations=False)
        yield engine


@pytest.fixture
async def race_client(race_engine: AsyncEngine, tokens: TokenFactory) -> AsyncIterator[httpx.AsyncClient]:
    settings = SurveySettings(_env_file=None, environment="test", auth=tokens.auth_settings())
    database = Database(race_engine)
    database.dispose = _keep_engine  # type: ignore[method-assign]  # the engine belongs to the fixture
    async with api_client(create_app(settings, database=database)) as client:
        yield client


async def _keep_engine() -> None:
    return None


async def _questionnaire(client: httpx.AsyncClient) -> dict[str, Any]:
    body: dict[str, Any] = (await client.get(f"{BASE}/questionnaires/current")).json()
    return body


async def test_concurrent_answers_to_one_dossier_record_one(
    race_client: httpx.AsyncClient, race_engine: AsyncEngine, tokens: TokenFactory
) -> None:
    questionnaire = await _questionnaire(race_client)
    invitation = (
        await race_client.post(f"{BASE}/invitations", json=invitation_payload(), headers=tokens.headers("integration"))
    ).json()
    online = {"mode": "online", "token": invitation["token"], "answers": answers(questionnaire)}
    clerk = tokens.headers("reception_officer", subject="clerk-9")
    paper = [
        {
            "mode": "paper",
            "dossier_code": invitation["dossier_code"],
            "form_number": f"RACE-{n}",
            "answers": answers(questionnaire),
        }
        for n in range(6)
    ]
    results = await asyncio.gather(
        *(race_client.post(f"{BASE}/responses", json=online) for _ in range(6)),
        *(race_client.post(f"{BASE}/responses", json=body, headers=clerk) for body in paper),
    )
    statuses = [r.status_code for r in results]
    assert statuses.count(201) == 1, [r.text for r in results]
    # The losers learn it from the used link (404), the dossier check or the unique constraint (409).
    assert set(statuses) <= {201, 404, 409}
    for loser in (r for r in results if r.status_code == 409):
        assert loser.json()["code"] == "already_answered"
    async with race_engine.connect() as connection:
        count = await connection.scalar(
            select(func.count()).select_from(Response).where(Response.dossier_code == invitation["dossier_code"])
        )
    assert count == 1


async def test_concurrent_invitations_for_one_dossier_make_one(
    race_client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    payload = invitation_payload()
    headers = tokens.headers("integration")
    results = await asyncio.gather(
        *(race_client.post(f"{BASE}/invitations", json=payload, headers=headers) for _ in range(8))
    )
    statuses = sorted(r.status_code for r in results)
    assert statuses == [201] + [409] * 7
    assert {r.json()["code"] for r in results if r.status_code == 409} == {"invitation_exists"}


async def test_concurrent_responses_keep_exact_totals(race_client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    """Many dossiers answered at once: the day and month totals count every one of them."""
    questionnaire = await _questionnaire(race_client)
    agency = "RACE"
    invitations = [
        (
            await race_client.post(
                f"{BASE}/invitations",
                json=invitation_payload(agency_code=agency),
                headers=tokens.headers("integration"),
            )
        ).json()
        for _ in range(12)
    ]
    results = await asyncio.gather(
        *(
            race_client.post(
                f"{BASE}/responses",
                json={
                    "mode": "online",
                    "token": i["token"],
                    "answers": answers(questionnaire, score=4 if n % 2 else 2),
                },
            )
            for n, i in enumerate(invitations)
        )
    )
    assert [r.status_code for r in results] == [201] * 12
    stats = (
        await race_client.get(f"{BASE}/stats", params={"agency": agency}, headers=tokens.headers("reporter"))
    ).json()
    assert (stats["invitations"], stats["answered_invitations"]) == (12, 12)
    assert (stats["all"]["responses"], stats["all"]["satisfied"]) == (12, 6)
    access = next(f for f in stats["all"]["factors"] if f["factor"] == "access")
    assert (access["answers"], access["satisfied"], access["mean_score"]) == (12, 6, 3.0)
