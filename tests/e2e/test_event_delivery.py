"""Event delivery with real processes: a subscriber that is down, a dispatcher that is killed.

The outbox is the kit's (the same code every service uses); the dispatcher and the subscriber run as
their own processes (tests/e2e/event_processes.py); events are written with ``record_event`` in
transactions of 500, as a busy service would.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from motcua_kit.db import Database, create_engine
from motcua_kit.events.dispatcher import new_secret
from motcua_kit.events.models import DeliveryStatus
from motcua_kit.events.outbox import record_event
from motcua_kit.events.settings import DeclaredSubscription
from motcua_kit.events.subscriptions import sync_declared_subscriptions
from motcua_kit.settings import DatabaseSettings
from motcua_kit.testing import fresh_database_url
from tests.e2e.test_local_stack import free_port
from tests.kit.events_app import STORE, Base, Delivery

pytestmark = pytest.mark.e2e


class Processes:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.running: list[subprocess.Popen[bytes]] = []

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        log = (self.directory / f"{args[0]}-{len(self.running)}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - our own test processes
            [sys.executable, "-m", "tests.e2e.event_processes", *args], stdout=log, stderr=log
        )
        log.close()
        self.running.append(process)
        return process

    def check_alive(self) -> None:
        for process in self.running:
            code = process.poll()
            if code is not None and code != -signal.SIGKILL:
                logs = "\n".join(p.read_text()[-2000:] for p in self.directory.glob("*.log"))
                raise AssertionError(f"a test process exited with {code}:\n{logs}")

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.running:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
async def database(db_backend: str, tmp_path: Path) -> AsyncIterator[tuple[Database, str]]:
    async with fresh_database_url(db_backend, "delivery", tmp_path) as url:
        engine = create_engine(DatabaseSettings(url=url, pool_size=5))
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        yield Database(engine), url
        await engine.dispose()


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    running = Processes(tmp_path)
    yield running
    running.stop_all()


async def subscribe(database: Database, port: int, secret: str) -> None:
    async with database.transaction() as session:
        await sync_declared_subscriptions(
            session,
            STORE,
            [DeclaredSubscription(name="sink", url=f"http://127.0.0.1:{port}/hook", secret=SecretStr(secret))],
        )


async def produce(database: Database, subjects: int, per_subject: int) -> int:
    """``per_subject`` rounds over ``subjects`` subjects: event n of a subject carries data n."""
    written = 0
    for n in range(per_subject):
        for start in range(0, subjects, 500):
            async with database.transaction() as session:
                for s in range(start, min(start + 500, subjects)):
                    await record_event(session, STORE, "parcel.received", subject=f"S{s:04d}", data={"n": n})
                    written += 1
    return written


async def applied(port: int) -> int:
    try:
        async with httpx.AsyncClient() as client:
            state = (await client.get(f"http://127.0.0.1:{port}/state", timeout=2)).json()
        return int(state["applied"])
    except httpx.HTTPError:
        return 0


async def wait_for(port: int, count: int, processes: Processes, within: float) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await applied(port) >= count:
            return
        processes.check_alive()
        await asyncio.sleep(0.3)
    raise AssertionError(f"only {await applied(port)} of {count} events arrived in {within:.0f} s")


def check_log(log: Path, subjects: int, per_subject: int) -> None:
    """Every event once, and per subject in the order it was written."""
    seen: dict[str, list[int]] = defaultdict(list)
    ids: set[str] = set()
    for line in log.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        assert entry["id"] not in ids, "an event was applied twice"
        ids.add(entry["id"])
        seen[entry["subject"]].append(entry["n"])
    assert len(ids) == subjects * per_subject
    assert len(seen) == subjects
    for subject, numbers in seen.items():
        assert numbers == list(range(per_subject)), f"{subject} arrived out of order: {numbers}"


async def all_delivered(database: Database, within: float = 30.0) -> bool:
    """Every delivery recorded as delivered (the dispatcher records a batch after sending it)."""
    deadline = time.monotonic() + within
    while True:
        async with database.transaction(write=False) as session:
            open_count = await session.scalar(
                select(func.count()).select_from(Delivery).where(Delivery.status != DeliveryStatus.DELIVERED)
            )
        if open_count == 0 or time.monotonic() > deadline:
            return open_count == 0
        await asyncio.sleep(0.2)


async def test_a_subscriber_down_during_10000_events_gets_each_once_in_order(
    database: tuple[Database, str], processes: Processes, tmp_path: Path
) -> None:
    db, url = database
    port, secret, log = free_port(), new_secret(), tmp_path / "applied.jsonl"
    await subscribe(db, port, secret)
    processes.start("dispatch", url)
    started = time.monotonic()
    assert await produce(db, subjects=500, per_subject=20) == 10_000
    print(f"produced 10,000 events in {time.monotonic() - started:.1f} s")  # noqa: T201 - shown with -s
    await asyncio.sleep(1.0)  # the dispatcher meets a closed port and backs off
    assert await applied(port) == 0
    processes.start("sink", str(port), secret, str(log))
    started = time.monotonic()
    await wait_for(port, 10_000, processes, within=300)
    print(f"delivered 10,000 events in {time.monotonic() - started:.1f} s")  # noqa: T201 - shown with -s
    check_log(log, subjects=500, per_subject=20)
    assert await all_delivered(db)


async def test_a_dispatcher_killed_mid_batch_loses_nothing(
    database: tuple[Database, str], processes: Processes, tmp_path: Path
) -> None:
    db, url = database
    port, secret, log = free_port(), new_secret(), tmp_path / "applied.jsonl"
    await subscribe(db, port, secret)
    processes.start("sink", str(port), secret, str(log))
    assert await produce(db, subjects=300, per_subject=10) == 3_000
    first = processes.start("dispatch", url)
    await wait_for(port, 300, processes, within=120)
    first.send_signal(signal.SIGKILL)  # mid-batch: some deliveries leased, some sent, none recorded
    first.wait()
    assert await applied(port) < 3_000
    processes.start("dispatch", url)  # its leases expire after 5 s and the survivor takes them
    await wait_for(port, 3_000, processes, within=180)
    check_log(log, subjects=300, per_subject=10)
    assert await all_delivered(db)
