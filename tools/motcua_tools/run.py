"""``make run``: migrate, load the demo data, start the three services and the gateway, stop them on Ctrl-C.

Each process runs on its own (a real HTTP hop between them, as in production). The launcher waits
until every one answers ``/readyz``, prints where to look, and on Ctrl-C (or if any process dies)
stops them all with SIGTERM, then SIGKILL after a grace period.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import time
from pathlib import Path

import httpx

from motcua_tools.stack import FAKE_PORTAL, Process, processes, stack_environment

GRACE_SECONDS = 10.0
READY_TIMEOUT_SECONDS = 60.0


async def _run_step(proc: Process, command: str, env: dict[str, str]) -> None:
    child = await asyncio.create_subprocess_exec(sys.executable, "-m", proc.package, command, env=env)
    if await child.wait() != 0:
        raise SystemExit(f"{proc.name}: `{command}` failed")


async def prepare(procs: list[Process], env: dict[str, str], *, seed: bool) -> None:
    """Migrate each database to head and load its demo data (a second run changes nothing)."""

    async def one(proc: Process) -> None:
        await _run_step(proc, "migrate", env)
        if seed:
            await _run_step(proc, "seed-demo", env)

    await asyncio.gather(*(one(p) for p in procs if p.has_database))


async def wait_ready(proc: Process, child: asyncio.subprocess.Process, client: httpx.AsyncClient) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if child.returncode is not None:
            raise SystemExit(f"{proc.name} exited with status {child.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            path = "/livez" if proc.package == FAKE_PORTAL else "/readyz"
            if (await client.get(f"{proc.url}{path}", timeout=1.0)).status_code == 200:
                return
        await asyncio.sleep(0.2)
    raise SystemExit(f"{proc.name} was not ready after {READY_TIMEOUT_SECONDS:.0f} s")


async def stop(children: dict[str, asyncio.subprocess.Process]) -> None:
    for child in children.values():
        if child.returncode is None:
            child.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(asyncio.gather(*(c.wait() for c in children.values())), GRACE_SECONDS)
    except TimeoutError:
        for child in children.values():
            if child.returncode is None:
                child.kill()
        await asyncio.gather(*(c.wait() for c in children.values()))


def banner(procs: list[Process]) -> str:
    gateway = next(p for p in procs if p.name == "gateway")
    lines = [
        "",
        "motcua is running.",
        f"  API (gateway)        {gateway.url}",
        f"  API docs             {gateway.url}/docs",
        f"  Catalogue            {gateway.url}/api/v1/procedures",
        f"  Readiness            {gateway.url}/readyz",
        *(f"  {p.name:<20} {p.url}" for p in procs if p.name != "gateway"),
        "  Events               each service's dispatcher delivers its events (docs/events.md)",
        "  A token              make token ROLE=reception_officer   (roles: see README)",
        "  An API key           make api-key CLIENT=city-one-stop ROLES=integration",
        "Press Ctrl-C to stop.",
        "",
    ]
    return "\n".join(lines)


async def main(var_dir: Path, *, seed: bool) -> int:
    procs = processes()
    env = stack_environment(var_dir, procs)
    await prepare(procs, env, seed=seed)

    children: dict[str, asyncio.subprocess.Process] = {}
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    try:
        for proc in procs:
            # Own session: Ctrl-C reaches the launcher only, which then stops the children in order.
            children[proc.name] = await asyncio.create_subprocess_exec(
                *proc.serve_argv(), env=env, start_new_session=True
            )
        async with httpx.AsyncClient() as client:
            await asyncio.gather(*(wait_ready(p, children[p.name], client) for p in procs))
        for proc in procs:
            if proc.dispatches:
                children[f"{proc.name} dispatcher"] = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", proc.package, "dispatch", env=env, start_new_session=True
                )
        sys.stderr.write(banner(procs) + "\n")
        exits = [asyncio.ensure_future(c.wait()) for c in children.values()]
        stop_wait = asyncio.ensure_future(stopping.wait())
        await asyncio.wait([stop_wait, *exits], return_when=asyncio.FIRST_COMPLETED)
        stop_wait.cancel()
        died = [name for name, c in children.items() if c.returncode is not None]
        if died and not stopping.is_set():
            sys.stderr.write(f"{', '.join(died)} stopped unexpectedly; stopping the others.\n")
            return 1
        return 0
    finally:
        await stop(children)
        sys.stderr.write("motcua stopped.\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--var", type=Path, default=Path("var"), help="where the SQLite files and dev keys live")
    parser.add_argument("--no-demo", action="store_true", help="do not load the demo data")
    arguments = parser.parse_args()
    sys.exit(asyncio.run(main(arguments.var.resolve(), seed=not arguments.no_demo)))
