"""A small HTTP/1.1 client for the proxy's hot path: pooled keep-alive connections, httptools parsing.

Why not a general client library: on the gateway's hot path, measured in its own process (CPU time
per proxied request, ``bench/scenarios/gateway.py``), httpx cost several times what aiohttp did,
and aiohttp cost about twice what this module does (~150 µs against ~80 µs with the server's own
share included). The proxy needs very little of a general client: one origin per pool, no
redirects, cookies, proxies, decompression or URL handling; the bytes of the request line and
headers are already checked by the edge. What it does need is here, and tested on real sockets
(``tests/gateway/test_http1.py``):

- a pool per upstream, at most ``max_connections`` in use, idle ones reused for ``KEEPALIVE_SECONDS``
  (below the services' own keep-alive timeout, so a connection the service is closing is not reused);
- request bodies written whole (bytes) or streamed, with ``Content-Length`` or chunked, respecting
  the transport's write buffer; response bodies read whole or streamed, with back-pressure;
- connect and read timeouts; ``Connection: close``, HEAD, 1xx and 204/304 answers;
- every failure mapped to :class:`UpstreamUnavailable`, :class:`UpstreamTimeout` or
  :class:`UpstreamBroken` (with ``before_response`` when no answer had begun).

The response parser is llhttp (Node.js's) through ``httptools``, the one uvicorn uses for requests.
"""

from __future__ import annotations

import asyncio
import collections
import ssl
import time
from collections.abc import AsyncIterable, AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import cast
from urllib.parse import urlsplit

import httptools

from motcua_gateway.config import UpstreamSettings
from motcua_gateway.upstream_errors import UpstreamBroken, UpstreamTimeout, UpstreamUnavailable

Headers = list[tuple[bytes, bytes]]

KEEPALIVE_SECONDS = 4.0
HIGH_WATER = 1024 * 1024  # buffered response bytes before reading from the service pauses


class _Connection(asyncio.Protocol):
    """One connection to the service; one exchange at a time."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.closed = False
        self.idle_since = 0.0
        self.reused = False
        self._writable: asyncio.Future[None] | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._reset(head=False)

    def _reset(self, *, head: bool) -> None:
        self.head = head
        self.status = 0
        self.headers: Headers = []
        self.headers_done = False
        self.complete = False
        self.keep_alive = False
        self.error: Exception | None = None
        self.chunks: collections.deque[bytes] = collections.deque()
        self.buffered = 0
        self.paused = False

    # --- asyncio.Protocol -------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not inherit from asyncio.Transport, though they are one.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self.complete or (self.head and self.headers_done):
            return  # nothing more is expected on this exchange; the connection will not be reused
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(UpstreamBroken(f"invalid HTTP: {exc}", before_response=not self.headers_done))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.headers_done and not self.complete and self._ends_at_close():
            self.complete = True  # a body without a length ends when the service closes the connection
            self._wake()
        if not self.complete:
            self._fail(UpstreamBroken("connection closed", before_response=not self.headers_done))
        writable = self._writable
        if writable is not None and not writable.done():
            writable.set_result(None)

    def pause_writing(self) -> None:
        if self._writable is None or self._writable.done():
            self._writable = self.loop.create_future()

    def resume_writing(self) -> None:
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)

    def _ends_at_close(self) -> bool:
        return not any(name in (b"content-length", b"transfer-encoding") for name, _ in self.headers)

    # --- httptools callbacks ----------------------------------------------------------------------

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.lower(), value))

    def on_headers_complete(self) -> None:
        status = self.parser.get_status_code()
        if 100 <= status < 200:
            self.headers = []  # an interim answer (100 Continue, 103 Early Hints): the real one follows
            return
        self.status = status
        self.headers_done = True
        if self.head:
            self.complete = True  # a HEAD answer has no body, whatever Content-Length says
            self.keep_alive = False
        self._wake()

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)
        self.buffered += len(body)
        if self.buffered > HIGH_WATER and not self.paused and self.transport is not None:
            self.paused = True
            self.transport.pause_reading()
        self._wake()

    def on_message_complete(self) -> None:
        if not self.headers_done:
            return  # the end of an interim answer
        self.complete = True
        self.keep_alive = self.parser.should_keep_alive()
        self._wake()

    # --- used by the transport --------------------------------------------------------------------

    def _fail(self, error: Exception) -> None:
        if self.error is None:
            self.error = error
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def wait(self, within: float) -> None:
        """Until something happens on the exchange (headers, body, end, error)."""
        self._waiter = self.loop.create_future()
        try:
            async with asyncio.timeout(within):
                await self._waiter
        except TimeoutError:
            raise UpstreamTimeout("read timeout") from None
        finally:
            self._waiter = None

    async def drain(self) -> None:
        if self._writable is not None and not self._writable.done():
            await self._writable
        if self.closed:
            raise UpstreamBroken("connection closed while sending", before_response=True)

    def take(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        self.buffered = 0
        if self.paused and self.transport is not None:
            self.paused = False
            self.transport.resume_reading()
        return data

    def begin(self, *, head: bool) -> None:
        self._reset(head=head)

    def reusable(self) -> bool:
        return self.complete and self.keep_alive and not self.closed and self.error is None

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class Http1Response:
    """The answer of one exchange: status and headers now, the body as it comes."""

    __slots__ = ("_connection", "_read_timeout", "headers", "status")

    def __init__(self, connection: _Connection, read_timeout: float) -> None:
        self._connection = connection
        self._read_timeout = read_timeout
        self.status = connection.status
        self.headers = connection.headers

    async def read(self) -> bytes:
        parts = [chunk async for chunk in self.chunks()]
        return parts[0] if len(parts) == 1 else b"".join(parts)

    async def chunks(self) -> AsyncIterator[bytes]:
        connection = self._connection
        while True:
            if connection.chunks:
                yield connection.take()
                continue
            if connection.complete:
                return
            if connection.error is not None:
                raise connection.error
            await connection.wait(self._read_timeout)


def _request_head(method: str, target: bytes, host: bytes, headers: Sequence[tuple[bytes, bytes]]) -> list[bytes]:
    """The request line and headers, as parts to join (the edge has already refused CR, LF and NUL)."""
    head = [method.encode("ascii"), b" ", target, b" HTTP/1.1\r\nhost: ", host, b"\r\n"]
    for name, value in headers:
        head += (name, b": ", value, b"\r\n")
    return head


class HttpTransport:
    """Pooled HTTP/1.1 connections to one service (see the module's docstring)."""

    def __init__(self, base_url: str, settings: UpstreamSettings) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError(f"an upstream URL is http(s)://host[:port], not {base_url!r}")
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.host_header = parts.netloc.encode("latin-1")
        self.ssl: ssl.SSLContext | None = ssl.create_default_context() if parts.scheme == "https" else None
        self.connect_timeout = settings.connect_timeout_seconds
        self.read_timeout = settings.read_timeout_seconds
        self.max_connections = settings.max_connections
        self._idle: collections.deque[_Connection] = collections.deque()
        self._slots: asyncio.Semaphore | None = None

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.connect_timeout):
                _, protocol = await loop.create_connection(
                    lambda: _Connection(loop), self.host, self.port, ssl=self.ssl
                )
        except TimeoutError:
            raise UpstreamUnavailable("connect timeout") from None
        except OSError as exc:
            raise UpstreamUnavailable(type(exc).__name__) from exc
        return protocol

    async def _acquire(self) -> _Connection:
        now = time.monotonic()
        while self._idle:
            connection = self._idle.pop()
            if not connection.closed and now - connection.idle_since < KEEPALIVE_SECONDS:
                connection.reused = True
                return connection
            connection.close()
        return await self._connect()

    def _release(self, connection: _Connection) -> None:
        if connection.reusable():
            connection.idle_since = time.monotonic()
            self._idle.append(connection)
        else:
            connection.close()

    @asynccontextmanager
    async def request(
        self,
        method: str,
        target: bytes,
        headers: Sequence[tuple[bytes, bytes]],
        body: bytes | AsyncIterable[bytes] | None,
    ) -> AsyncIterator[Http1Response]:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_connections)
        try:
            async with asyncio.timeout(self.connect_timeout):
                await self._slots.acquire()
        except TimeoutError:
            raise UpstreamUnavailable("no free connection") from None
        connection: _Connection | None = None
        try:
            connection = await self._acquire()
            connection.begin(head=method == "HEAD")
            await self._send(connection, method, target, headers, body)
            while not connection.headers_done:
                if connection.error is not None:
                    raise connection.error
                await connection.wait(self.read_timeout)
            yield Http1Response(connection, self.read_timeout)
        finally:
            if connection is not None:
                self._release(connection)
            self._slots.release()

    async def _send(
        self,
        connection: _Connection,
        method: str,
        target: bytes,
        headers: Sequence[tuple[bytes, bytes]],
        body: bytes | AsyncIterable[bytes] | None,
    ) -> None:
        transport = connection.transport
        if transport is None or connection.closed:
            raise UpstreamBroken("connection closed", before_response=True)
        head = _request_head(method, target, self.host_header, headers)
        if body is None or isinstance(body, bytes):
            if body is not None and not any(n == b"content-length" for n, _ in headers):
                head.append(b"content-length: %d\r\n" % len(body))
            head += (b"\r\n", body or b"")
            transport.write(b"".join(head))
            return
        chunked = not any(n == b"content-length" for n, _ in headers)
        head.append(b"transfer-encoding: chunked\r\n\r\n" if chunked else b"\r\n")
        transport.write(b"".join(head))
        async for chunk in body:
            if not chunk:
                continue
            transport.write(b"%x\r\n%b\r\n" % (len(chunk), chunk) if chunked else chunk)
            await connection.drain()
        if chunked:
            transport.write(b"0\r\n\r\n")
        await connection.drain()

    async def aclose(self) -> None:
        while self._idle:
            self._idle.pop().close()
