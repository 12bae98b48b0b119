"""Forwarding requests to the services, as raw ASGI (no routing or validation on the hot path).

What crosses the gateway:

- the request line, query string and body (streamed both ways, never buffered whole);
- end-to-end headers; hop-by-hop headers (RFC 9110 section 7.6.1) are dropped;
- ``X-Forwarded-For/-Proto/-Host`` set by the gateway (incoming ones are discarded, so a client
  cannot pose as another address), and the request id;
- identity headers a client might forge (``X-Motcua-*``) are stripped.

Upstream failures become problem documents naming the upstream: 503 when it cannot be reached,
504 when it does not answer in time, 502 when it answers garbage.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from motcua_gateway.config import UpstreamSettings
from motcua_gateway.routes import RouteTable, UpstreamName
from motcua_kit.context import REQUEST_ID_HEADER, current_request_id
from motcua_kit.errors import send_problem
from motcua_kit.logging import get_logger

log = get_logger("motcua.gateway.proxy")

HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
    }
)
_DROPPED_REQUEST = HOP_BY_HOP | {
    b"host",
    b"x-forwarded-for",
    b"x-forwarded-proto",
    b"x-forwarded-host",
    b"forwarded",
    REQUEST_ID_HEADER.lower().encode(),
}
_DROPPED_RESPONSE = HOP_BY_HOP | {b"date", b"server"}
_IDENTITY_PREFIX = b"x-motcua-"


class Upstream:
    """One service behind the gateway, with its own connection pool and timeouts."""

    def __init__(
        self, name: UpstreamName, settings: UpstreamSettings, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.name = name
        self.base_url = settings.url.rstrip("/")
        self.client = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(
                connect=settings.connect_timeout_seconds,
                read=settings.read_timeout_seconds,
                write=settings.read_timeout_seconds,
                pool=settings.connect_timeout_seconds,
            ),
            limits=httpx.Limits(
                max_connections=settings.max_connections, max_keepalive_connections=settings.max_connections
            ),
            follow_redirects=False,
            transport=transport,
        )

    async def aclose(self) -> None:
        await self.client.aclose()


def _unsafe_path(path: str) -> bool:
    """Dot segments could escape the prefix the route table matched."""
    segments = path.split("/")
    return ".." in segments or "." in segments


def _forwarded_headers(scope: Scope) -> list[tuple[bytes, bytes]]:
    headers: list[tuple[bytes, bytes]] = []
    connection_listed: set[bytes] = set()
    host = b""
    for name, value in scope["headers"]:
        if name == b"connection":
            connection_listed.update(v.strip().lower() for v in value.split(b","))
        if name == b"host":
            host = value
    for name, value in scope["headers"]:
        if name in _DROPPED_REQUEST or name in connection_listed or name.startswith(_IDENTITY_PREFIX):
            continue
        headers.append((name, value))
    client = scope.get("client")
    if client:
        headers.append((b"x-forwarded-for", client[0].encode("latin-1")))
    headers.append((b"x-forwarded-proto", scope.get("scheme", "http").encode("latin-1")))
    if host:
        headers.append((b"x-forwarded-host", host))
    request_id = current_request_id()
    if request_id:
        headers.append((REQUEST_ID_HEADER.lower().encode(), request_id.encode("latin-1")))
    return headers


class ProxyMiddleware:
    """Send requests whose path the route table knows to their service; pass the rest to ``app``."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: RouteTable,
        upstreams: Mapping[UpstreamName, Upstream],
        public_base_url: str,
    ) -> None:
        self.app = app
        self.routes = routes
        self.upstreams = upstreams
        self.public_base_url = public_base_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        entry = self.routes.match(path)
        if entry is None:
            await self.app(scope, receive, send)
            return
        scope["route"] = entry  # read by the access log and metrics
        if _unsafe_path(path):
            await send_problem(send, 404, "not_found", detail=f"No resource at {path}.")
            return
        await self.forward(self.upstreams[entry.upstream], scope, receive, send)

    async def forward(self, upstream: Upstream, scope: Scope, receive: Receive, send: Send) -> None:
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        query: bytes = scope.get("query_string", b"")
        target = raw_path.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")
        headers = _forwarded_headers(scope)
        has_body = any(n in {b"content-length", b"transfer-encoding"} for n, _ in scope["headers"])
        request = upstream.client.build_request(
            scope["method"],
            target,
            headers=headers,
            content=_body(receive) if has_body else None,
        )
        try:
            response = await upstream.client.send(request, stream=True)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            log.warning("upstream unreachable", upstream=upstream.name, error=type(exc).__name__)
            await _upstream_problem(send, 503, "upstream_unavailable", upstream.name, "is not reachable")
            return
        except httpx.TimeoutException as exc:
            log.warning("upstream timeout", upstream=upstream.name, error=type(exc).__name__)
            await _upstream_problem(send, 504, "upstream_timeout", upstream.name, "did not answer in time")
            return
        except httpx.HTTPError as exc:
            log.warning("upstream error", upstream=upstream.name, error=type(exc).__name__)
            await _upstream_problem(send, 502, "bad_gateway", upstream.name, "gave an invalid answer")
            return
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": response.status_code,
                    "headers": self._response_headers(upstream, response),
                }
            )
            if response.is_stream_consumed:  # a transport that hands back content already read
                await send({"type": "http.response.body", "body": response.content, "more_body": False})
                return
            async for chunk in response.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await response.aclose()

    def _response_headers(self, upstream: Upstream, response: httpx.Response) -> list[tuple[bytes, bytes]]:
        headers: list[tuple[bytes, bytes]] = []
        for name, value in response.headers.raw:
            lower = name.lower()
            if lower in _DROPPED_RESPONSE:
                continue
            headers.append((lower, self._public_location(upstream, value) if lower == b"location" else value))
        return headers

    def _public_location(self, upstream: Upstream, value: bytes) -> bytes:
        location = value.decode("latin-1")
        if location.startswith(upstream.base_url):
            location = self.public_base_url + location[len(upstream.base_url) :]
        return location.encode("latin-1")


async def _body(receive: Receive) -> AsyncIterator[bytes]:
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            return
        chunk = message.get("body", b"")
        if chunk:
            yield chunk
        if not message.get("more_body", False):
            return


async def _upstream_problem(send: Send, status: int, code: str, upstream: UpstreamName, what: str) -> None:
    await send_problem(
        send, status, code, detail=f"The {upstream.value} service {what}.", extra={"upstream": upstream.value}
    )
