"""Fuzzing dossier-api's API (see tests/fuzz/conftest.py); the catalogue it copies from is a fake."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from dossier_api.config import DossierSettings
from dossier_api.main import create_app
from motcua_kit.testing import TokenFactory, api_client
from tests.fuzz.conftest import FuzzCase, call_and_validate, fuzzing, schema_of

schema = schema_of(create_app(DossierSettings(_env_file=None, database={"url": "sqlite:///:memory:"})))


@pytest.fixture
async def client(dossier_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(dossier_app) as client:
        yield client


@schema.parametrize()
@fuzzing
async def test_operation(case: FuzzCase, client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    await call_and_validate(client, case, tokens.headers("admin"))
