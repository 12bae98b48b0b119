"""Reports: the gateway's overview over many dossiers and survey responses, on PostgreSQL.

The four processes run as under ``make run`` (uvicorn, one worker each), the services on fresh
PostgreSQL databases, the gateway on SQLite. The data is loaded as the other scenarios load it:

- dossiers: the dossier scenario's legacy history (``legacy_lines``, 2020-2025), inserted in process
  through dossier-api's import repository (binary COPY), then ``VACUUM ANALYZE``;
- survey responses: the survey scenario's bulk load (``generate_series``, the year 2025) and the
  service's own rebuild of its day and month totals;
- the catalogue: the demo catalogue (``seed-demo``).

Measured, one client, sequential calls: each service's own statistics for 2025 (the baseline: the
overview cannot be faster than its slowest part), the overview of 2025 through the gateway (all
agencies; one agency), its XLSX and PDF exports, the same year once closed (served from the
gateway's database), and the public summary (cached).

Sizes: ``BENCH_REPORTS_DOSSIERS`` and ``BENCH_REPORTS_RESPONSES`` (default 1,000,000 each; 20,000 in
quick mode). ``POSTGRES_URL`` names the server (default the local one); without it the table says so.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from bench.harness import ServerProcess, Table, closed_loop, free_port, postgres_database
from bench.scenarios.dossier import legacy_lines
from bench.scenarios.survey import _load as load_survey_responses
from dossier_api.imports.repository import ImportRepository
from dossier_api.imports.schemas import ImportedDossier
from dossier_api.imports.service import to_row
from motcua_kit.auth import Principal
from motcua_kit.db import Database
from motcua_kit.devtokens import load_or_create_dev_keys, mint_token
from motcua_kit.settings import DatabaseSettings
from motcua_tools.stack import FAKE_PORTAL, Process, processes, stack_environment

YEAR = {"from": "2025-01-01", "to": "2025-12-31"}
BATCH = 5000


def _size(name: str, quick: bool, quick_default: int, full_default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else (quick_default if quick else full_default)


def _step(argv: list[str], env: dict[str, str], log: Path) -> None:
    step = ServerProcess([sys.executable, *argv], env, "", log)
    if step.process.wait() != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: see {log}")


async def _load_dossiers(url: str, count: int) -> float:
    """The dossier scenario's legacy history, through the import repository in process."""
    started = time.perf_counter()
    principal = Principal(subject="bench", roles=frozenset())
    now = dt.datetime.now(dt.UTC)
    database = Database.from_settings(DatabaseSettings(url=url, statement_timeout_ms=0))
    try:
        batch: list[bytes] = []

        async def flush() -> None:
            rows = [to_row(ImportedDossier.model_validate_json(line), "SNGV", principal, now) for line in batch]
            async with database.transaction() as session:
                repository = ImportRepository(session)
                for offset in range(0, len(rows), 1000):
                    await repository.insert_new(rows[offset : offset + 1000])
            batch.clear()

        for line in legacy_lines(count):
            batch.append(line)
            if len(batch) == BATCH:
                await flush()
        if batch:
            await flush()
    finally:
        await database.dispose()
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("VACUUM ANALYZE dossiers")
    finally:
        await connection.close()
    return time.perf_counter() - started


async def run(quick: bool) -> list[Table]:
    dossiers = _size("BENCH_REPORTS_DOSSIERS", quick, 20_000, 1_000_000)
    responses = _size("BENCH_REPORTS_RESPONSES", quick, 20_000, 1_000_000)
    repeat = 5 if quick else 10
    table = Table(
        f"Reports: the overview over {dossiers:,} dossiers and {responses:,} survey responses (PostgreSQL)",
        "One client, sequential calls; each process one uvicorn worker. The overview asks the three services'"
        " statistics at once and composes them (every dossier figure with its list). Baseline: dossier-api's own"
        " statistics for the same year, asked directly (the largest part of the overview).",
        baseline="dossier-api: GET /dossiers/stats, direct",
        compare="median",
        target="the overview under 1.5 s (1500 ms)",
    )
    async with AsyncExitStack() as stack:
        urls = {
            label: await stack.enter_async_context(postgres_database(label))
            for label in ("catalog", "dossier", "survey")
        }
        if any(url is None for url in urls.values()):
            sys.stderr.write("bench reports: PostgreSQL is not reachable, the table is empty\n")
            table.description += " PostgreSQL was not reachable: no rows."
            return [table]
        workdir = Path(tempfile.mkdtemp(prefix="motcua-bench-reports-"))
        ports = {f"{p}PORT": str(free_port()) for p in ("CATALOG_", "DOSSIER_", "SURVEY_", "GATEWAY_")}
        # The overview needs the gateway and the three services; no dispatcher runs, so no portal either.
        procs = [proc for proc in processes(ports) if proc.package != FAKE_PORTAL]
        base = {
            **os.environ,
            "CATALOG_DATABASE__URL": str(urls["catalog"]),
            "DOSSIER_DATABASE__URL": str(urls["dossier"]),
            "SURVEY_DATABASE__URL": str(urls["survey"]),
        }
        env = stack_environment(workdir, procs, base=base)
        for proc in procs:
            env[f"{proc.env_prefix}LOG_LEVEL"] = "WARNING"
        # The public summary is a lookup (10 a minute per IP); one client measuring it would only meet 429s.
        env["GATEWAY_RATE_LIMITS__LOOKUP"] = "100000/minute"
        for proc in (proc for proc in procs if proc.has_database):
            _step(["-m", proc.package, "migrate"], env, workdir / f"{proc.name}-migrate.log")
        for package in ("procedure_catalog", "satisfaction_survey"):
            _step(["-m", package, "seed-demo"], env, workdir / f"{package}-seed.log")
        dossier_seconds = await _load_dossiers(str(urls["dossier"]), dossiers)
        survey_seconds = await load_survey_responses(str(urls["survey"]), responses)
        table.description += (
            f" Loading took {dossier_seconds:.0f} s (dossiers) and {survey_seconds:.0f} s (responses, totals)."
        )
        servers = _start(procs, env, workdir)
        try:
            await _measure(table, servers, workdir, repeat)
        finally:
            for server in servers.values():
                server.stop()
    return [table]


def _start(procs: list[Process], env: dict[str, str], workdir: Path) -> dict[str, ServerProcess]:
    servers = {
        proc.name: ServerProcess(
            [sys.executable, "-m", proc.package, "serve"], env, proc.url, workdir / f"{proc.name}.log"
        )
        for proc in procs
    }
    for server in servers.values():
        server.wait_ready()
    return servers


async def _measure(table: Table, servers: dict[str, ServerProcess], workdir: Path, repeat: int) -> None:
    key, kid, _ = load_or_create_dev_keys(workdir / "dev-keys")
    token = mint_token(key, kid, issuer="motcua-dev", audience="motcua", subject="bench", roles=["reporter"])
    reporter = {"Authorization": f"Bearer {token}"}
    gateway = servers["gateway"].url
    survey = servers["satisfaction-survey"].url
    overview = gateway + "/api/v1/reports/overview"
    calls = [
        ("dossier-api: GET /dossiers/stats, direct", servers["dossier-api"].url + "/api/v1/dossiers/stats", YEAR),
        ("satisfaction-survey: GET /surveys/stats, direct", survey + "/api/v1/surveys/stats", YEAR),
        ("gateway: GET /reports/overview (2025, all agencies)", overview, YEAR),
        ("gateway: GET /reports/overview (2025, SNGV)", overview, {**YEAR, "agency": "SNGV"}),
        ("gateway: GET /reports/scorecard (2025)", gateway + "/api/v1/reports/scorecard", YEAR),
        ("gateway: overview as XLSX", overview, {**YEAR, "format": "xlsx"}),
        ("gateway: overview as PDF", overview, {**YEAR, "format": "pdf"}),
    ]  # fmt: skip
    async with httpx.AsyncClient(timeout=120) as client:
        for label, url, params in calls:

            async def call(_: int, url: str = url, params: dict[str, str] = params) -> bool:
                response = await client.get(url, params=params, headers=reporter)
                if response.status_code != 200:
                    return False
                # A JSON overview with a part missing counts as an error: it did not measure the whole.
                json_answer = response.headers["content-type"].startswith("application/json")
                return not json_answer or bool(response.json().get("complete", True))

            table.rows.append(await closed_loop(label, call, operations=repeat, concurrency=1, warmup=1))
        closed = await client.post(gateway + "/api/v1/reports/periods", json={"period": "2025"}, headers=reporter)
        if closed.status_code == 201:

            async def frozen(_: int) -> bool:
                response = await client.get(gateway + "/api/v1/reports/overview", params=YEAR, headers=reporter)
                return response.status_code == 200 and response.json()["source"] == "frozen"

            table.rows.append(
                await closed_loop(
                    "gateway: GET /reports/overview (2025, closed)", frozen, operations=repeat, concurrency=1
                )
            )
        else:
            sys.stderr.write(f"bench reports: closing 2025 failed: {closed.status_code} {closed.text[:300]}\n")

        async def public(_: int) -> bool:
            return (await client.get(gateway + "/api/v1/reports/public", params=YEAR)).status_code == 200

        table.rows.append(
            await closed_loop("gateway: GET /reports/public (cached)", public, operations=repeat * 10, concurrency=1)
        )
    for row in table.rows:
        name = "gateway" if row.label.startswith("gateway") else row.label.split(":")[0]
        row.peak_rss_mb = servers[name].peak_rss_mb


if __name__ == "__main__":  # pragma: no cover - `python -m bench --only reports` is the way
    for result in asyncio.run(run(quick=True)):
        sys.stdout.write(result.render())
