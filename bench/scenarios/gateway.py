"""What the gateway costs: the same requests sent straight to a service and through the gateway, side by side.

Two tables, each measured in one run with real processes on loopback (one uvicorn worker each, with
uvloop and httptools):

- a trivial endpoint: a bare FastAPI app stands in for the catalogue, so the gateway's own cost
  (hygiene, policy, authentication, rate limits, forwarding) is all there is to see;
- the catalogue read ``GET /api/v1/procedures/{code}`` served by the real procedure-catalog.

Throughput is measured at 10 concurrent connections, latency at 1. The load comes from ``wrk``
(a C program; `apt-get install wrk`) when it is installed, else from ``bench/loadgen.py`` (raw
asyncio protocols on uvloop, which frame responses without decoding them) in a separate process.
On a 2-core machine the load generator, the gateway and the service share the cores, so the
gateway rows pay for a third busy process: the ratios are a lower bound of what the gateway would
reach with a core of its own.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from bench.harness import Measurement, ServerProcess, Table, free_port
from motcua_kit.devtokens import load_or_create_dev_keys, mint_token
from motcua_tools.stack import processes, stack_environment

PROCEDURE = "/api/v1/procedures/1.000948"
WRK_REPORT = textwrap.dedent(
    """
    done = function(summary, latency, requests)
      local e = summary.errors
      io.write(string.format('{"requests":%d,"duration_us":%d,"errors":%d,"non2xx":%d,"p50":%d,"p95":%d,"p99":%d}\\n',
        summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
        latency:percentile(50), latency:percentile(95), latency:percentile(99)))
    end
    """
)


class LoadResult(Measurement):
    """A measurement summarised by the load generator (percentiles), not a list of latencies."""

    def __init__(self, label: str, summary: dict[str, int], concurrency: int, note: str = "") -> None:
        super().__init__(label, [], summary["duration_us"] / 1e6, concurrency, summary["errors"] + summary["non2xx"])
        self.count = summary["requests"]
        self.points = {50.0: summary["p50"] / 1e6, 95.0: summary["p95"] / 1e6, 99.0: summary["p99"] / 1e6}
        self.note = note

    @property
    def operations(self) -> int:
        return self.count

    @property
    def throughput(self) -> float:
        return self.count / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        return self.points.get(p, float("nan"))

    @property
    def median(self) -> float:
        return self.points[50.0]


def load(url: str, *, concurrency: int, seconds: float, headers: dict[str, str], workdir: Path) -> dict[str, int]:
    """Drive ``url`` for ``seconds`` with ``concurrency`` connections; the generator's summary."""
    wrk = shutil.which("wrk")
    if wrk:
        script = workdir / "report.lua"
        script.write_text(WRK_REPORT, encoding="utf-8")
        argv = [wrk, "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "-s", str(script)]
        for name, value in headers.items():
            argv += ["-H", f"{name}: {value}"]
        output = subprocess.run([*argv, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    else:
        argv = [sys.executable, "-m", "bench.loadgen", url, str(concurrency), str(seconds), json.dumps(headers)]
        output = subprocess.run(argv, capture_output=True, text=True, check=True).stdout  # noqa: S603
    summary: dict[str, int] = json.loads(output.strip().splitlines()[-1])
    return summary


def paired_load(urls: list[str], *, seconds: float) -> list[dict[str, int]]:
    """Latency side by side at 1 connection: one request to each URL in turn (``bench.loadgen --paired``)."""
    argv = [sys.executable, "-m", "bench.loadgen", "--paired", *urls, str(seconds), "{}"]
    output = subprocess.run(argv, capture_output=True, text=True, check=True).stdout  # noqa: S603
    result: list[dict[str, int]] = json.loads(output.strip().splitlines()[-1])
    return result


def _serve(module: str, env: dict[str, str], url: str, log: Path) -> ServerProcess:
    return ServerProcess([sys.executable, "-m", module, "serve"], env, url, log)


async def run(quick: bool) -> list[Table]:
    seconds = 2.0 if quick else 8.0
    workdir = Path(tempfile.mkdtemp(prefix="motcua-bench-gateway-"))
    ports = {name: free_port() for name in ("trivial", "CATALOG", "gw_trivial", "gw_catalog")}
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GATEWAY_", "CATALOG_", "DOSSIER_", "SURVEY_"))}
    env = stack_environment(workdir, processes({"CATALOG_PORT": str(ports["CATALOG"])}), base=base)
    quiet = {f"{p}_LOG_LEVEL": "WARNING" for p in ("CATALOG", "GATEWAY")}
    # The limiter runs on every request, with budgets the load cannot exhaust.
    unlimited = {f"GATEWAY_RATE_LIMITS__{b}": "1000000000/minute" for b in ("ANONYMOUS", "CLIENT", "LOOKUP")}
    env.update(quiet | unlimited)
    for module, command in (
        ("procedure_catalog", "migrate"),
        ("motcua_gateway", "migrate"),
        ("procedure_catalog", "seed-demo"),
    ):
        await asyncio.to_thread(
            subprocess.run, [sys.executable, "-m", module, command], env=env, check=True, capture_output=True
        )
    trivial_url = f"http://127.0.0.1:{ports['trivial']}"
    catalog_url = f"http://127.0.0.1:{ports['CATALOG']}"
    servers = {
        "trivial": ServerProcess(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bench.baseline_app:app",
                "--port",
                str(ports["trivial"]),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env,
            trivial_url,
            workdir / "trivial.log",
        ),
        "catalog": _serve("procedure_catalog", env, catalog_url, workdir / "catalog.log"),
    }
    for name, upstream in (("gw_trivial", trivial_url), ("gw_catalog", catalog_url)):
        gateway_env = {**env, "GATEWAY_PORT": str(ports[name]), "GATEWAY_CATALOG__URL": upstream}
        servers[name] = _serve(
            "motcua_gateway", gateway_env, f"http://127.0.0.1:{ports[name]}", workdir / f"{name}.log"
        )
    key, kid, _ = load_or_create_dev_keys(workdir / "dev-keys")
    token = mint_token(key, kid, issuer="motcua-dev", audience="motcua", subject="bench", roles=["leader"])
    bearer = {"Authorization": f"Bearer {token}"}
    generator = "wrk" if shutil.which("wrk") else "bench/loadgen.py (asyncio protocols on uvloop) in another process"
    try:
        for name, server in servers.items():
            server.wait_ready("/livez" if name != "trivial" else "/ping")

        def measure(
            label: str, url: str, concurrency: int, server: str, headers: dict[str, str] | None = None
        ) -> LoadResult:
            load(
                url, concurrency=concurrency, seconds=min(1.0, seconds), headers=headers or {}, workdir=workdir
            )  # warm-up
            summary = load(url, concurrency=concurrency, seconds=seconds, headers=headers or {}, workdir=workdir)
            row = LoadResult(label, summary, concurrency)
            row.peak_rss_mb = servers[server].peak_rss_mb
            return row

        def table(title: str, what: str, *, direct: str, through: str, target: str, server: str, gateway: str) -> Table:
            rows = [
                measure("direct", direct, 10, server),
                measure("through the gateway", through, 10, gateway),
                measure("through the gateway, bearer token", through, 10, gateway, bearer),
            ]
            paired_load([direct, through], seconds=min(1.0, seconds))  # warm-up
            alone, behind, added = paired_load([direct, through], seconds=seconds)
            rows.append(LoadResult("direct, 1 connection (paired)", alone, 1))
            rows.append(
                LoadResult(
                    "through the gateway, 1 connection (paired)",
                    behind,
                    1,
                    note=f"{added['added_p50_us'] / 1000:+.2f} ms median added",
                )
            )
            rows[3].peak_rss_mb = servers[server].peak_rss_mb
            rows[4].peak_rss_mb = servers[gateway].peak_rss_mb
            measured: list[Measurement] = list(rows)
            return Table(
                title,
                f"{what} One uvicorn worker per process (uvloop, httptools); load from {generator}, "
                f"{seconds:.0f} s per row after a warm-up; all processes share the machine's cores. "
                "Ratios are throughput against the direct row at 10 connections. The two rows at 1 connection "
                "are measured in pairs, one request direct and one through the gateway in turn on one "
                "connection each (so each row's throughput is half of what it would be alone); the gateway "
                "row notes the median of the paired differences, the latency it adds. Rate limiting runs "
                "(in memory) on every request.",
                rows=measured,
                baseline="direct",
                target=target,
            )

        trivial = await asyncio.to_thread(
            table,
            "Gateway overhead on a trivial endpoint",
            "A bare FastAPI route answering `GET /api/v1/procedures/{code}` stands in for the catalogue.",
            direct=trivial_url + PROCEDURE,
            through=servers["gw_trivial"].url + PROCEDURE,
            target="through the gateway >= 0.4x direct; added median latency at 1 connection <= 1.5 ms",
            server="trivial",
            gateway="gw_trivial",
        )
        catalogue = await asyncio.to_thread(
            table,
            "Gateway overhead on the catalogue read",
            f"`GET {PROCEDURE}` served by procedure-catalog on SQLite (demo catalogue).",
            direct=catalog_url + PROCEDURE,
            through=servers["gw_catalog"].url + PROCEDURE,
            target="through the gateway >= 0.6x direct; added median latency at 1 connection <= 1.5 ms",
            server="catalog",
            gateway="gw_catalog",
        )
        return [trivial, catalogue]
    finally:
        for server in servers.values():
            server.stop()
