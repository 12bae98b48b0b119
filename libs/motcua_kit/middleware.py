"""Raw ASGI middleware shared by every service (raw, not BaseHTTPMiddleware: it is on every request).

- :class:`RequestContextMiddleware`: the request id (accepted or generated, echoed, put in the log
  context), the access log line and the HTTP metrics.
- :class:`BodyGuardMiddleware`: 413 for bodies over the limit, 415 for content types no route takes.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from motcua_kit.context import REQUEST_ID_HEADER, accept_or_generate, set_request_id
from motcua_kit.errors import send_problem
from motcua_kit.logging import get_logger
from motcua_kit.metrics import HttpMetrics

access_log = get_logger("motcua.access")

_REQUEST_ID_HEADER_BYTES = REQUEST_ID_HEADER.lower().encode()
_QUIET_PATHS = frozenset({"/livez", "/readyz", "/metrics"})


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, metrics: HttpMetrics, route_templates: Mapping[int, str]) -> None:
        self.app = app
        self.metrics = metrics
        # FastAPI puts the matched route object in the scope, with its path relative to its router;
        # the app factory maps each route to its full template.
        self.route_templates = route_templates

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = None
        for name, value in scope["headers"]:
            if name == _REQUEST_ID_HEADER_BYTES:
                incoming = value.decode("latin-1")
                break
        request_id = accept_or_generate(incoming)
        set_request_id(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = [h for h in message.get("headers", []) if h[0] != _REQUEST_ID_HEADER_BYTES]
                headers.append((_REQUEST_ID_HEADER_BYTES, request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # The traceback goes to the log with the request id; the client learns nothing internal.
            access_log.exception("unhandled error", path=scope["path"])
            if response_started:
                raise
            await send_problem(send_with_id, 500, "internal_error", detail="An unexpected error occurred.")
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = self.route_templates.get(id(route)) or getattr(route, "path", None) or "unmatched"
            method = scope["method"]
            self.metrics.observe(method, template, status, elapsed)
            if scope["path"] not in _QUIET_PATHS:
                # The query string is left out on purpose: lookups carry phone numbers and secrets there.
                access_log.info(
                    "request",
                    method=method,
                    path=scope["path"],
                    route=template,
                    status=status,
                    duration_ms=round(elapsed * 1000, 2),
                )


class BodyGuardMiddleware:
    """Refuse bodies that are too large (413) or of a media type the service does not read (415).

    ``path_limits`` raises (or lowers) the limit for exact paths, e.g. a streamed bulk import.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        media_types: Iterable[str] | None,
        path_limits: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.path_limits = dict(path_limits or {})
        # None: any media type (the gateway forwards bodies it does not read).
        self.media_types = frozenset(media_types) if media_types is not None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in {"GET", "HEAD", "OPTIONS", "DELETE"}:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit = self.path_limits.get(scope["path"], self.max_body_bytes)
        length = headers.get("content-length")
        if length is not None:
            if not length.isdigit():
                await send_problem(send, 400, "bad_request", detail="Content-Length is not a number.")
                return
            if int(length) > limit:
                await send_problem(send, 413, "payload_too_large", detail=f"The body exceeds {limit} bytes.")
                return
        content_type = headers.get("content-type")
        has_body = (length is not None and length != "0") or "chunked" in headers.get("transfer-encoding", "")
        if has_body and self.media_types is not None:
            media_type = (content_type or "").split(";", 1)[0].strip().lower()
            if media_type not in self.media_types:
                await send_problem(
                    send,
                    415,
                    "unsupported_media_type",
                    detail=f"Send the body as one of: {', '.join(sorted(self.media_types))}.",
                    headers={"Accept-Post": ", ".join(sorted(self.media_types))},
                )
                return

        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised inside the route's body read. FastAPI turns other errors there into a
                    # generic 400, but lets an HTTPException through to the problem handler.
                    raise HTTPException(413, f"The body exceeds {limit} bytes.")
            return message

        await self.app(scope, counting_receive, send)
