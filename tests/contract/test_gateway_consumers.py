"""Provider side of the reports' contracts: the services' real statistics meet what the gateway reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
from fastapi import FastAPI
from jsonschema import Draft202012Validator

from motcua_kit.testing import TokenFactory, api_client
from tests.procedure_catalog.factories import Catalogue
from tests.satisfaction_survey.factories import BASE, answer_online, invite, publish

CONSUMERS = Path(__file__).resolve().parents[2] / "contracts" / "consumers"


def assert_meets(name: str, document: dict[str, Any]) -> None:
    schema = json.loads((CONSUMERS / f"gateway.{name}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in Draft202012Validator(schema).iter_errors(document)]
    assert errors == [], errors


async def test_catalogue_statistics_meet_the_gateways_contract(catalog_app: FastAPI, tokens: TokenFactory) -> None:
    async with api_client(catalog_app) as client:
        catalogue = Catalogue(client, tokens)
        await catalogue.reference_lists()
        code = await catalogue.published(effective_on="2022-01-01")
        await catalogue.announce(("abolish", code), effective_on="2023-01-01")
        for params in ({"at": "2023-06-30", "since": "2022-01-01"}, {"at": "2021-01-01", "since": "2020-01-01"}):
            response = await client.get("/api/v1/procedures/stats", params={**params, "agency": "SNGV"})
            assert response.status_code == 200, response.text
            assert_meets("catalogue-stats", response.json())


async def test_dossier_statistics_meet_the_gateways_contract(dossier_app: FastAPI, tokens: TokenFactory) -> None:
    line = {
        "code": "SNGV-250105-0001",
        "procedure_code": "1.000948",
        "channel": "online",
        "applicant": {"name": "Nguyễn Văn An"},
        "received_at": "2025-01-05T09:00:00+07:00",
        "due_at": "2025-01-15T09:00:00+07:00",
        "resolved_at": "2025-01-14T09:00:00+07:00",
    }
    async with api_client(dossier_app) as client:
        imported = await client.post(
            "/api/v1/dossiers/import",
            content=orjson.dumps(line) + b"\n",
            headers={"content-type": "application/x-ndjson", **tokens.headers("integration")},
        )
        assert imported.status_code == 200, imported.text
        for params in ({"from": "2025-01-01", "to": "2025-03-31", "agency": "SNGV"}, {"from": "2024-12-01"}):
            response = await client.get("/api/v1/dossiers/stats", params=params, headers=tokens.headers("reporter"))
            assert response.status_code == 200, response.text
            assert_meets("dossier-stats", response.json())


async def test_survey_statistics_meet_the_gateways_contract(survey_app: FastAPI, tokens: TokenFactory) -> None:
    async with api_client(survey_app) as client:
        questionnaire = await publish(client, tokens)
        invitation = await invite(client, tokens)
        assert (await answer_online(client, invitation["token"], questionnaire, score=2)).status_code == 201
        for params in ({}, {"agency": "SNGV", "from": "2020-01-01", "to": "2030-12-31"}):
            response = await client.get(f"{BASE}/stats", params=params, headers=tokens.headers("reporter"))
            assert response.status_code == 200, response.text
            assert_meets("survey-stats", response.json())


async def test_an_answer_outside_the_contract_is_refused(dossier_app: FastAPI, tokens: TokenFactory) -> None:
    async with api_client(dossier_app) as client:
        response = await client.get("/api/v1/dossiers/stats", headers=tokens.headers("reporter"))
    document = response.json()
    schema = json.loads((CONSUMERS / "gateway.dossier-stats.schema.json").read_text(encoding="utf-8"))
    assert Draft202012Validator(schema).is_valid(document)
    del document["links"]
    assert not Draft202012Validator(schema).is_valid(document)
