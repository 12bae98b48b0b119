"""satisfaction-survey: evaluations accepted per second, and the satisfaction index over many responses.

Two tables:

1. Writes through a real service process (``python -m satisfaction_survey serve``), on SQLite and, when
   ``POSTGRES_URL`` is set, on PostgreSQL: invitations issued, online responses, paper responses,
   against ``GET /livez`` of the same process.
2. ``GET /api/v1/surveys/stats`` over ``BENCH_SURVEY_RESPONSES`` responses (default 1,000,000; quick
   mode 20,000) on PostgreSQL (``POSTGRES_URL``), loaded in bulk with ``generate_series`` and summed
   into the day and month totals by the service's own rebuild; the same figures computed from the raw
   answers are shown for comparison. Target: under 1 s.

Sizes: ``BENCH_SURVEY_RESPONSES`` and ``BENCH_SURVEY_WRITES`` (operations per write row).
"""

from __future__ import annotations

import asyncio
import math
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from bench.harness import (
    BARE_FASTAPI,
    Measurement,
    ServerProcess,
    Table,
    bare_fastapi,
    closed_loop,
    free_port,
    postgres_database,
)
from motcua_kit.db import Database
from motcua_kit.devtokens import load_or_create_dev_keys, mint_token
from motcua_kit.settings import DatabaseSettings
from motcua_tools.stack import processes, stack_environment
from satisfaction_survey.stats.totals import TotalsRepository

API = "/api/v1/surveys"
CONCURRENCY = 10
PROCEDURES = [
    "1.000948", "2.000635", "2.000634", "1.001211", "1.001223", "1.001235", "2.001731",
    "2.001732", "1.003130", "1.003131", "1.003132", "1.003140", "2.001990",
]  # fmt: skip


def _size(name: str, quick: bool, quick_default: int, full_default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else (quick_default if quick else full_default)


class SurveyServer:
    """The survey service on a free port, migrated and with the demo questionnaire."""

    def __init__(self, workdir: Path, database_url: str | None) -> None:
        self.port = free_port()
        base = dict(os.environ)
        if database_url:
            base["SURVEY_DATABASE__URL"] = database_url
        self.env = stack_environment(workdir, processes({"SURVEY_PORT": str(self.port)}), base=base)
        self.env["SURVEY_LOG_LEVEL"] = "WARNING"
        self.database_url = self.env["SURVEY_DATABASE__URL"]
        self.workdir = workdir
        key, kid, _ = load_or_create_dev_keys(workdir / "dev-keys")
        self._key, self._kid = key, kid
        for command in ("migrate", "seed-demo"):
            step = ServerProcess(
                [sys.executable, "-m", "satisfaction_survey", command], self.env, "", workdir / f"{command}.log"
            )
            if step.process.wait() != 0:
                raise RuntimeError(f"satisfaction_survey {command} failed: see {workdir}")
        self.server = ServerProcess(
            [sys.executable, "-m", "satisfaction_survey", "serve"],
            self.env,
            f"http://127.0.0.1:{self.port}",
            workdir / "survey.log",
        )

    def headers(self, role: str, subject: str = "bench") -> dict[str, str]:
        token = mint_token(
            self._key,
            self._kid,
            issuer="motcua-dev",
            audience="motcua",
            subject=subject,
            roles=[role],
            ttl_seconds=7200,
        )
        return {"Authorization": f"Bearer {token}"}

    def stop(self) -> None:
        self.server.stop()


_reported: set[str] = set()


def _report_failure(response: httpx.Response) -> None:
    """Say once per kind of failure what the service answered (the table only counts errors)."""
    kind = f"{response.status_code} {response.headers.get('content-type', '')}"
    if kind not in _reported:
        _reported.add(kind)
        sys.stderr.write(
            f"bench survey: {response.request.method} {response.request.url.path} -> {kind}: {response.text[:300]}\n"
        )


def _ok(response: httpx.Response) -> bool:
    if response.status_code == 201:
        return True
    _report_failure(response)
    return False


async def _write_rows(server: SurveyServer, backend: str, operations: int) -> list[Measurement]:
    url = server.server.url
    integration = server.headers("integration")
    clerk = server.headers("reception_officer", subject="bench-clerk")
    run = uuid.uuid4().hex[:6]
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=CONCURRENCY), timeout=30) as client:
        questionnaire = (await client.get(f"{url}{API}/questionnaires/current")).json()
        answers = [
            {"question_id": q["id"], "score": 4 + (q["position"] % 2)}
            for q in questionnaire["questions"]
            if q["kind"] == "scale"
        ]
        issued: dict[int, dict[str, Any]] = {}

        async def livez(_: int) -> bool:
            return (await client.get(f"{url}/livez")).status_code == 200

        async def invite(i: int) -> bool:
            payload = {
                "dossier_code": f"BENCH{run}-{i + 1_000_000:07d}",
                "procedure_code": PROCEDURES[i % len(PROCEDURES)],
                "agency_code": "SNGV",
                "channel": "in_person",
                "officer_id": "bench-officer",
            }
            response = await client.post(f"{url}{API}/invitations", json=payload, headers=integration)
            if response.status_code != 201:
                _report_failure(response)
                return False
            if i >= 0:
                issued[i] = response.json()
            return True

        async def online(i: int) -> bool:
            if i < 0 or i not in issued:
                return i < 0  # no warm-up: every invitation answers once
            body = {"mode": "online", "token": issued[i]["token"], "answers": answers}
            return _ok(await client.post(f"{url}{API}/responses", json=body))

        async def paper(i: int) -> bool:
            if i < 0 or operations + i not in issued:
                return i < 0
            body = {
                "mode": "paper",
                "dossier_code": issued[operations + i]["dossier_code"],
                "form_number": f"B{run}-{i}",
                "answers": answers,
            }
            return _ok(await client.post(f"{url}{API}/responses", json=body, headers=clerk))

        rows = [await closed_loop(f"{backend}: GET /livez", livez, operations=operations, concurrency=CONCURRENCY)]
        rows.append(
            await closed_loop(
                f"{backend}: POST /invitations", invite, operations=2 * operations, concurrency=CONCURRENCY
            )
        )
        rows.append(
            await closed_loop(
                f"{backend}: POST /responses (online)", online, operations=operations, concurrency=CONCURRENCY
            )
        )
        rows.append(
            await closed_loop(
                f"{backend}: POST /responses (paper)", paper, operations=operations, concurrency=CONCURRENCY
            )
        )
    for row in rows:
        row.peak_rss_mb = server.server.peak_rss_mb
    return rows


async def writes(quick: bool) -> Table:
    operations = _size("BENCH_SURVEY_WRITES", quick, 200, 2000)
    table = Table(
        "Evaluations accepted per second",
        f"One uvicorn worker; {CONCURRENCY} concurrent clients. Each write is one transaction: the response,"
        " its answers, the invitation marked used, any feedback item and the day and month totals. SQLite runs with"
        " `synchronous=FULL`. The invitations row issues twice as many (half are answered online, half on paper).",
        baseline=BARE_FASTAPI,
    )
    table.rows.append(
        await bare_fastapi(Path(tempfile.mkdtemp(prefix="motcua-bench-survey-")), operations=operations,
                           concurrency=CONCURRENCY)
    )  # fmt: skip
    async with postgres_database("survey_writes") as postgres_url:
        for backend, url in (("sqlite", None), ("postgresql", postgres_url)):
            if backend == "postgresql" and url is None:
                sys.stderr.write("bench survey: POSTGRES_URL not set, PostgreSQL write rows skipped\n")
                continue
            workdir = Path(tempfile.mkdtemp(prefix=f"motcua-bench-survey-{backend}-"))
            server = SurveyServer(workdir, url)
            try:
                server.server.wait_ready()
                table.rows += await _write_rows(server, backend, operations)
            finally:
                server.stop()
    return table


LOAD_SQL = [
    # Invitations over a year, 3 agencies, 13 procedures, 3 channels; 90% answered two days later.
    """
    INSERT INTO invitations (dossier_code, procedure_code, agency_code, channel, officer_id, questionnaire_id,
                             token_hash, expires_at, issued_on, created_at, created_by, responded_at)
    SELECT 'BENCH-' || i, procedures[1 + i % 13], (ARRAY['SNGV', 'STP', 'SXD'])[1 + (i / 13) % 3],
           (ARRAY['in_person', 'online', 'postal'])[1 + (i / 39) % 3], 'bench-officer-' || (i % 50), $1,
           encode(sha256(('bench-' || i)::bytea), 'hex'), ts + interval '14 days',
           (ts AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, ts, 'bench',
           CASE WHEN i % 10 <> 0 THEN ts + interval '2 days' END
    FROM (SELECT i, timestamptz '2025-01-01 02:00+00' + (i % 365) * interval '1 day' + (i % 600) * interval '1 minute'
                 AS ts, $2::text[] AS procedures
          FROM generate_series(1, $3) AS i) AS s
    """,
    # A third of the responses on paper.
    """
    INSERT INTO responses (invitation_id, questionnaire_id, dossier_code, procedure_code, agency_code, channel, mode,
                           form_number, entered_by, complaint, submitted_at, submitted_on)
    SELECT id, questionnaire_id, dossier_code, procedure_code, agency_code, channel,
           CASE WHEN id % 3 = 0 THEN 'paper' ELSE 'online' END,
           CASE WHEN id % 3 = 0 THEN 'BF-' || id END, CASE WHEN id % 3 = 0 THEN 'bench-clerk' END, false,
           responded_at, (responded_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
    FROM invitations WHERE created_by = 'bench' AND responded_at IS NOT NULL
    """,
    # Scores mostly 4 and 5, as in the department's reports.
    """
    INSERT INTO answers (response_id, question_id, score)
    SELECT r.id, q.id, CASE WHEN h < 60 THEN 5 WHEN h < 93 THEN 4 WHEN h < 97 THEN 3 WHEN h < 99 THEN 2 ELSE 1 END
    FROM responses AS r
    CROSS JOIN questions AS q
    CROSS JOIN LATERAL (SELECT (r.id::bigint * 7919 + q.id * 104729) % 100 AS h) AS x
    WHERE q.questionnaire_id = $1 AND q.kind = 'scale' AND r.dossier_code LIKE 'BENCH-%'
    """,
]

NAIVE_SQL = """
    SELECT r.mode, q.factor, count(*), sum(CASE WHEN a.score >= 4 THEN 1 ELSE 0 END), sum(a.score)
    FROM answers AS a JOIN responses AS r ON r.id = a.response_id JOIN questions AS q ON q.id = a.question_id
    WHERE a.score IS NOT NULL
    GROUP BY r.mode, q.factor
"""


async def _load(url: str, responses: int) -> float:
    """Bulk-load about ``responses`` responses and rebuild the totals; return the seconds it took."""
    started = time.perf_counter()
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        questionnaire_id = await connection.fetchval("SELECT id FROM questionnaires WHERE status = 'published'")
        invitations = math.ceil(responses / 0.9)
        await connection.execute(LOAD_SQL[0], questionnaire_id, PROCEDURES, invitations)
        await connection.execute(LOAD_SQL[1])
        await connection.execute(LOAD_SQL[2], questionnaire_id)
    finally:
        await connection.close()
    database = Database.from_settings(DatabaseSettings(url=url, statement_timeout_ms=0))
    try:
        async with database.transaction() as session:
            await TotalsRepository(session).rebuild()
    finally:
        await database.dispose()
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return time.perf_counter() - started


async def index(quick: bool) -> Table | None:
    responses = _size("BENCH_SURVEY_RESPONSES", quick, 20_000, 1_000_000)
    repeat = 5 if quick else 20
    async with postgres_database("survey_stats") as url:
        if url is None:
            sys.stderr.write("bench survey: POSTGRES_URL not set, the index table is skipped\n")
            return None
        workdir = Path(tempfile.mkdtemp(prefix="motcua-bench-survey-stats-"))
        server = SurveyServer(workdir, url)
        try:
            load_seconds = await _load(url, responses)
            server.server.wait_ready()
            dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
            connection = await asyncpg.connect(dsn)
            try:
                loaded = await connection.fetchval("SELECT count(*) FROM responses")
                totals_rows = await connection.fetchval("SELECT count(*) FROM answer_totals")
            finally:
                await connection.close()
            table = Table(
                f"The satisfaction index over {loaded:,} responses (PostgreSQL)",
                f"`GET {API}/stats` on one uvicorn worker, one client; {loaded * 6:,} scale answers summed into"
                f" {totals_rows:,} total rows (bulk load and rebuild took {load_seconds:.0f} s). The last"
                " row computes only the per-factor figures straight from the raw answers, as the index would"
                " without the day and month totals.",
                baseline=BARE_FASTAPI,
                compare="median",
                target="the stats call under 1 s (1000 ms) at 1,000,000 responses",
            )
            table.rows.append(await bare_fastapi(workdir, operations=repeat, concurrency=1))
            headers = server.headers("reporter")
            base = f"{server.server.url}"
            calls = {
                "GET /livez": ("/livez", {}),
                "GET /stats (all time, no filter)": (f"{API}/stats", {}),
                "GET /stats (a quarter, one agency)": (
                    f"{API}/stats",
                    {"from": "2025-04-01", "to": "2025-06-30", "agency": "STP"},
                ),
                "GET /stats (a year, agency + procedure + channel)": (
                    f"{API}/stats",
                    {"from": "2025-01-01", "to": "2025-12-31", "agency": "SNGV", "procedure": "1.000948",
                     "channel": "in_person"},
                ),
            }  # fmt: skip
            async with httpx.AsyncClient(timeout=120) as client:
                for label, (path, params) in calls.items():

                    async def call(_: int, path: str = path, params: dict[str, str] = params) -> bool:
                        return (await client.get(base + path, params=params, headers=headers)).status_code == 200

                    row = await closed_loop(label, call, operations=repeat, concurrency=1, warmup=2)
                    row.peak_rss_mb = server.server.peak_rss_mb
                    table.rows.append(row)
            connection = await asyncpg.connect(dsn)
            try:
                latencies = []
                started = time.perf_counter()
                for _ in range(3):
                    t = time.perf_counter()
                    await connection.fetch(NAIVE_SQL)
                    latencies.append(time.perf_counter() - t)
                table.rows.append(
                    Measurement(
                        "factors from the raw answers (no totals)",
                        latencies,
                        time.perf_counter() - started,
                        note="SQL only, no HTTP",
                    )
                )
            finally:
                await connection.close()
            return table
        finally:
            server.stop()


async def run(quick: bool) -> list[Table]:
    tables = [await writes(quick)]
    stats_table = await index(quick)
    if stats_table is not None:
        tables.append(stats_table)
    return tables


if __name__ == "__main__":  # pragma: no cover - `python -m bench --only survey` is the way
    asyncio.run(run(quick=True))
