"""Fuzzing procedure-catalog's API (see tests/fuzz/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from motcua_kit.testing import TokenFactory, api_client
from procedure_catalog.config import CatalogSettings
from procedure_catalog.main import create_app
from tests.fuzz.conftest import FuzzCase, call_and_validate, fuzzing, schema_of

schema = schema_of(create_app(CatalogSettings(_env_file=None, database={"url": "sqlite:///:memory:"})))


@pytest.fixture
async def client(catalog_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(catalog_app) as client:
        yield client


@schema.parametrize()
@fuzzing
async def test_operation(case: FuzzCase, client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    await call_and_validate(client, case, tokens.headers("admin"))
