from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from motcua_kit.testing import TokenFactory, api_client
from tests.procedure_catalog.factories import Catalogue


@pytest.fixture
async def client(catalog_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(catalog_app) as client:
        yield client


@pytest.fixture
async def catalogue(client: httpx.AsyncClient, tokens: TokenFactory) -> Catalogue:
    """The API as an editor drives it, with the field NGV-DN and the agency SNGV in place."""
    helper = Catalogue(client, tokens)
    await helper.reference_lists()
    return helper
