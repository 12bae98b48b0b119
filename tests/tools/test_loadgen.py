"""The lean load generator frames HTTP/1.1 responses exactly, and drives a real server."""

from __future__ import annotations

import asyncio
import json
import sys

import uvicorn
from fastapi import FastAPI
from fastapi.responses import StreamingResponse

from bench.loadgen import ResponseFramer, paired, run
from tests.e2e.polling import eventually
from tests.e2e.test_local_stack import free_port

FIXED = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"a":"\r\n!"}'
CHUNKED = b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n3\r\n\r\n0\r\n0\r\n\r\n"
EMPTY = b"HTTP/1.1 204 No Content\r\ndate: today\r\n\r\n"


def test_responses_split_anywhere_or_several_in_one_read_are_each_framed() -> None:
    stream = FIXED + CHUNKED + EMPTY + FIXED
    for cut in range(1, len(stream)):
        framer = ResponseFramer()
        assert framer.feed(stream[:cut]) + framer.feed(stream[cut:]) == [200, 404, 204, 200], cut
        assert framer.feed(FIXED) == [200]  # nothing of the earlier ones was left over


async def test_it_drives_a_server_and_counts_what_is_not_2xx() -> None:
    app = FastAPI()

    @app.get("/ok")
    async def ok() -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/slow")
    async def slow() -> dict[str, str]:
        await asyncio.sleep(0.005)
        return {"ok": "later"}

    @app.get("/streamed")
    async def streamed() -> StreamingResponse:
        return StreamingResponse(iter([b"a", b"b"]), status_code=503)

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning", lifespan="off"))
    serving = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: _started(server), within=10, what="uvicorn to start")
        ok_summary = await run(f"http://127.0.0.1:{port}/ok", 3, 0.3, {"X-Test": "1"})
        fast, delayed, added = await paired([f"http://127.0.0.1:{port}/ok", f"http://127.0.0.1:{port}/slow"], 0.3, {})
        # As the benchmark runs it: its own process, on uvloop.
        command = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.loadgen",
            f"http://127.0.0.1:{port}/streamed",
            "2",
            "0.2",
            "{}",
            stdout=asyncio.subprocess.PIPE,
        )
        output, _ = await command.communicate()
        streamed_summary = json.loads(output)
    finally:
        server.should_exit = True
        await serving
    assert ok_summary["requests"] > 10
    assert (ok_summary["errors"], ok_summary["non2xx"]) == (0, 0)
    assert 0 < ok_summary["p50"] <= ok_summary["p95"] <= ok_summary["p99"]
    assert streamed_summary["non2xx"] == streamed_summary["requests"] > 0
    # In pairs: as many requests to each, and the difference is what the slow route adds (5 ms and more).
    assert fast["requests"] == delayed["requests"] > 5
    assert (fast["non2xx"], delayed["non2xx"]) == (0, 0)
    assert 5000 <= added["added_p50_us"] < delayed["p99"]


async def _started(server: uvicorn.Server) -> bool:
    return server.started
