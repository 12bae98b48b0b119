"""The command line every service shares: ``python -m <service> serve|migrate|revision|seed-demo|current``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from alembic import command as alembic_command

from motcua_kit.db import Database, is_sqlite, normalise_url
from motcua_kit.events.dispatcher import Dispatcher
from motcua_kit.events.subscriptions import sync_declared_subscriptions
from motcua_kit.logging import configure_logging, get_logger
from motcua_kit.migrations import alembic_config, make_revision, upgrade
from motcua_kit.settings import ServiceSettings

log = get_logger("motcua.cli")

Seeder = Callable[[Database], Awaitable[str]]
DispatcherFactory = Callable[[Any, Database], Dispatcher]


@dataclass(frozen=True)
class ServiceCommand:
    """What the shared command line needs to know of a service."""

    settings_factory: Callable[[], ServiceSettings]
    app_factory: str  # "package.main:create_app"
    migrations: str | None  # "package:migrations"
    seed_demo: Seeder | None = None
    dispatcher: DispatcherFactory | None = None  # builds the service's event dispatcher
    # Whether the server believes X-Forwarded-For from loopback peers. The gateway, the public
    # door, says no and resolves the client address itself from its own list of trusted proxies.
    proxy_headers: bool = True


def ensure_sqlite_directory(url: str) -> None:
    """SQLite creates the file but not its folder (``./var`` on a fresh clone)."""
    parsed = normalise_url(url)
    if is_sqlite(parsed) and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def main(command: ServiceCommand, argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=command.app_factory.split(".", 1)[0])
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP server")
    # WEB_CONCURRENCY is the container convention for the worker count (deploy/Dockerfile).
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "1")))
    serve.add_argument("--reload", action="store_true")
    migrate = sub.add_parser("migrate", help="upgrade the database schema")
    migrate.add_argument("revision", nargs="?", default="head")
    revision = sub.add_parser("revision", help="write a new migration")
    revision.add_argument("-m", "--message", required=True)
    revision.add_argument("--empty", action="store_true", help="do not autogenerate from the models")
    sub.add_parser("current", help="print the schema revision of the database")
    sub.add_parser("seed-demo", help="load the demo data if the database has none")
    dispatch = sub.add_parser("dispatch", help="deliver this service's events to its subscribers until stopped")
    dispatch.add_argument(
        "--heartbeat",
        type=Path,
        default=os.environ.get("MOTCUA_HEARTBEAT_FILE") or None,
        help="touch this file every few seconds while the event loop runs (a liveness probe reads its age)",
    )
    args = parser.parse_args(argv)

    settings = command.settings_factory()
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
    if command.migrations is None and args.command in {"migrate", "revision", "current", "seed-demo", "dispatch"}:
        sys.stderr.write(f"{settings.service_name} has no database\n")
        return 2

    if args.command == "serve":
        if command.migrations is not None:
            ensure_sqlite_directory(settings.database.url)
        uvicorn.run(
            command.app_factory,
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=args.workers,
            reload=args.reload,
            log_config=None,
            access_log=False,
            proxy_headers=command.proxy_headers,
            server_header=False,
            timeout_graceful_shutdown=20,
        )
        return 0

    assert command.migrations is not None
    ensure_sqlite_directory(settings.database.url)
    if args.command == "migrate":
        upgrade(command.migrations, settings.database.url, args.revision)
        log.info("database migrated", revision=args.revision)
        if command.dispatcher is not None:
            # Before the service serves: events written from the first request on find their subscribers.
            asyncio.run(_sync_subscriptions(command.dispatcher, settings))
    elif args.command == "revision":
        make_revision(command.migrations, settings.database.url, args.message, autogenerate=not args.empty)
    elif args.command == "current":
        alembic_command.current(alembic_config(command.migrations, settings.database.url))
    elif args.command == "dispatch":
        if command.dispatcher is None:
            sys.stderr.write(f"{settings.service_name} publishes no events\n")
            return 2
        asyncio.run(_dispatch(command.dispatcher, settings, heartbeat=args.heartbeat))
    elif args.command == "seed-demo":
        if command.seed_demo is None:
            return 0
        outcome = asyncio.run(_seed(command.seed_demo, settings))
        log.info("demo data", outcome=outcome)
    return 0


HEARTBEAT_SECONDS = 10.0


async def beat(path: Path, stop: asyncio.Event, every: float = HEARTBEAT_SECONDS) -> None:
    """Touch ``path`` until ``stop``: a blocked event loop (or a dead process) lets it go stale."""
    while not stop.is_set():
        await asyncio.to_thread(path.touch)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)


async def _dispatch(factory: DispatcherFactory, settings: ServiceSettings, heartbeat: Path | None = None) -> None:
    """Run the dispatcher until SIGINT or SIGTERM, then finish the round in hand and stop."""
    database = Database.from_settings(settings.database)
    dispatcher = factory(settings, database)
    await _declare(dispatcher)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    beating = asyncio.create_task(beat(heartbeat, stop)) if heartbeat is not None else None
    try:
        await dispatcher.run(stop)
    finally:
        stop.set()
        if beating is not None:
            await beating
        await dispatcher.aclose()
        await database.dispose()


async def _declare(dispatcher: Dispatcher) -> None:
    """Create or update the subscriptions the configuration declares (matched by name)."""
    async with dispatcher.database.transaction() as session:
        await sync_declared_subscriptions(session, dispatcher.store, dispatcher.settings.subscriptions)


async def _sync_subscriptions(factory: DispatcherFactory, settings: ServiceSettings) -> None:
    database = Database.from_settings(settings.database)
    dispatcher = factory(settings, database)
    try:
        await _declare(dispatcher)
    finally:
        await dispatcher.aclose()
        await database.dispose()


async def _seed(seeder: Seeder, settings: ServiceSettings) -> str:
    database = Database.from_settings(settings.database)
    try:
        return await seeder(database)
    finally:
        await database.dispose()
