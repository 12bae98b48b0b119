"""Events: how fast a dispatcher delivers to a local subscriber, and the lag from commit to delivery.

Real processes: a dispatcher (the kit's, on the kit's test outbox) and a subscriber that verifies
every Standard Webhooks signature and applies each event once (tests/e2e/event_processes.py). The
baseline is the same subscriber fed directly by an aiohttp client at the same concurrency, with
signed bodies made in advance: the most any dispatcher could get out of it.

- Throughput: ``BENCH_EVENTS`` events (10,000; 2,000 in quick mode) over 500 subjects, written
  before the dispatcher starts, timed from its start to the last arrival.
- Lag: events written one per transaction at a steady ``BENCH_EVENTS_RATE`` per second (as
  receptions write them) while the dispatcher runs; lag = arrival time - the event's time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
from pydantic import SecretStr
from standardwebhooks import Webhook

from bench.harness import Measurement, ServerProcess, Table, free_port
from motcua_kit.db import Database, create_engine, utcnow
from motcua_kit.events.dispatcher import new_secret
from motcua_kit.events.outbox import record_event
from motcua_kit.events.settings import DeclaredSubscription
from motcua_kit.events.subscriptions import sync_declared_subscriptions
from motcua_kit.settings import DatabaseSettings
from motcua_kit.testing import fresh_database_url
from tests.e2e.event_processes import DELIVERY
from tests.kit.events_app import STORE, Base

CONCURRENCY = DELIVERY.concurrency


def _size(name: str, quick: int, full: int, quick_mode: bool) -> int:
    value = os.environ.get(name)
    return int(value) if value else (quick if quick_mode else full)


def _backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get("POSTGRES_URL") else ["sqlite"]


def _lines(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


async def _arrivals(log: Path, after: int, count: int, within: float) -> list[dict[str, float | str]]:
    """The ``count`` arrivals the subscriber logged after its first ``after`` lines."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        lines = await asyncio.to_thread(_lines, log)
        if len(lines) >= after + count:
            return [json.loads(line) for line in lines[after : after + count]]
        await asyncio.sleep(0.2)
    raise RuntimeError(f"not every event arrived in {within:.0f} s")


def _span(arrivals: list[dict[str, float | str]]) -> float:
    """From the first arrival to the last, at the subscriber (start-up of the sender excluded)."""
    times = [float(a["arrived"]) for a in arrivals]
    return max(times) - min(times)


async def _baseline(sink_url: str, secret: str, count: int) -> Measurement:
    webhook = Webhook(secret)
    bodies = []
    for n in range(count):
        body = json.dumps({"id": uuid.uuid4().hex, "subject": f"B{n % 500}", "type": "x", "data": {"n": n},
                           "time": utcnow().isoformat()})  # fmt: skip
        stamp = utcnow()
        headers = {
            "content-type": "application/cloudevents+json",
            "webhook-id": "b",
            "webhook-timestamp": str(int(stamp.timestamp())),
            "webhook-signature": webhook.sign("b", stamp, body),
        }
        bodies.append((body, headers))
    latencies: list[float] = []
    limit = asyncio.Semaphore(CONCURRENCY)
    async with aiohttp.ClientSession() as session:

        async def post(body: str, headers: dict[str, str]) -> None:
            async with limit:
                started = time.perf_counter()
                async with session.post(sink_url, data=body, headers=headers) as response:
                    await response.read()
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(post(body, headers) for body, headers in bodies))
        elapsed = time.perf_counter() - started
    return Measurement("subscriber fed directly (aiohttp, signed)", latencies, elapsed, CONCURRENCY)


async def _lag(
    database: Database,
    sink_log: Path,
    logged: int,
    *,
    quick: bool,
    backend: str,
    dispatcher: ServerProcess,
    direct: Measurement,
) -> Table:
    """Events written one per transaction at a steady rate (as receptions write them); lag to arrival."""
    rate = _size("BENCH_EVENTS_RATE", 50, 100, quick)
    seconds = 10 if quick else 30
    total = rate * seconds
    for n in range(total):
        async with database.transaction() as session:
            await record_event(session, STORE, "parcel.received", subject=f"L{n}", data={"n": n})
        await asyncio.sleep(1 / rate)
    arrivals = await _arrivals(sink_log, logged, total, within=120)
    lags = [float(a["arrived"]) - dt.datetime.fromisoformat(str(a["time"])).timestamp() for a in arrivals]
    table = Table(
        f"Lag from commit to delivery ({backend})",
        f"{total} events written one per transaction at {rate}/s while the dispatcher runs (idle poll "
        f"{DELIVERY.idle_poll_seconds * 1000:.0f} ms); the latency columns are the lag. Baseline: one signed"
        " POST straight to the subscriber, no outbox (the delivery table's baseline); the ratio is of medians.",
        target="p99 reported (no target set)",
        baseline=direct.label,
        compare="median",
        rows=[direct],
    )
    row = Measurement("commit -> arrival", lags, float(seconds), 1)
    row.peak_rss_mb = dispatcher.peak_rss_mb
    table.rows.append(row)
    return table


async def _one_backend(backend: str, quick: bool, workdir: Path, tables: list[Table]) -> None:
    count = _size("BENCH_EVENTS", 2_000, 10_000, quick)
    async with fresh_database_url(backend, "benchevents", workdir) as url:
        engine = create_engine(DatabaseSettings(url=url))
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        database = Database(engine)
        port, secret = free_port(), new_secret()
        sink_log = workdir / f"sink-{backend}.jsonl"
        async with database.transaction() as session:
            await sync_declared_subscriptions(
                session,
                STORE,
                [DeclaredSubscription(name="sink", url=f"http://127.0.0.1:{port}/hook", secret=SecretStr(secret))],
            )
        sink = ServerProcess(
            [sys.executable, "-m", "tests.e2e.event_processes", "sink", str(port), secret, str(sink_log)],
            os.environ, f"http://127.0.0.1:{port}", workdir / f"sink-{backend}.log",
        )  # fmt: skip
        dispatcher: ServerProcess | None = None
        try:
            sink.wait_ready("/state")
            table = Table(
                f"Event delivery to a local subscriber ({backend})",
                f"{count} events over 500 subjects, one dispatcher process, {CONCURRENCY} subjects at once.",
                baseline="subscriber fed directly (aiohttp, signed)",
                target="over 1,000 events/s dispatched",
            )
            baseline = await _baseline(f"http://127.0.0.1:{port}/hook", secret, count)
            # The lag table's baseline: the same direct POSTs' own latencies, before their elapsed is respanned.
            direct = Measurement(baseline.label, list(baseline.latencies), baseline.elapsed, baseline.concurrency)
            arrivals = await _arrivals(sink_log, 0, count, within=60)
            baseline.elapsed = _span(arrivals)  # measured like the dispatcher's row, at the subscriber
            table.rows.append(baseline)
            logged = count
            for n in range(count // 500):
                async with database.transaction() as session:
                    for s in range(500):
                        await record_event(session, STORE, "parcel.received", subject=f"S{s}", data={"n": n})
            dispatcher = ServerProcess(
                [sys.executable, "-m", "tests.e2e.event_processes", "dispatch", url], os.environ, "",
                workdir / f"dispatch-{backend}.log",
            )  # fmt: skip
            arrivals = await _arrivals(sink_log, logged, count, within=600)
            times = sorted(float(a["arrived"]) for a in arrivals)
            latencies = [b - a for a, b in itertools.pairwise(times)]
            row = Measurement("dispatcher -> subscriber", latencies, _span(arrivals), CONCURRENCY)
            row.peak_rss_mb = dispatcher.peak_rss_mb
            row.note = "median/p99 = time between arrivals"
            table.rows.append(row)
            tables.append(table)

            tables.append(
                await _lag(
                    database,
                    sink_log,
                    logged + count,
                    quick=quick,
                    backend=backend,
                    dispatcher=dispatcher,
                    direct=direct,
                )
            )
        finally:
            if dispatcher is not None:
                dispatcher.stop()
            sink.stop()
            await engine.dispose()


async def run(quick: bool) -> list[Table]:
    workdir = Path(tempfile.mkdtemp(prefix="motcua-bench-events-"))
    tables: list[Table] = []
    for backend in _backends():
        await _one_backend(backend, quick, workdir, tables)
    return tables
