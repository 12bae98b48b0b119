"""dossier-api: receptions and public lookups per second (SQLite and PostgreSQL), the historical import,
the statistics call over many dossiers, and due-date derivations in process.

Sizes are parameters (environment variables), so the full run can be made on a quiet machine:

- ``BENCH_DOSSIER_IMPORT_ROWS``: dossiers imported, then counted by the statistics call
  (default 1,000,000; 20,000 in quick mode);
- ``BENCH_DOSSIER_RECEPTIONS``, ``BENCH_DOSSIER_LOOKUPS``: HTTP operations per backend;
- ``POSTGRES_URL``: the server to create a scratch database on (default the local one); without a
  reachable server the PostgreSQL rows are left out, and the table says so.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson
from sqlalchemy import text

from bench.harness import BARE_FASTAPI, Measurement, ServerProcess, Table, bare_fastapi, closed_loop, free_port
from dossier_api.calendar.engine import Duration, DurationUnit, Pause, WorkingCalendar, default_rules
from dossier_api.imports.repository import ImportRepository
from dossier_api.imports.schemas import ImportedDossier
from dossier_api.imports.service import to_row
from motcua_kit.auth import Principal
from motcua_kit.db import Database
from motcua_kit.devtokens import load_or_create_dev_keys, mint_token
from motcua_kit.settings import DatabaseSettings

CONCURRENCY = 10
IMPORT_CHUNK = 5000
PROCEDURES = [f"1.{n:06d}" for n in range(900, 913)]
CHANNELS = ("in_person", "in_person", "online", "online", "online", "postal")


def _size(name: str, quick: int, full: int, quick_mode: bool) -> int:
    value = os.environ.get(name)
    return int(value) if value else (quick if quick_mode else full)


def legacy_lines(count: int, seed: int = 766) -> Iterator[bytes]:
    """``count`` historical dossiers over 2020-2025: mostly resolved, some refused, withdrawn or open."""
    rng = random.Random(seed)  # noqa: S311 - reproducible benchmark data
    origin = dt.datetime(2020, 1, 1, 1, 0, tzinfo=dt.UTC)
    per_day: dict[str, int] = {}
    for _ in range(count):
        received = origin + dt.timedelta(minutes=rng.randrange(6 * 365 * 24 * 60))
        day = (received + dt.timedelta(hours=7)).strftime("%y%m%d")
        per_day[day] = per_day.get(day, 0) + 1
        due = received + dt.timedelta(days=rng.choice((3, 7, 10, 14, 21)))
        line: dict[str, Any] = {
            "code": f"SNGV-{day}-{per_day[day]:04d}",
            "procedure_code": rng.choice(PROCEDURES),
            "channel": rng.choice(CHANNELS),
            "applicant": {"name": "Nguyễn Văn An", "phone": "0905123456"},
            "received_at": received.isoformat(),
            "due_at": due.isoformat(),
            "paid_online": rng.random() < 0.2,
        }
        roll = rng.random()
        if roll < 0.03:
            line.update(outcome="refused", finished_at=received.isoformat())
            del line["received_at"], line["due_at"]
        elif roll < 0.05:
            line.update(outcome="withdrawn", finished_at=(received + dt.timedelta(days=2)).isoformat())
        elif roll < 0.10 and received.year == 2025:
            pass  # still in progress
        else:
            resolved = received + dt.timedelta(days=rng.choice((2, 5, 8, 12, 15, 25)))
            line["resolved_at"] = resolved.isoformat()
            if rng.random() < 0.8:
                line["returned_at"] = (resolved + dt.timedelta(days=1)).isoformat()
        yield orjson.dumps(line)


def chunks(count: int) -> Iterator[tuple[int, bytes]]:
    lines: list[bytes] = []
    for line in legacy_lines(count):
        lines.append(line)
        if len(lines) == IMPORT_CHUNK:
            yield len(lines), b"\n".join(lines) + b"\n"
            lines = []
    if lines:
        yield len(lines), b"\n".join(lines) + b"\n"


class Backend:
    """A scratch database for one backend, created for the run and dropped after it."""

    def __init__(self, name: str, url: str, admin_dsn: str | None = None, database: str | None = None) -> None:
        self.name, self.url, self.admin_dsn, self.database = name, url, admin_dsn, database

    @classmethod
    async def postgresql(cls) -> Backend | None:
        server = os.environ.get("POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
        name = f"motcua_bench_{uuid.uuid4().hex[:8]}"
        try:
            connection = await asyncpg.connect(server, timeout=3)
        except (OSError, asyncpg.PostgresError):
            return None
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
        base = server.rsplit("/", 1)[0]
        return cls("PostgreSQL", f"{base}/{name}", server, name)

    async def drop(self) -> None:
        if self.admin_dsn is None:
            return
        connection = await asyncpg.connect(self.admin_dsn)
        try:
            # A name this module made from a random hex string.
            await connection.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        finally:
            await connection.close()


async def run(quick: bool) -> list[Table]:
    receptions = _size("BENCH_DOSSIER_RECEPTIONS", 300, 3000, quick)
    lookups = _size("BENCH_DOSSIER_LOOKUPS", 1000, 10000, quick)
    rows = _size("BENCH_DOSSIER_IMPORT_ROWS", 20_000, 1_000_000, quick)
    workdir = Path(tempfile.mkdtemp(prefix="motcua-bench-dossier-"))
    key, kid, jwks_file = load_or_create_dev_keys(workdir / "dev-keys")

    def token(role: str) -> str:
        return mint_token(
            key, kid, issuer="motcua-dev", audience="motcua", subject="bench", roles=[role], ttl_seconds=7200
        )

    catalog_port = free_port()
    catalog = ServerProcess(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.fake_catalog_app:app",
            "--port",
            str(catalog_port),
            "--log-level",
            "warning",
        ],
        os.environ,
        f"http://127.0.0.1:{catalog_port}",
        workdir / "catalog.log",
    )
    backends = [Backend("SQLite", f"sqlite:///{workdir / 'dossiers.db'}")]
    postgresql = await Backend.postgresql()
    if postgresql is not None:
        backends.append(postgresql)

    http = Table(
        "dossier-api: receptions and public lookups",
        f"One uvicorn worker per backend, {CONCURRENCY} concurrent clients. A reception checks the procedure with "
        "the catalogue (a stand-in answering at once), takes a code, derives the due date and writes the dossier "
        "and its timeline; a lookup checks the tracking secret. Baseline: a bare FastAPI endpoint, same clients.",
        baseline=BARE_FASTAPI,
    )
    imports = Table(
        "dossier-api: historical import",
        f"{rows:,} legacy dossiers as NDJSON, {IMPORT_CHUNK} lines per request (one transaction each), one client; "
        "each op is one dossier (latency = its chunk's time / chunk size). Baseline: the same rows inserted "
        "in process through the same repository, without HTTP and validation.",
        target="over 3,000 dossiers/s on PostgreSQL",
    )
    stats = Table(
        "dossier-api: statistics",
        f"`GET /api/v1/dossiers/stats` for the year 2025 over {rows:,} imported dossiers (plus the receptions), "
        "sequential calls; the ratio is of median latencies. Baseline: counting all the rows of the dossier "
        "table on the same database, in process.",
        compare="median",
        target="under 1 s on PostgreSQL with 1,000,000 dossiers",
    )
    if postgresql is None:
        http.description += " PostgreSQL was not reachable: its rows are missing."
    try:
        catalog.wait_ready("/docs")
        http.rows.append(await bare_fastapi(workdir, operations=lookups, concurrency=CONCURRENCY))
        for backend in backends:
            await _one_backend(
                backend, workdir, jwks_file, catalog.url, token, receptions, lookups, rows, http, imports, stats
            )
    finally:
        catalog.stop()
        for backend in backends:
            with suppress(Exception):
                await backend.drop()
    imports.baseline = imports.rows[0].label if imports.rows else None
    stats.baseline = stats.rows[0].label if stats.rows else None
    return [http, imports, stats, _due_dates(quick)]


async def _one_backend(  # noqa: PLR0917 - one call site, the run's parameters
    backend: Backend,
    workdir: Path,
    jwks_file: Path,
    catalog_url: str,
    token: Any,
    receptions: int,
    lookups: int,
    rows: int,
    http: Table,
    imports: Table,
    stats: Table,
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DOSSIER_PORT": str(port),
        "DOSSIER_DATABASE__URL": backend.url,
        "DOSSIER_DATABASE__POOL_SIZE": "10",
        "DOSSIER_CATALOG__URL": catalog_url,
        "DOSSIER_AUTH__JWKS_FILE": str(jwks_file),
        "DOSSIER_LOG_LEVEL": "WARNING",
    }
    migrate = ServerProcess([sys.executable, "-m", "dossier_api", "migrate"], env, "", workdir / f"migrate-{port}.log")
    if migrate.process.wait() != 0:
        raise RuntimeError(f"migration failed: see {workdir}")
    server = ServerProcess(
        [sys.executable, "-m", "dossier_api", "serve"], env, f"http://127.0.0.1:{port}", workdir / f"dossier-{port}.log"
    )
    try:
        server.wait_ready()
        officer = {"Authorization": f"Bearer {token('reception_officer')}"}
        secrets: list[tuple[str, str]] = []
        limits = httpx.Limits(max_connections=CONCURRENCY)
        async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=60) as client:

            async def livez(_: int) -> bool:
                return (await client.get("/livez")).status_code == 200

            payload = {
                "procedure_code": "1.000948",
                "channel": "in_person",
                "applicant": {"name": "Nguyễn Văn An", "id_number": "048090001234", "phone": "0905123456"},
                "documents": [{"component": "Tờ khai", "originals": 1}],
            }

            async def receive(_: int) -> bool:
                response = await client.post("/api/v1/dossiers", json=payload, headers=officer)
                if response.status_code == 201:
                    body = response.json()
                    secrets.append((body["code"], body["tracking_secret"]))
                return response.status_code == 201

            async def lookup(i: int) -> bool:
                code, secret = secrets[i % len(secrets)]
                response = await client.get(f"/api/v1/tracking/{code}", params={"secret": secret})
                return response.status_code == 200

            for label, operation, count in (
                ("GET /livez", livez, lookups),
                ("POST /api/v1/dossiers", receive, receptions),
                ("GET /api/v1/tracking/{code}", lookup, lookups),
            ):
                row = await closed_loop(
                    f"{backend.name}: {label}", operation, operations=count, concurrency=CONCURRENCY
                )
                row.peak_rss_mb = server.peak_rss_mb
                http.rows.append(row)

            integration = {"Authorization": f"Bearer {token('integration')}", "content-type": "application/x-ndjson"}
            await _baseline_insert(backend, min(rows, 50_000), imports)
            latencies: list[float] = []
            errors = 0
            started = time.perf_counter()
            for size, body in chunks(rows):
                t = time.perf_counter()
                response = await client.post("/api/v1/dossiers/import", content=body, headers=integration)
                elapsed = time.perf_counter() - t
                report = response.json() if response.status_code == 200 else {}
                errors += size - int(report.get("imported", 0)) - int(report.get("already_present", 0))
                latencies.extend([elapsed / size] * size)
            imports.rows.append(
                Measurement(
                    f"{backend.name}: POST /api/v1/dossiers/import",
                    latencies,
                    time.perf_counter() - started,
                    errors=errors,
                    peak_rss_mb=server.peak_rss_mb,
                )
            )

            if backend.admin_dsn is not None:
                await _analyze(backend)
            await _count_baseline(backend, stats)
            reporter = {"Authorization": f"Bearer {token('reporter')}"}

            async def stats_call(_: int) -> bool:
                response = await client.get(
                    "/api/v1/dossiers/stats", params={"from": "2025-01-01", "to": "2025-12-31"}, headers=reporter
                )
                return response.status_code == 200

            row = await closed_loop(
                f"{backend.name}: GET /api/v1/dossiers/stats", stats_call, operations=10, concurrency=1, warmup=2
            )
            row.note = f"{rows:,} dossiers"
            stats.rows.append(row)
    finally:
        server.stop()


async def _baseline_insert(backend: Backend, count: int, table: Table) -> None:
    """The same rows through the import repository in process: what HTTP and validation add."""
    principal = Principal(subject="bench", roles=frozenset())
    now = dt.datetime.now(dt.UTC)
    items = [ImportedDossier.model_validate_json(line) for line in legacy_lines(count, seed=1)]
    prefixed = [item.model_copy(update={"code": "B" + item.code}) for item in items]
    rows = [to_row(item, "SNGV", principal, now) for item in prefixed]
    database = Database.from_settings(DatabaseSettings(url=backend.url))
    latencies: list[float] = []
    started = time.perf_counter()
    try:
        for first in range(0, len(rows), IMPORT_CHUNK):
            batch = rows[first : first + IMPORT_CHUNK]
            t = time.perf_counter()
            async with database.transaction() as session:
                repository = ImportRepository(session)
                for offset in range(0, len(batch), 1000):
                    await repository.insert_new(batch[offset : offset + 1000])
            latencies.extend([(time.perf_counter() - t) / len(batch)] * len(batch))
        table.rows.append(
            Measurement(f"{backend.name}: repository insert, in process", latencies, time.perf_counter() - started)
        )
        async with database.transaction() as session:
            await session.execute(text("DELETE FROM dossiers WHERE code LIKE 'B%'"))
    finally:
        await database.dispose()


async def _analyze(backend: Backend) -> None:
    connection = await asyncpg.connect(backend.url)
    try:
        await connection.execute("VACUUM ANALYZE dossiers")
    finally:
        await connection.close()


async def _count_baseline(backend: Backend, table: Table) -> None:
    database = Database.from_settings(DatabaseSettings(url=backend.url))
    try:
        latencies = []
        started = time.perf_counter()
        for _ in range(10):
            t = time.perf_counter()
            async with database.transaction(write=False) as session:
                await session.scalar(text("SELECT count(*) FROM dossiers"))
            latencies.append(time.perf_counter() - t)
        table.rows.append(Measurement(f"{backend.name}: SELECT count(*)", latencies, time.perf_counter() - started))
    finally:
        await database.dispose()


def _due_dates(quick: bool) -> Table:
    """The engine as reception and resume use it: 5 working days, with and without a pause."""
    operations = 20_000 if quick else 200_000
    rng = random.Random(42)  # noqa: S311 - reproducible benchmark data
    calendar = WorkingCalendar(default_rules(range(2024, 2029)))
    origin = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    received = [origin + dt.timedelta(minutes=rng.randrange(2 * 365 * 24 * 60)) for _ in range(operations)]
    duration = Duration(5, DurationUnit.WORKING_DAYS)
    pauses = [(Pause(r + dt.timedelta(days=1), r + dt.timedelta(days=3)),) for r in received]
    days = dt.timedelta(days=7)

    def measure(label: str, operation: Any) -> Measurement:
        latencies = []
        started = time.perf_counter()
        for first in range(0, operations, 1000):
            t = time.perf_counter()
            for i in range(first, min(first + 1000, operations)):
                operation(i)
            latencies.extend([(time.perf_counter() - t) / 1000] * min(1000, operations - first))
        return Measurement(label, latencies, time.perf_counter() - started)

    table = Table(
        "dossier-api: due dates in process",
        "The calendar engine as a reception (no pause) and a resume (one pause) call it, per dossier; "
        "baseline: adding calendar days with datetime arithmetic.",
        baseline="received_at + timedelta(days=7)",
        target="over 100,000 due dates/s",
    )
    table.rows.append(measure("received_at + timedelta(days=7)", lambda i: received[i] + days))
    table.rows.append(measure("due_at(received_at, 5 working days)", lambda i: calendar.due_at(received[i], duration)))
    table.rows.append(
        measure(
            "due_at(received_at, 5 working days, 1 pause)",
            lambda i: calendar.due_at(received[i], duration, pauses[i]),
        )
    )
    return table


if __name__ == "__main__":
    for result in asyncio.run(run(quick=True)):
        sys.stdout.write(result.render())
