"""Real processes for the event delivery tests: a dispatcher and a subscriber ("sink").

    python -m tests.e2e.event_processes dispatch DATABASE_URL
    python -m tests.e2e.event_processes sink PORT SECRET LOG_FILE

The dispatcher is the kit's, on the kit's test outbox (tests/kit/events_app.py). The sink verifies
each Standard Webhooks signature, applies each event id once (as a real subscriber must) and
appends what it applied, in order, to LOG_FILE as JSON lines; it counts redeliveries too.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response
from standardwebhooks import Webhook, WebhookVerificationError

from motcua_kit.db import Database
from motcua_kit.events.dispatcher import Dispatcher
from motcua_kit.events.settings import EventSettings
from motcua_kit.settings import DatabaseSettings
from tests.kit.events_app import STORE

# Fast retries (the subscriber comes back within seconds in these tests), dead letters only after 100 tries.
DELIVERY = EventSettings(
    batch_size=200,
    concurrency=50,
    lease_seconds=5,
    max_attempts=100,
    backoff_base_seconds=0.2,
    backoff_max_seconds=1.0,
    idle_poll_seconds=0.05,
    request_timeout_seconds=5,
)


async def dispatch(url: str) -> None:
    database = Database.from_settings(DatabaseSettings(url=url))
    dispatcher = Dispatcher(database, STORE, DELIVERY)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await dispatcher.run(stop)
    finally:
        await dispatcher.aclose()
        await database.dispose()


def sink_app(secret: str, log_file: Path) -> FastAPI:
    app = FastAPI()
    webhook = Webhook(secret)
    applied: set[str] = set()
    state = {"received": 0, "duplicates": 0}
    log = log_file.open("a", encoding="utf-8")

    @app.post("/hook")
    async def hook(request: Request) -> Response:
        body = await request.body()
        try:
            event: dict[str, Any] = webhook.verify(body, dict(request.headers))
        except WebhookVerificationError:
            return Response(status_code=401)
        state["received"] += 1
        if event["id"] in applied:
            state["duplicates"] += 1
            return Response(status_code=204)
        applied.add(event["id"])
        entry = {"id": event["id"], "subject": event["subject"], "n": event["data"]["n"], "time": event["time"]}
        entry["arrived"] = time.time()
        log.write(json.dumps(entry) + "\n")
        log.flush()
        return Response(status_code=204)

    @app.get("/state")
    async def get_state() -> dict[str, int]:
        return {"applied": len(applied), **state}

    return app


def main(argv: list[str]) -> int:
    if argv[0] == "dispatch":
        asyncio.run(dispatch(argv[1]))
        return 0
    if argv[0] == "sink":
        port, secret, log_file = int(argv[1]), argv[2], Path(argv[3])
        uvicorn.run(sink_app(secret, log_file), host="127.0.0.1", port=port, log_level="warning")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
