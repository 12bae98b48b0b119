"""Stateful fuzzing of dossier-api: generated sequences of calls on the dossiers they create.

The per-operation fuzzing (test_dossier_api.py) calls each operation alone, so an action on a dossier
mostly meets an unknown code (404) or a missing ETag (428). Here schemathesis's state machine
(Hypothesis rule-based testing) follows links: a reception's 201, and every action's 200, hand the
dossier's code to the next call, and an action goes with the dossier's current ETag as If-Match (read
just before it: stale ETags have tests of their own). Generated sequences thus try the actions in
whatever order Hypothesis picks, each answer checked as in the per-operation fuzzing (no server error,
documented status, content type and schema; every error a problem document).

The links are added here, from the app's own document, rather than published: they say how to chain
the calls, which the contract does not promise. Receptions name the procedure the fake catalogue
knows (a generated code would only ever be 422). Each generated sequence starts on empty tables.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import settings
from schemathesis import GenerationMode
from schemathesis.core.transport import Response
from sqlalchemy import delete

from dossier_api.config import DossierSettings
from dossier_api.main import MIGRATIONS, create_app
from dossier_api.models import Base
from motcua_kit.db import Database
from motcua_kit.migrations import upgrade_engine
from motcua_kit.testing import TokenFactory, api_client, fresh_database_url
from tests.dossier_api.fake_catalog import FakeCatalog
from tests.fuzz.conftest import FUZZ_SETTINGS, FuzzCase, call_and_validate

DOSSIER_CODE = "/api/v1/dossiers/{code}"
STEPS = 10  # calls per generated sequence


def with_links(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with links from a reception, and from each action, to every call on the dossier."""
    linked = copy.deepcopy(document)
    paths: dict[str, dict[str, Any]] = linked["paths"]
    on_the_dossier = {
        operation["operationId"]: {
            "operationId": operation["operationId"],
            "parameters": {"code": "$response.body#/code"},
        }
        for path, operations in paths.items()
        if path.startswith(DOSSIER_CODE)
        for operation in operations.values()
    }
    paths["/api/v1/dossiers"]["post"]["responses"]["201"]["links"] = on_the_dossier
    for path, operations in paths.items():
        answer = operations.get("post", {}).get("responses", {}).get("200")
        if path.startswith(DOSSIER_CODE + "/") and answer is not None:
            answer["links"] = on_the_dossier
    return linked


@dataclass
class Served:
    """dossier-api on a database of its own, on a private event loop that the (synchronous) state machine drives."""

    runner: asyncio.Runner
    app: FastAPI
    client: httpx.AsyncClient
    database: Database


@pytest.fixture
def served(db_backend: str, tmp_path: Path, tokens: TokenFactory) -> Iterator[Served]:
    with asyncio.Runner() as runner:
        stack = AsyncExitStack()
        try:
            url = runner.run(stack.enter_async_context(fresh_database_url(db_backend, "lifecycle", tmp_path)))
            settings_ = DossierSettings(
                _env_file=None,
                environment="test",
                auth=tokens.auth_settings(),
                agency_code="SNGV",
                database={"url": url},
            )
            database = Database.from_settings(settings_.database)
            runner.run(upgrade_engine(database.engine, MIGRATIONS))
            app = create_app(settings_, database=database, catalog_transport=FakeCatalog().transport)
            client = runner.run(stack.enter_async_context(api_client(app)))
            yield Served(runner, app, client, database)
        finally:
            runner.run(stack.aclose())


def test_generated_dossier_lifecycles(served: Served, tokens: TokenFactory) -> None:
    schema = schemathesis.openapi.from_dict(with_links(served.app.openapi()))
    # Sequences of valid calls: malformed input is the per-operation fuzzing's part.
    schema.config.generation.update(modes=[GenerationMode.POSITIVE])
    headers = tokens.headers("admin")
    accepted_actions: list[str] = []

    class Lifecycles(schema.as_state_machine()):  # type: ignore[misc]
        def before_call(self, case: FuzzCase, **kwargs: Any) -> None:
            if (case.operation.path, case.method) == ("/api/v1/dossiers", "POST") and isinstance(case.body, dict):
                case.body["procedure_code"] = "1.000948"  # the one the fake catalogue publishes

        def call(self, case: FuzzCase, **kwargs: Any) -> Response:
            sent = dict(case.headers or {})
            sent.update(headers)
            if _is_action(case) and (current := served.runner.run(_etag(served.client, case, headers))):
                # The dossier as it is now: a sequence explores the actions, not stale ETags (tested apart).
                sent["If-Match"] = current
            # Checked as the per-operation fuzzing checks each answer.
            answer = served.runner.run(call_and_validate(served.client, case, sent))
            if _is_action(case) and answer.is_success:
                accepted_actions.append(case.operation.path)
            return Response.from_httpx(answer, verify=False)

        def validate_response(
            self, response: Response, case: FuzzCase, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            """Done in :meth:`call`, on the answer as received."""

        def teardown(self) -> None:
            served.runner.run(_empty(served.database))

    Lifecycles.run(settings=settings(parent=FUZZ_SETTINGS, stateful_step_count=STEPS))
    # The sequences went past the reception: actions on dossiers it created were accepted.
    assert accepted_actions


def _is_action(case: FuzzCase) -> bool:
    return case.method == "POST" and case.operation.path.startswith(DOSSIER_CODE + "/")


async def _etag(client: httpx.AsyncClient, case: FuzzCase, headers: dict[str, str]) -> str | None:
    code = (case.path_parameters or {}).get("code")
    if not isinstance(code, str):
        return None
    etag = (await client.get(f"/api/v1/dossiers/{code}", headers=headers)).headers.get("etag")
    return etag if isinstance(etag, str) else None


async def _empty(database: Database) -> None:
    async with database.transaction() as session:
        for table in reversed(Base.metadata.sorted_tables):
            await session.execute(delete(table))
