"""Every operation of every service documents its errors as problem documents."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from dossier_api.config import DossierSettings
from dossier_api.main import create_app as dossier_app
from procedure_catalog.config import CatalogSettings
from procedure_catalog.main import create_app as catalog_app
from satisfaction_survey.config import SurveySettings
from satisfaction_survey.main import create_app as survey_app


def _apps() -> list[FastAPI]:
    return [
        catalog_app(CatalogSettings(_env_file=None, database={"url": "sqlite:///:memory:"})),
        dossier_app(DossierSettings(_env_file=None, database={"url": "sqlite:///:memory:"})),
        survey_app(SurveySettings(_env_file=None, database={"url": "sqlite:///:memory:"})),
    ]


@pytest.mark.parametrize("app", _apps(), ids=["catalog", "dossier", "survey"])
def test_errors_are_problem_documents(app: FastAPI) -> None:
    document = app.openapi()
    assert document["openapi"].startswith("3.1")
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert any(s.startswith("2") for s in responses), (method, path)
            for status, response in responses.items():
                if int(status) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], (method, path, status)
            if operation.get("security"):
                assert {"401", "403"} <= set(responses), (method, path)
            if operation.get("parameters") or operation.get("requestBody"):
                assert "422" in responses, (method, path)
