"""What the shared kit costs per request: a bare FastAPI endpoint against a kit service's routes."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import httpx

from bench.harness import ServerProcess, Table, closed_loop, free_port
from motcua_tools.stack import processes, stack_environment


async def run(quick: bool) -> list[Table]:
    operations = 500 if quick else 5000
    workdir = Path(tempfile.mkdtemp(prefix="motcua-bench-"))
    base_port, catalog_port = free_port(), free_port()
    env = stack_environment(workdir, processes({"CATALOG_PORT": str(catalog_port)}), base=os.environ)
    env["CATALOG_LOG_LEVEL"] = "WARNING"
    servers = {
        "bare FastAPI /ping": ServerProcess(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bench.baseline_app:app",
                "--port",
                str(base_port),
                "--log-level",
                "warning",
            ],
            env,
            f"http://127.0.0.1:{base_port}",
            workdir / "baseline.log",
        ),
    }
    for module, command in (("procedure_catalog", "migrate"), ("procedure_catalog", "seed-demo")):
        ServerProcess([sys.executable, "-m", module, command], env, "", workdir / f"{command}.log").process.wait()
    servers["catalog /livez (kit middleware)"] = ServerProcess(
        [sys.executable, "-m", "procedure_catalog", "serve"],
        env,
        f"http://127.0.0.1:{catalog_port}",
        workdir / "catalog.log",
    )
    paths = {
        "bare FastAPI /ping": "/ping",
        "catalog /livez (kit middleware)": "/livez",
        "catalog GET /api/v1/procedures/1.000948": "/api/v1/procedures/1.000948",
    }
    try:
        for server in servers.values():
            server.wait_ready()
        table = Table(
            "Kit overhead per request",
            "One uvicorn worker each; 10 concurrent clients; the same httpx load generator for every row.",
            baseline="bare FastAPI /ping",
        )
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=10)) as client:
            for label, path in paths.items():
                server = servers.get(label, servers["catalog /livez (kit middleware)"])
                url = server.url + path

                async def get(_: int, url: str = url) -> bool:
                    return (await client.get(url)).status_code == 200

                row = await closed_loop(label, get, operations=operations, concurrency=10)
                row.peak_rss_mb = server.peak_rss_mb
                table.rows.append(row)
        return [table]
    finally:
        for server in servers.values():
            server.stop()
