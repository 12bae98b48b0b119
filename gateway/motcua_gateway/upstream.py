"""The services behind the gateway, and how requests reach them.

An :class:`Upstream` is one service: its base URL, timeouts, circuit breaker and a transport. The
transport in production is :class:`HttpTransport` (``http1.py``): pooled keep-alive HTTP/1.1,
chosen because it measured fastest on the proxy's hot path. Tests put the real service
applications behind the gateway in process with :class:`ASGITransport`.

Transports raise the :class:`UpstreamError` kinds of ``upstream_errors.py``, which the proxy turns
into 503, 504 or 502 problem documents naming the service.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message

from motcua_gateway.breaker import CircuitBreaker
from motcua_gateway.config import UpstreamSettings
from motcua_gateway.http1 import HttpTransport
from motcua_gateway.routes import UpstreamName
from motcua_gateway.upstream_errors import (
    UpstreamBroken,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
)

__all__ = [
    "ASGITransport",
    "Body",
    "HttpTransport",
    "RawHeaders",
    "Transport",
    "Upstream",
    "UpstreamBroken",
    "UpstreamError",
    "UpstreamResponse",
    "UpstreamTimeout",
    "UpstreamUnavailable",
]

RawHeaders = list[tuple[bytes, bytes]]
Headers = RawHeaders
Body = bytes | AsyncIterable[bytes] | None


class UpstreamResponse(Protocol):
    status: int
    headers: Headers  # names lower-cased

    async def read(self) -> bytes: ...

    def chunks(self) -> AsyncIterator[bytes]: ...


class Transport(Protocol):
    def request(
        self, method: str, target: bytes, headers: Sequence[tuple[bytes, bytes]], body: Body
    ) -> AbstractAsyncContextManager[UpstreamResponse]: ...

    async def aclose(self) -> None: ...


class _BufferedResponse:
    __slots__ = ("_body", "headers", "status")

    def __init__(self, status: int, headers: Headers, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self._body = body

    async def read(self) -> bytes:
        return self._body

    async def chunks(self) -> AsyncIterator[bytes]:
        yield self._body


class ASGITransport:
    """Calls an ASGI application in process (tests put the real services behind the gateway so)."""

    def __init__(self, app: ASGIApp, client: tuple[str, int] = ("10.1.0.1", 40000)) -> None:
        self.app = app
        self.client = client

    @asynccontextmanager
    async def request(
        self, method: str, target: bytes, headers: Sequence[tuple[bytes, bytes]], body: Body
    ) -> AsyncIterator[UpstreamResponse]:
        raw_path, _, query = target.partition(b"?")
        chunks = [body or b""] if isinstance(body, bytes | None) else [chunk async for chunk in body]
        pending = list(chunks)

        async def receive() -> Message:
            if pending:
                chunk = pending.pop(0)
                return {"type": "http.request", "body": chunk, "more_body": bool(pending)}
            await asyncio.sleep(3600)  # the request has no more body; nothing else will come
            return {"type": "http.disconnect"}

        status = 0
        response_headers: Headers = []
        parts_out: list[bytes] = []

        async def send(message: Message) -> None:
            nonlocal status, response_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers = [(bytes(k).lower(), bytes(v)) for k, v in message.get("headers", [])]
            elif message["type"] == "http.response.body":
                parts_out.append(message.get("body", b""))

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": unquote_to_bytes(raw_path).decode("utf-8", "replace"),
            "raw_path": raw_path,
            "query_string": query,
            "root_path": "",
            "headers": [(name.lower(), value) for name, value in headers],
            "client": self.client,
            "server": ("upstream", 80),
            "state": {},
        }
        try:
            await self.app(scope, receive, send)
        except Exception as exc:
            raise UpstreamBroken(type(exc).__name__) from exc
        if not status:
            raise UpstreamBroken("no response")
        yield _BufferedResponse(status, response_headers, b"".join(parts_out))

    async def aclose(self) -> None:
        return None


class Upstream:
    """One service behind the gateway: its transport, timeouts and circuit breaker."""

    def __init__(self, name: UpstreamName, settings: UpstreamSettings, transport: Transport | None = None) -> None:
        self.name = name
        self.settings = settings
        self.base_url = settings.url.rstrip("/")
        self.transport: Transport = transport or HttpTransport(self.base_url, settings)
        self.breaker = CircuitBreaker(
            failure_threshold=settings.breaker_failures, reset_seconds=settings.breaker_reset_seconds
        )

    async def fetch(self, path: str, *, within: float) -> tuple[int, bytes]:
        """A small GET of the gateway's own (readiness, OpenAPI), given ``within`` seconds."""

        async def get() -> tuple[int, bytes]:
            target = path.encode("latin-1")
            async with self.transport.request("GET", target, [(b"accept", b"application/json")], None) as response:
                return response.status, await response.read()

        try:
            return await asyncio.wait_for(get(), within)
        except TimeoutError as exc:
            raise UpstreamTimeout("timeout") from exc

    async def aclose(self) -> None:
        await self.transport.aclose()
