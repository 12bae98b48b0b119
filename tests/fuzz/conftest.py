"""Property-based API fuzzing with schemathesis: each service's own OpenAPI document drives requests.

Every operation is one test on a rolled-back database (motcua_kit.testing), driven by an admin's
bearer token, so generated requests get past authentication and reach validation and the rules.
Each response must be no server error, documented (status code and content type) and match its
documented schema; every error, documented or not, must be a problem document.

``FUZZ_MAX_EXAMPLES`` bounds the generated examples per operation (small under ``make test``, large
under ``make fuzz``); on top come schemathesis's deterministic examples and coverage cases (boundary
values, missing and wrong-typed fields). The run is derandomised, so CI sees the same examples every
time, unless ``FUZZ_SEED`` names a seed (``make fuzz`` draws a new one each run and prints it).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.case import Case
from schemathesis.schemas import APIOperation, BaseSchema
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.transport import SerializationContext

from motcua_kit.testing import assert_problem

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "10"))
SEED = os.environ.get("FUZZ_SEED")

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=SEED is None,
    database=None,
    deadline=None,
    # One app and one rolled-back database serve all examples of an operation, on purpose: data the
    # examples create meets later ones. Slow or heavily filtered generation is expected for large bodies.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)


@schemathesis.serializer("application/x-ndjson")
def ndjson(_context: SerializationContext, value: Any) -> bytes:
    """The dossier import takes one JSON document per line; the schema describes one line."""
    return (json.dumps(value, ensure_ascii=False) + "\n").encode()


Test = TypeVar("Test", bound=Callable[..., Any])
FuzzCase = Case[APIOperation[Any, Any, Any, Any]]


def fuzzing(test: Test) -> Test:
    """The Hypothesis settings (and seed) of every fuzzing test; goes under ``@schema.parametrize()``."""
    configured: Test = FUZZ_SETTINGS(test)
    if SEED is not None:
        configured = seed(int(SEED))(configured)
    return configured


def schema_of(app: FastAPI) -> BaseSchema:
    """The app's own OpenAPI document, as the committed contract holds it."""
    return schemathesis.openapi.from_dict(app.openapi())


def request_of(case: FuzzCase, headers: dict[str, str]) -> dict[str, Any]:
    """The case as keyword arguments for :meth:`httpx.AsyncClient.request` (schemathesis speaks requests)."""
    kwargs = case.as_transport_kwargs(headers=headers)
    cookies = kwargs.pop("cookies", None)
    if cookies:
        kwargs["headers"]["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    if isinstance(kwargs.get("data"), bytes | str):
        kwargs["content"] = kwargs.pop("data")
    return kwargs


async def call_and_validate(client: httpx.AsyncClient, case: FuzzCase, headers: dict[str, str]) -> httpx.Response:
    kwargs = request_of(case, headers)
    response = await client.request(**kwargs)
    case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)
    if response.status_code >= 400:
        # Every error, documented or not (405 to an unexpected method, 401 without a token), is a problem.
        assert_problem(response, response.status_code)
    return response
