"""Fuzzing the gateway's own operations (API clients, reports) in front of the three services in process.

The services' operations behind the gateway are fuzzed directly in the other modules; here only what the
gateway answers itself: its API client registry and the reports it composes from the services' statistics.
"""

from __future__ import annotations

import httpx

from motcua_gateway.config import GatewaySettings
from motcua_gateway.main import create_app as create_gateway_app
from motcua_kit.testing import TokenFactory
from tests.fuzz.conftest import FuzzCase, call_and_validate, fuzzing, schema_of

# The gateway tests' fixtures: the three services in process, trusting the gateway's internal tokens,
# behind a gateway on a rolled-back database with API keys enabled (imported, they serve this module).
from tests.gateway.conftest import (  # noqa: F401
    catalog_app,
    dossier_settings,
    gateway,
    gateway_database,
    gateway_engine,
    gateway_key,
    gateway_trust,
    service_transports,
    survey_app,
)

schema = schema_of(create_gateway_app(GatewaySettings(_env_file=None)))


@schema.parametrize()
@fuzzing
async def test_operation(case: FuzzCase, gateway: httpx.AsyncClient, tokens: TokenFactory) -> None:  # noqa: F811
    await call_and_validate(gateway, case, tokens.headers("admin"))
