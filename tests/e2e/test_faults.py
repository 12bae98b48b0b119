"""Faults over real processes: a service killed during a reception load, its database taken away.

procedure-catalog (with its demo catalogue), dossier-api and the gateway run as their own processes,
configured as ``make run`` configures them (tools/motcua_tools/stack.py), on SQLite or PostgreSQL.

1. dossier-api is SIGKILLed while 20 clients receive dossiers. Restarted on the same database, it
   holds every dossier it acknowledged with a 201, and nothing half-written: each dossier has its
   timeline and its event, the day's numbers run 1..N with neither gap nor repeat.
2. On PostgreSQL, dossier-api reaches its database through a TCP proxy (tests/e2e/tcp_proxy.py),
   which is then stopped (connections cut, port closed) or partitioned (traffic held). dossier-api
   answers 503 problem+json within bounded time and is not ready; the gateway keeps serving the
   catalogue; with the proxy back, dossier-api is ready and writes again, without a restart.
3. On SQLite there is no server to lose; its fault is another process holding the write lock
   (a backup, a maintenance script) for longer than the busy timeout: writes answer 503
   ``database_busy`` in bounded time, reads and readiness carry on, writes resume after.
"""

from __future__ import annotations

import asyncio
import itertools
import signal
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from dossier_api.main import MIGRATIONS as DOSSIER_MIGRATIONS
from motcua_gateway.main import MIGRATIONS as GATEWAY_MIGRATIONS
from motcua_kit.db import Database, create_engine
from motcua_kit.devtokens import load_or_create_dev_keys
from motcua_kit.migrations import upgrade_engine
from motcua_kit.settings import DatabaseSettings
from motcua_kit.testing import TokenFactory, assert_problem, fresh_database_url
from motcua_tools.stack import Process, processes, stack_environment
from procedure_catalog.demo import seed_demo
from procedure_catalog.main import MIGRATIONS as CATALOG_MIGRATIONS
from tests.e2e.polling import eventually
from tests.e2e.tcp_proxy import TcpProxy
from tests.e2e.test_local_stack import PROCESS_PREFIXES, free_port, own_environment

pytestmark = pytest.mark.e2e

PROCEDURE = "1.000948"  # in the demo catalogue
STARTED = ("procedure-catalog", "dossier-api", "gateway")
MIGRATIONS = {"CATALOG": CATALOG_MIGRATIONS, "DOSSIER": DOSSIER_MIGRATIONS, "GATEWAY": GATEWAY_MIGRATIONS}
# dossier-api's database settings under test: every wait on the database is bounded, and short.
BOUNDED = {
    "DOSSIER_DATABASE__CONNECT_TIMEOUT_SECONDS": "2",
    "DOSSIER_DATABASE__COMMAND_TIMEOUT_SECONDS": "3",
    "DOSSIER_DATABASE__POOL_TIMEOUT_SECONDS": "3",
    "DOSSIER_DATABASE__SQLITE_BUSY_TIMEOUT_MS": "2000",
}
# The longest an API call may take while the database is away: the bounds above (a pool wait, a ping, a
# reconnection: 8 s) plus a margin for a loaded 2-core CI machine, where one call once took 10.5 s. The
# defaults it stands for are 35 s per command: what this bounds is "no call hangs".
ANSWER_WITHIN = 15.0


class Server:
    """One of the system's processes, which the tests may kill and start again."""

    def __init__(self, proc: Process, env: dict[str, str], logs: Path) -> None:
        self.proc = proc
        self.env = env
        self.logs = logs
        self.child: asyncio.subprocess.Process | None = None
        self.starts = 0

    async def start(self) -> None:
        self.starts += 1
        with (self.logs / f"{self.proc.package}-serve-{self.starts}.log").open("wb") as out:
            self.child = await asyncio.create_subprocess_exec(
                *self.proc.serve_argv(), env=self.env, stdout=out, stderr=out, start_new_session=True
            )
        await eventually(self.ready, within=60, what=f"{self.proc.name} to be ready")

    async def ready(self) -> bool:
        assert self.child is not None
        if self.child.returncode is not None:
            raise AssertionError(f"{self.proc.name} exited:\n{self.log()}")
        async with httpx.AsyncClient() as client:
            try:
                return (await client.get(f"{self.proc.url}/readyz", timeout=3)).status_code == 200
            except httpx.HTTPError:
                return False

    def log(self) -> str:
        return (self.logs / f"{self.proc.package}-serve-{self.starts}.log").read_text()[-3000:]

    async def kill(self) -> None:
        assert self.child is not None
        self.child.send_signal(signal.SIGKILL)
        await self.child.wait()

    async def stop(self) -> None:
        if self.child is not None and self.child.returncode is None:
            self.child.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.child.wait(), 20)
            except TimeoutError:
                self.child.kill()
                await self.child.wait()


@dataclass
class System:
    backend: str
    servers: dict[str, Server]
    dossier_db: str  # dossier-api's database, reached directly (never through the proxy)
    tokens: TokenFactory
    proxy: TcpProxy | None = None
    names: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def dossier(self) -> str:
        return self.servers["dossier-api"].proc.url

    @property
    def gateway(self) -> str:
        return self.servers["gateway"].proc.url

    def reception(self, label: str) -> dict[str, Any]:
        return {
            "procedure_code": PROCEDURE,
            "channel": "in_person",
            "applicant": {"name": f"Người nộp {label}-{next(self.names)}", "phone": "0905123456"},
            "documents": [{"component": "Tờ khai", "originals": 1, "copies": 0}],
        }


@pytest.fixture(scope="module")
async def system(db_backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[System]:
    var = tmp_path_factory.mktemp(f"faults-{db_backend}")
    env = own_environment()
    env.update({f"{name}_PORT": str(free_port()) for name in PROCESS_PREFIXES})
    env.update({f"{name}_LOG_LEVEL": "WARNING" for name in PROCESS_PREFIXES})
    env.update(BOUNDED)
    async with AsyncExitStack() as stack:
        proxy: TcpProxy | None = None
        dossier_db = ""
        if db_backend == "postgresql":
            for prefix, label in (("CATALOG", "catalog"), ("DOSSIER", "dossier"), ("GATEWAY", "gateway")):
                url = await stack.enter_async_context(fresh_database_url("postgresql", f"faults_{label}", var))
                env[f"{prefix}_DATABASE__URL"] = url
            dossier_db = env["DOSSIER_DATABASE__URL"]
            direct = make_url(dossier_db)
            proxy = TcpProxy(direct.host or "127.0.0.1", direct.port or 5432, port=free_port())
            await proxy.start()
            stack.push_async_callback(proxy.stop)
            env["DOSSIER_DATABASE__URL"] = direct.set(port=proxy.port).render_as_string(hide_password=False)
        procs = processes(env)
        env = stack_environment(var, procs, base=env)
        servers = {p.name: Server(p, env, var) for p in procs if p.name in STARTED}
        dossier_db = dossier_db or env["DOSSIER_DATABASE__URL"]

        for prefix, migrations in MIGRATIONS.items():
            # In this process: four more interpreters to start would cost this 2-core machine seconds each.
            url = dossier_db if prefix == "DOSSIER" else env[f"{prefix}_DATABASE__URL"]
            engine = create_engine(DatabaseSettings(url=url, pool_size=1))
            try:
                await upgrade_engine(engine, migrations)
                if prefix == "CATALOG":
                    await seed_demo(Database(engine))
            finally:
                await engine.dispose()
        for server in servers.values():
            stack.push_async_callback(server.stop)
        await asyncio.gather(*(s.start() for s in servers.values()))
        key, kid, _ = load_or_create_dev_keys(var / "dev-keys")
        tokens = TokenFactory(issuer="motcua-dev", audience="motcua")
        tokens.key, tokens.kid = key, kid
        yield System(db_backend, servers, dossier_db, tokens, proxy)


@pytest.fixture(autouse=True)
async def running(system: System) -> None:
    """Each test starts with every process up and the database reachable, whatever the last one left."""
    if system.proxy is not None:
        await system.proxy.start()
        system.proxy.heal()
    for server in system.servers.values():
        if server.child is None or server.child.returncode is not None:
            await server.start()


# 1. Killed during a reception load ------------------------------------------------------------


async def test_a_service_killed_during_receptions_keeps_every_acknowledged_dossier(system: System) -> None:
    server = system.servers["dossier-api"]
    headers = system.tokens.headers("reception_officer")
    acknowledged: dict[str, dict[str, Any]] = {}  # code -> the 201's body, with the applicant we sent
    failures: list[str] = []
    killed = asyncio.Event()

    async def client(number: int) -> None:
        async with httpx.AsyncClient(base_url=system.dossier, headers=headers, timeout=15) as http:
            while not killed.is_set():
                payload = system.reception(f"tải-{number}")
                try:
                    response = await http.post("/api/v1/dossiers", json=payload)
                except httpx.TransportError as exc:
                    failures.append(type(exc).__name__)
                    return
                if response.status_code == 503:
                    # Twenty writers queue: for SQLite's one writer slot, for PostgreSQL's pool or the
                    # day's number. A wait past the busy timeout (database_busy) or past the command
                    # timeout on a loaded machine (database_unavailable, outcome unknown) is a refusal
                    # the client may retry, never an acknowledgement.
                    body = assert_problem(response, 503)
                    assert body["code"] in {"database_busy", "database_unavailable"}, body
                    continue
                assert response.status_code == 201, response.text
                body = response.json()
                acknowledged[body["code"]] = {**body, "sent_name": payload["applicant"]["name"]}

    clients = [asyncio.create_task(client(n)) for n in range(20)]

    async def under_way() -> bool:
        return len(acknowledged) >= 40

    await eventually(under_way, within=60, what="40 receptions")
    await server.kill()
    killed.set()
    await asyncio.gather(*clients)
    assert failures, "the kill cut requests in flight"

    await server.start()
    async with httpx.AsyncClient(base_url=system.dossier, headers=headers, timeout=15) as http:
        for code, receipt in acknowledged.items():
            response = await http.get(f"/api/v1/dossiers/{code}")
            assert response.status_code == 200, response.text
            dossier = response.json()
            seen = (dossier["status"], dossier["received_at"], dossier["due_at"])
            assert seen == ("received", receipt["received_at"], receipt["due_at"])
            assert dossier["applicant"]["name"] == receipt["sent_name"]
        after = await http.post("/api/v1/dossiers", json=system.reception("sau"))
        assert after.status_code == 201, after.text

    await assert_whole(system, {*acknowledged, after.json()["code"]})


async def assert_whole(system: System, acknowledged: set[str]) -> None:
    """Read dossier-api's tables directly: every acknowledged dossier is there, and every dossier is whole."""
    rows = await dossier_rows(system)
    codes = [row["code"] for row in rows["dossiers"]]
    assert acknowledged <= set(codes)
    # Every dossier written is whole: its register and receive steps, and the request's one event.
    for row in rows["dossiers"]:
        assert rows["steps"].get(row["id"]) == ["register", "receive"], row
        assert rows["events"].get(row["code"]) == 1, row
    # Each day's numbers run 1..N: none given twice, none lost with a rolled-back reception.
    days: dict[str, list[int]] = {}
    for code in codes:
        _agency, day, number = code.rsplit("-", 2)
        days.setdefault(day, []).append(int(number))
    for numbers in days.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
    assert rows["counter"] == len(codes)
    assert rows["orphans"] == 0


async def dossier_rows(system: System) -> dict[str, Any]:
    engine = create_engine(DatabaseSettings(url=system.dossier_db, pool_size=1))
    try:
        async with engine.connect() as connection:
            dossiers = [dict(r._mapping) for r in await connection.execute(text("SELECT id, code FROM dossiers"))]
            steps: dict[int, list[str]] = {}
            for dossier_id, action in await connection.execute(
                text("SELECT dossier_id, action FROM dossier_timeline ORDER BY id")
            ):
                steps.setdefault(dossier_id, []).append(action)
            grouped = await connection.execute(text("SELECT subject, count(*) FROM outbox_events GROUP BY subject"))
            events: dict[str, int] = {row[0]: row[1] for row in grouped.all()}
            counter = await connection.scalar(text("SELECT sum(last_value) FROM dossier_code_counters"))
            orphans = await connection.scalar(
                text(
                    "SELECT (SELECT count(*) FROM dossier_timeline WHERE dossier_id NOT IN (SELECT id FROM dossiers))"
                    " + (SELECT count(*) FROM outbox_events WHERE subject NOT IN (SELECT code FROM dossiers))"
                )
            )
    finally:
        await engine.dispose()
    return {"dossiers": dossiers, "steps": steps, "events": events, "counter": counter, "orphans": orphans}


# 2. The database taken away ----------------------------------------------------------------------


async def timed(request: Awaitable[httpx.Response]) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await request
    return response, time.monotonic() - started


@pytest.mark.parametrize("fault", ["stopped", "partitioned"])
async def test_the_database_taken_away_and_given_back(system: System, fault: str) -> None:
    proxy = system.proxy
    if proxy is None:
        pytest.skip("an embedded SQLite database has no server or network to lose (see the write lock test)")
    server = system.servers["dossier-api"]
    assert server.child is not None
    process = server.child.pid
    headers = system.tokens.headers("reception_officer")
    async with httpx.AsyncClient(headers=headers, timeout=60) as http:
        before = await http.post(f"{system.dossier}/api/v1/dossiers", json=system.reception("trước"))
        assert before.status_code == 201, before.text
        code = before.json()["code"]
        # Receptions in flight when the database goes: each one is either acknowledged or refused, in time.
        # Receptions in a loop when the database goes: the fault finds some mid-transaction.
        faulted = asyncio.Event()

        async def receptions() -> list[tuple[httpx.Response, float]]:
            answers = []
            while not faulted.is_set():
                answers.append(
                    await timed(http.post(f"{system.dossier}/api/v1/dossiers", json=system.reception("giữa")))
                )
            return answers

        in_flight = [asyncio.create_task(receptions()) for _ in range(8)]
        await asyncio.sleep(0.5)
        if fault == "stopped":
            await proxy.stop()
        else:
            proxy.partition()
        faulted.set()
        try:
            acknowledged = {code}
            for response, took in itertools.chain.from_iterable(await asyncio.gather(*in_flight)):
                assert took < ANSWER_WITHIN, f"an in-flight reception took {took:.1f} s"
                if response.status_code == 201:
                    acknowledged.add(response.json()["code"])
                else:
                    assert_problem(response, 503, "database_unavailable")

            ready, took = await timed(http.get(f"{system.dossier}/readyz"))
            assert_problem(ready, 503, "not_ready")
            assert took < 5, f"/readyz took {took:.1f} s"

            # Writes and reads, several at once (more than the pool holds), direct and through the gateway.
            calls = [http.post(f"{system.dossier}/api/v1/dossiers", json=system.reception("pendant")) for _ in range(5)]
            calls += [http.get(f"{system.dossier}/api/v1/dossiers/{code}") for _ in range(20)]
            calls += [http.get(f"{system.gateway}/api/v1/dossiers/{code}") for _ in range(5)]
            answers = await asyncio.gather(*(timed(call) for call in calls))
            for response, took in answers:
                assert_problem(response, 503, "database_unavailable")
                assert response.headers["retry-after"].isdigit()
                assert took < ANSWER_WITHIN, f"{response.request.url} took {took:.1f} s"

            # The other services keep serving through the gateway.
            catalogue = await http.get(f"{system.gateway}/api/v1/procedures/{PROCEDURE}")
            assert catalogue.status_code == 200, catalogue.text
        finally:
            if fault == "stopped":
                await proxy.start()
            else:
                proxy.heal()

        # Back, without a restart: ready again, and writing.
        await eventually(server.ready, within=15, what="dossier-api to be ready again")
        assert (server.child.pid, server.child.returncode) == (process, None), "the same process, never restarted"
        after = await http.post(f"{system.dossier}/api/v1/dossiers", json=system.reception("sau"))
        assert after.status_code == 201, after.text
        through_gateway = await http.get(f"{system.gateway}/api/v1/dossiers/{code}")
        assert through_gateway.status_code == 200, through_gateway.text
    await assert_whole(system, {*acknowledged, after.json()["code"]})


async def test_sqlite_writer_lock_held_elsewhere(system: System) -> None:
    """SQLite's own fault: another process (a backup, a maintenance script) keeps the write lock."""
    if system.backend != "sqlite":
        pytest.skip("PostgreSQL has no database-wide writer lock")
    server = system.servers["dossier-api"]
    headers = system.tokens.headers("reception_officer")
    path = make_url(system.dossier_db).database
    assert path
    async with httpx.AsyncClient(headers=headers, timeout=60) as http:
        before = await http.post(f"{system.dossier}/api/v1/dossiers", json=system.reception("trước"))
        assert before.status_code == 201, before.text
        code = before.json()["code"]
        holder = sqlite3.connect(path, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            writes = [http.post(f"{system.dossier}/api/v1/dossiers", json=system.reception("khóa")) for _ in range(3)]
            for response, took in await asyncio.gather(*(timed(call) for call in writes)):
                assert_problem(response, 503, "database_busy")
                assert response.headers["retry-after"].isdigit()
                assert took < ANSWER_WITHIN, f"a write took {took:.1f} s"
            # Readers carry on beside the writer (WAL), so the service stays ready.
            read = await http.get(f"{system.dossier}/api/v1/dossiers/{code}")
            assert read.status_code == 200, read.text
            assert await server.ready()
            catalogue = await http.get(f"{system.gateway}/api/v1/procedures/{PROCEDURE}")
            assert catalogue.status_code == 200, catalogue.text
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        after = await http.post(f"{system.dossier}/api/v1/dossiers", json=system.reception("sau"))
        assert after.status_code == 201, after.text
