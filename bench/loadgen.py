"""A lean closed-loop HTTP/1.1 load generator, for machines without ``wrk``.

``python -m bench.loadgen URL CONCURRENCY SECONDS HEADERS_JSON`` keeps CONCURRENCY keep-alive
connections busy for SECONDS, each sending the same GET as soon as the previous answer is complete,
and prints one JSON line in the shape of the wrk report the gateway scenario reads: requests,
duration_us, errors, non2xx and the p50/p95/p99 latencies in microseconds.

``python -m bench.loadgen --paired URL_A URL_B SECONDS HEADERS_JSON`` measures latency side by side:
one connection to each URL, one request at a time, A then B, for SECONDS. It prints a JSON list: the
summary of A, the summary of B, and ``{"added_p50_us": ...}``, the median of B's latency minus A's over
the pairs. Two rows measured one after the other differ by however the machine's speed drifted in
between; pairs see the same moment, so the difference is what B adds.

Why not an HTTP client library: on a 2-core machine the load generator shares the cores with the
processes it measures, so every microsecond it spends per request is taken from them. aiohttp's
client spent about as much CPU per request as the trivial service it was driving, which pulled the
gateway's ratio down for reasons that were not the gateway's. Here each connection is an
``asyncio.Protocol`` driven by callbacks (on uvloop when installed): the request bytes are built
once, and a response is only framed by httptools' parser (status and end), its body never kept.
"""

from __future__ import annotations

import asyncio
import functools
import json
import sys
import time
from typing import Any, cast
from urllib.parse import urlsplit

import httptools


class ResponseFramer:
    """Finds where each HTTP/1.1 response ends in a byte stream; yields each one's status.

    The parser is llhttp through ``httptools``, as in uvicorn and the gateway's client; bodies are
    skipped, never kept.
    """

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self._complete: list[int] = []

    def feed(self, data: bytes) -> list[int]:
        self.parser.feed_data(data)
        complete, self._complete = self._complete, []
        return complete

    def on_message_complete(self) -> None:
        self._complete.append(self.parser.get_status_code())


class Connection(asyncio.Protocol):
    def __init__(self, request: bytes, deadline: float, latencies: list[float], done: asyncio.Future[None]) -> None:
        self.request = request
        self.deadline = deadline
        self.latencies = latencies
        self.done = done
        self.framer = ResponseFramer()
        self.non2xx = 0
        self.errors = 0
        self.sent_at = 0.0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not subclasses of asyncio.Transport, but have the same methods.
        self.transport = cast(asyncio.Transport, transport)
        self._send()

    def _send(self) -> None:
        assert self.transport is not None
        self.sent_at = time.perf_counter()
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        for status in self.framer.feed(data):
            now = time.perf_counter()
            self.latencies.append(now - self.sent_at)
            self.non2xx += not 200 <= status < 300
            if now < self.deadline:
                self._send()
            else:
                self._finish()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.errors += 1
            self.done.set_result(None)

    def abandon(self) -> None:
        if not self.done.done():
            self.errors += 1
            self.done.set_result(None)
        if self.transport is not None:
            self.transport.abort()

    def _finish(self) -> None:
        assert self.transport is not None
        if not self.done.done():
            self.done.set_result(None)
        self.transport.close()


def _same(protocol: Connection) -> Connection:
    return protocol


async def run(url: str, concurrency: int, seconds: float, headers: dict[str, str]) -> dict[str, Any]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    request = _request(url, headers)
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    began = time.perf_counter()
    deadline = began + seconds
    connections = []
    for _ in range(concurrency):
        protocol = Connection(request, deadline, latencies, loop.create_future())
        await loop.create_connection(functools.partial(_same, protocol), host, port)
        connections.append(protocol)
    try:
        # A server that stops answering must not hang the run: its connections count as errors.
        await asyncio.wait_for(asyncio.gather(*(c.done for c in connections)), seconds + 30)
    except TimeoutError:
        for connection in connections:
            connection.abandon()
    elapsed = time.perf_counter() - began
    latencies.sort()
    errors = sum(c.errors for c in connections)
    return _summary(latencies, elapsed, errors=errors, non2xx=sum(c.non2xx for c in connections))


async def paired(urls: list[str], seconds: float, headers: dict[str, str]) -> list[dict[str, Any]]:
    """One connection per URL, one request at a time, in turn (see the module docstring)."""
    streams = []
    for url in urls:
        parts = urlsplit(url)
        reader, writer = await asyncio.open_connection(parts.hostname or "127.0.0.1", parts.port or 80)
        streams.append((reader, writer, _request(url, headers), ResponseFramer()))
    latencies: list[list[float]] = [[] for _ in urls]
    non2xx = [0 for _ in urls]
    began = time.perf_counter()
    while time.perf_counter() < began + seconds:
        for index, (reader, writer, request, framer) in enumerate(streams):
            sent = time.perf_counter()
            writer.write(request)
            statuses: list[int] = []
            while not statuses:
                data = await reader.read(65536)
                if not data:
                    raise ConnectionError(f"{urls[index]} closed the connection")
                statuses = framer.feed(data)
            latencies[index].append(time.perf_counter() - sent)
            non2xx[index] += not 200 <= statuses[0] < 300
    elapsed = time.perf_counter() - began
    for _, writer, _, _ in streams:
        writer.close()
    differences = sorted(b - a for a, b in zip(latencies[0], latencies[-1], strict=False))
    summaries: list[dict[str, Any]] = [
        _summary(sorted(times), elapsed, errors=0, non2xx=bad) for times, bad in zip(latencies, non2xx, strict=True)
    ]
    return [*summaries, {"added_p50_us": int(differences[len(differences) // 2] * 1e6) if differences else 0}]


def _request(url: str, headers: dict[str, str]) -> bytes:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"GET {target} HTTP/1.1", f"Host: {parts.netloc}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _summary(latencies: list[float], elapsed: float, *, errors: int, non2xx: int) -> dict[str, Any]:
    def pick(p: float) -> int:
        return int(latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1e6) if latencies else 0

    return {
        "requests": len(latencies),
        "duration_us": int(elapsed * 1e6),
        "errors": errors,
        "non2xx": non2xx,
        "p50": pick(50),
        "p95": pick(95),
        "p99": pick(99),
    }


def main(argv: list[str]) -> None:
    try:
        import uvloop  # noqa: PLC0415 - optional: the project installs it with uvicorn[standard]

        runner: Any = uvloop.run
    except ImportError:
        runner = asyncio.run
    if argv[0] == "--paired":
        result: Any = runner(paired(argv[1:3], float(argv[3]), json.loads(argv[4])))
    else:
        result = runner(run(argv[0], int(argv[1]), float(argv[2]), json.loads(argv[3])))
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
