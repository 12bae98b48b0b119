"""Provider side of the contract with dossier-api: real answers validate against its schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from motcua_kit.testing import assert_problem
from tests.procedure_catalog.factories import Catalogue

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "contracts" / "consumers" / "dossier-api.procedure.schema.json"


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _valid(validator: Draft202012Validator, document: dict[str, Any]) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == [], errors


async def test_the_version_in_force_meets_the_contract(catalogue: Catalogue, validator: Draft202012Validator) -> None:
    code = await catalogue.published(effective_on="2020-01-01")
    fees = [{"amount_vnd": 0, "unit": None, "description_vi": "Miễn phí", "description_en": "Free"}]
    hours = {"channel": "postal", "processing_time": {"value": 4.5, "unit": "working_hours"}, "fees": fees}
    online = {"channel": "online", "processing_time": {"value": 3, "unit": "working_days"}}
    await catalogue.amend(code, {"channels": [hours, online], "name_en": None}, effective_on="2021-01-01")

    for params in ({}, {"at": "2020-06-01"}, {"at": "2021-01-01"}):
        response = await catalogue.client.get(f"/api/v1/procedures/{code}", params=params)
        assert response.status_code == 200, response.text
        _valid(validator, response.json())
    assert (await catalogue.client.get(f"/api/v1/procedures/{code}", params={"at": "2020-06-01"})).json()[
        "version"
    ] == 1


async def test_an_abolished_procedure_meets_the_contract(catalogue: Catalogue, validator: Draft202012Validator) -> None:
    code = await catalogue.published(effective_on="2020-01-01")
    await catalogue.announce(("abolish", code), effective_on="2021-01-01")
    response = await catalogue.client.get(f"/api/v1/procedures/{code}")
    _valid(validator, response.json())
    assert response.json()["status"] == "abolished"


async def test_no_version_that_day_is_a_404_problem(catalogue: Catalogue) -> None:
    code = await catalogue.published(effective_on="2020-01-01")
    assert_problem(await catalogue.client.get(f"/api/v1/procedures/{code}", params={"at": "2019-12-31"}), 404)
    assert_problem(await catalogue.client.get("/api/v1/procedures/0.000001"), 404)
