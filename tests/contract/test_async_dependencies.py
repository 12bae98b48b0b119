"""No endpoint or dependency of the four apps is run in FastAPI's thread pool."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import APIRouter, Depends, FastAPI

from dossier_api.config import DossierSettings
from dossier_api.main import create_app as dossier_app
from motcua_gateway.config import GatewaySettings
from motcua_gateway.main import create_app as gateway_app
from motcua_kit.testing import threadpool_calls
from procedure_catalog.config import CatalogSettings
from procedure_catalog.main import create_app as catalog_app
from satisfaction_survey.config import SurveySettings
from satisfaction_survey.main import create_app as survey_app

MEMORY = {"url": "sqlite:///:memory:"}
APPS: dict[str, Callable[[], FastAPI]] = {
    "procedure-catalog": lambda: catalog_app(CatalogSettings(_env_file=None, database=MEMORY)),
    "dossier-api": lambda: dossier_app(DossierSettings(_env_file=None, database=MEMORY)),
    "satisfaction-survey": lambda: survey_app(SurveySettings(_env_file=None, database=MEMORY)),
    "gateway": lambda: gateway_app(GatewaySettings(_env_file=None, database=MEMORY)),
}


@pytest.mark.parametrize("name", list(APPS))
def test_every_dependency_runs_on_the_event_loop(name: str) -> None:
    assert threadpool_calls(APPS[name]()) == set(), "declare these `async def` (they do no blocking I/O)"


def plain() -> int:
    return 1


def test_the_check_finds_a_plain_function_in_an_included_router() -> None:
    router = APIRouter()

    @router.get("/x")
    async def endpoint(value: int = Depends(plain)) -> int:
        return value

    app = FastAPI()
    app.include_router(router, prefix="/api")
    assert threadpool_calls(app) == {f"{__name__}.plain"}
