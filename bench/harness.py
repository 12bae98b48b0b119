"""Measuring tools shared by every benchmark scenario.

A scenario returns :class:`Table` objects; each row is a :class:`Measurement` made in the same run
as its baseline, so ratios hold on a noisy machine even when absolute figures drift. Latencies are
reported as medians and high percentiles, never means.
"""

from __future__ import annotations

import asyncio
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from motcua_kit.testing import scratch_postgres_database


@dataclass
class Measurement:
    """Latencies (seconds) of ``operations`` done in ``elapsed`` seconds by ``concurrency`` workers."""

    label: str
    latencies: list[float]
    elapsed: float
    concurrency: int = 1
    errors: int = 0
    peak_rss_mb: float | None = None
    note: str = ""

    @property
    def operations(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.operations / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index]

    @property
    def median(self) -> float:
        return statistics.median(self.latencies) if self.latencies else float("nan")


@dataclass
class Table:
    """One scenario: rows measured in one run, each compared with the row named ``baseline``."""

    title: str
    description: str
    rows: list[Measurement] = field(default_factory=list)
    baseline: str | None = None
    target: str = ""
    compare: Literal["throughput", "median"] = "throughput"
    """What the ratio column divides: operations per second (row / baseline) or median latency (row / baseline)."""

    @property
    def baseline_row(self) -> Measurement | None:
        return next((r for r in self.rows if r.label == self.baseline), None)

    def problems(self) -> list[str]:
        """Why this table cannot stand as evidence: a missing baseline, an empty table, failed operations."""
        found = []
        if self.baseline_row is None:
            found.append(f"{self.title}: no baseline row measured ({self.baseline!r})")
        found += [f"{self.title} / {row.label}: no operation measured" for row in self.rows if not row.operations]
        found += [f"{self.title} / {row.label}: {row.errors} failed operations" for row in self.rows if row.errors]
        return found

    def _ratio(self, row: Measurement, base: Measurement | None) -> str:
        if base is None:
            return ""
        if self.compare == "median":
            return f"{row.median / base.median:.2f}x" if base.median else ""
        return f"{row.throughput / base.throughput:.2f}x" if base.throughput else ""

    def render(self) -> str:
        base = self.baseline_row
        lines = [f"### {self.title}", "", self.description, ""]
        if self.target:
            lines += [f"Target: {self.target}", ""]
        meaning = "median latency" if self.compare == "median" else "throughput"
        lines += [f"Ratio: the row's {meaning} over the baseline's ({self.baseline}), same run.", ""]
        lines += [
            "| case | ops | conc. | median ms | p95 ms | p99 ms | ops/s | ratio | peak RSS MB | errors |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in self.rows:
            ratio = self._ratio(row, base)
            rss = f"{row.peak_rss_mb:.0f}" if row.peak_rss_mb else ""
            label = f"{row.label} ({row.note})" if row.note else row.label
            lines.append(
                f"| {label} | {row.operations} | {row.concurrency} | {row.median * 1000:.2f} | "
                f"{row.percentile(95) * 1000:.2f} | {row.percentile(99) * 1000:.2f} | {row.throughput:.0f} | "
                f"{ratio} | {rss} | {row.errors} |"
            )
        return "\n".join(lines) + "\n"


async def closed_loop(
    label: str,
    operation: Callable[[int], Awaitable[bool]],
    *,
    operations: int,
    concurrency: int,
    warmup: int = 20,
) -> Measurement:
    """Run ``operation(i)`` ``operations`` times with ``concurrency`` workers; it returns success."""
    for i in range(warmup):
        await operation(-1 - i)
    latencies: list[float] = []
    errors = 0
    counter = iter(range(operations))

    async def worker() -> None:
        nonlocal errors
        for i in counter:
            started = time.perf_counter()
            ok = await operation(i)
            latencies.append(time.perf_counter() - started)
            errors += 0 if ok else 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Measurement(label, latencies, time.perf_counter() - started, concurrency, errors)


def timed(label: str, function: Callable[[], object], repeat: int) -> Measurement:
    """Time a synchronous, in-process function ``repeat`` times."""
    latencies = []
    started = time.perf_counter()
    for _ in range(repeat):
        t = time.perf_counter()
        function()
        latencies.append(time.perf_counter() - t)
    return Measurement(label, latencies, time.perf_counter() - started)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident memory (VmHWM), Linux only."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class ServerProcess:
    """A real server process (``python -m <module> serve`` or any argv) on a loopback port."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str], url: str, log: Path) -> None:
        self.url = url
        self._log = log.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - our own servers
            list(argv), env=dict(env), stdout=self._log, stderr=self._log
        )

    def wait_ready(self, path: str = "/livez", timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: see {self._log.name}")
            try:
                if httpx.get(self.url + path, timeout=1).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server not ready: see {self._log.name}")

    @property
    def peak_rss_mb(self) -> float | None:
        return peak_rss_mb(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


@asynccontextmanager
async def postgres_database(label: str) -> AsyncIterator[str | None]:
    """A new database on ``POSTGRES_URL``'s server, dropped afterwards; None when no server answers."""
    server = os.environ.get("POSTGRES_URL")
    if not server:
        yield None
        return
    try:
        probe = await asyncpg.connect(
            make_url(server).set(drivername="postgresql").render_as_string(hide_password=False), timeout=3
        )
    except (OSError, asyncpg.PostgresError):
        yield None
        return
    await probe.close()
    async with scratch_postgres_database(server, f"motcua_bench_{label}") as url:
        yield url


BARE_FASTAPI = "bare FastAPI /ping"


async def bare_fastapi(workdir: Path, *, operations: int, concurrency: int, label: str = BARE_FASTAPI) -> Measurement:
    """The HTTP baseline: a bare FastAPI endpoint under one uvicorn worker, same load generator and concurrency."""
    port = free_port()
    server = ServerProcess(
        [sys.executable, "-m", "uvicorn", "bench.baseline_app:app", "--port", str(port), "--log-level", "warning"],
        dict(os.environ),
        f"http://127.0.0.1:{port}",
        workdir / f"baseline-{port}.log",
    )
    try:
        server.wait_ready("/ping")
        limits = httpx.Limits(max_connections=concurrency)
        async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=30) as client:

            async def ping(_: int) -> bool:
                return (await client.get("/ping")).status_code == 200

            row = await closed_loop(label, ping, operations=operations, concurrency=concurrency)
        row.peak_rss_mb = server.peak_rss_mb
        return row
    finally:
        server.stop()


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f} (1 min), {five:.2f} (5 min)"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.1f} GB RAM"
                break
    except OSError:
        pass
    return (
        f"{platform.node()}: {os.cpu_count()} cores ({cpu}){memory}, Python {sys.version.split()[0]}, "
        f"{platform.system()} {platform.release()}"
    )
