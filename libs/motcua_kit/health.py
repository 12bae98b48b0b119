"""``/livez`` (the process answers; no I/O) and ``/readyz`` (it can serve: its checks pass).

A readiness check is an async callable returning ``(ok, detail)``; each runs with a timeout so a
hung database makes the probe fail fast instead of hanging it. Critical checks (the service's own
database) turn ``/readyz`` into a 503; informational ones (the gateway's upstreams) are reported
and make the status ``degraded`` without taking the process out of rotation.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from motcua_kit.db import Database
from motcua_kit.errors import problem_response
from motcua_kit.migrations import current_revisions, head_revisions, known_revisions

ReadinessCheck = Callable[[], Awaitable[tuple[bool, Any]]]

CHECK_TIMEOUT_SECONDS = 2.0


def database_checks(database: Database, script_location: str) -> dict[str, ReadinessCheck]:
    """The database answers, and its schema is at the head of the service's migration history, or ahead of it.

    Ahead means the database is at a revision this code does not know: the next release's migration
    ran (the "expand" step of an expand/contract change, which old code must tolerate by design).
    Old replicas stay ready through it, so a rolling deployment keeps serving. Behind (a known,
    older revision, or none) is not ready: the migration job has not run yet.
    """
    heads = head_revisions(script_location)
    known = known_revisions(script_location)

    async def database_reachable() -> tuple[bool, Any]:
        async with database.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return True, "ok"

    async def migrations_at_head() -> tuple[bool, Any]:
        async with database.engine.connect() as connection:
            current = await current_revisions(connection)
        if current == heads:
            return True, "ok"
        if current and not current <= known:
            return True, {"ahead": sorted(current - known), "expected": sorted(heads)}
        return False, {"current": sorted(current), "expected": sorted(heads)}

    return {"database": database_reachable, "migrations": migrations_at_head}


async def run_checks(checks: dict[str, ReadinessCheck]) -> tuple[bool, dict[str, Any]]:
    async def one(check: ReadinessCheck) -> tuple[bool, Any]:
        try:
            return await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS)
        except TimeoutError:
            return False, "timeout"
        except Exception as exc:  # a failing check is a "not ready", never a 500
            return False, type(exc).__name__

    names = list(checks)
    results = await asyncio.gather(*(one(checks[n]) for n in names))
    report = {
        name: detail if ok else {"ok": False, "detail": detail}
        for name, (ok, detail) in zip(names, results, strict=True)
    }
    return all(ok for ok, _ in results), report


async def livez(_request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    critical: dict[str, ReadinessCheck] = request.app.state.readiness_checks
    informational: dict[str, ReadinessCheck] = request.app.state.informational_checks
    (ready, report), (healthy, info) = await asyncio.gather(run_checks(critical), run_checks(informational))
    report.update(info)
    if not ready:
        return problem_response(503, "not_ready", detail="A readiness check failed.", extra={"checks": report})
    return JSONResponse({"status": "ready" if healthy else "degraded", "checks": report})
