"""The services behind the gateway, and how requests reach them.

An :class:`Upstream` is one service: its base URL, timeouts, circuit breaker and a transport. The
transport in production is :class:`AiohttpTransport`: a pooled keep-alive HTTP/1.1 client, chosen
because it measured several times faster than httpx on the proxy's hot path (see
``bench/scenarios/gateway.py`` and docs/gateway.md). Tests put the real service applications
behind the gateway in process with :class:`ASGITransport`.

Transports raise one of three :class:`UpstreamError` kinds, which the proxy turns into 503, 504 or
502 problem documents naming the service:

- :class:`UpstreamUnavailable`: no connection could be made; the service never saw the request;
- :class:`UpstreamTimeout`: the service did not answer in time;
- :class:`UpstreamBroken`: the connection broke or the answer was not HTTP. ``before_response``
  tells whether it broke before any response came, when an idempotent request may be retried.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol
from urllib.parse import unquote_to_bytes, urlsplit

import aiohttp
from starlette.types import ASGIApp, Message
from yarl import URL

from motcua_gateway.breaker import CircuitBreaker
from motcua_gateway.config import UpstreamSettings
from motcua_gateway.routes import UpstreamName

Headers = list[tuple[bytes, bytes]]
Body = bytes | AsyncIterable[bytes] | None

# Below the services' own keep-alive timeout (uvicorn: 5 s), so the gateway never reuses a
# connection the service is closing.
KEEPALIVE_SECONDS = 4.0
READ_CHUNK = 64 * 1024


class UpstreamError(Exception):
    status = 502
    code = "bad_gateway"
    what = "gave an invalid answer"
    counts_as_failure = True  # for the circuit breaker

    def __init__(self, reason: str, *, before_response: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.before_response = before_response


class UpstreamUnavailable(UpstreamError):
    status, code, what = 503, "upstream_unavailable", "is not reachable"

    def __init__(self, reason: str) -> None:
        super().__init__(reason, before_response=True)


class UpstreamTimeout(UpstreamError):
    status, code, what = 504, "upstream_timeout", "did not answer in time"


class UpstreamBroken(UpstreamError):
    status, code, what = 502, "bad_gateway", "gave an invalid answer"


class UpstreamResponse(Protocol):
    status: int
    headers: Headers  # names lower-cased

    async def read(self) -> bytes: ...

    def chunks(self) -> AsyncIterator[bytes]: ...


class Transport(Protocol):
    def request(
        self, method: str, target: str, headers: Sequence[tuple[str, str]], body: Body
    ) -> AbstractAsyncContextManager[UpstreamResponse]: ...

    async def aclose(self) -> None: ...


class _AiohttpResponse:
    __slots__ = ("_response", "headers", "status")

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response
        self.status = response.status
        self.headers = [(name.lower(), value) for name, value in response.raw_headers]

    async def read(self) -> bytes:
        try:
            return await self._response.read()
        except TimeoutError as exc:
            raise UpstreamTimeout("read timeout") from exc
        except aiohttp.ClientError as exc:
            raise UpstreamBroken(type(exc).__name__) from exc

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_chunked(READ_CHUNK):
                yield chunk
        except TimeoutError as exc:
            raise UpstreamTimeout("read timeout") from exc
        except aiohttp.ClientError as exc:
            raise UpstreamBroken(type(exc).__name__) from exc


class AiohttpTransport:
    """Pooled keep-alive connections to one service (created lazily, inside the running loop)."""

    def __init__(self, base_url: str, settings: UpstreamSettings) -> None:
        self.base_url = base_url
        self._settings = settings
        self._session: aiohttp.ClientSession | None = None
        self._timeout = aiohttp.ClientTimeout(
            total=None,
            connect=settings.connect_timeout_seconds,
            sock_connect=settings.connect_timeout_seconds,
            sock_read=settings.read_timeout_seconds,
        )

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=self._settings.max_connections,
                    keepalive_timeout=KEEPALIVE_SECONDS,
                    use_dns_cache=True,
                ),
                timeout=self._timeout,
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=False,
                skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
                raise_for_status=False,
            )
        return self._session

    @asynccontextmanager
    async def request(
        self, method: str, target: str, headers: Sequence[tuple[str, str]], body: Body
    ) -> AsyncIterator[UpstreamResponse]:
        try:
            response = await self._client().request(
                method,
                # As the client sent it: no re-quoting, no normalisation of the path or the query.
                URL(self.base_url + target, encoded=True),
                headers=list(headers),
                data=body,
                allow_redirects=False,
                compress=None,
            )
        except aiohttp.ClientConnectorError as exc:
            raise UpstreamUnavailable(type(exc).__name__) from exc
        except aiohttp.ConnectionTimeoutError as exc:
            raise UpstreamUnavailable("connect timeout") from exc
        except TimeoutError as exc:
            raise UpstreamTimeout("read timeout") from exc
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as exc:
            # A kept-alive connection the service closed as we wrote: it has seen nothing.
            raise UpstreamBroken(type(exc).__name__, before_response=True) from exc
        except aiohttp.ClientError as exc:
            raise UpstreamBroken(type(exc).__name__) from exc
        try:
            yield _AiohttpResponse(response)
        finally:
            response.release()

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


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
        self, method: str, target: str, headers: Sequence[tuple[str, str]], body: Body
    ) -> AsyncIterator[UpstreamResponse]:
        parts = urlsplit(target)
        raw_path = parts.path.encode("latin-1")
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
            "path": unquote_to_bytes(parts.path).decode("utf-8", "replace"),
            "raw_path": raw_path,
            "query_string": parts.query.encode("latin-1"),
            "root_path": "",
            "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers],
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
        self.transport: Transport = transport or AiohttpTransport(self.base_url, settings)
        self.breaker = CircuitBreaker(
            failure_threshold=settings.breaker_failures, reset_seconds=settings.breaker_reset_seconds
        )

    async def fetch(self, path: str, *, within: float) -> tuple[int, bytes]:
        """A small GET of the gateway's own (readiness, OpenAPI), given ``within`` seconds."""

        async def get() -> tuple[int, bytes]:
            async with self.transport.request("GET", path, [("accept", "application/json")], None) as response:
                return response.status, await response.read()

        try:
            return await asyncio.wait_for(get(), within)
        except TimeoutError as exc:
            raise UpstreamTimeout("timeout") from exc

    async def aclose(self) -> None:
        await self.transport.aclose()
