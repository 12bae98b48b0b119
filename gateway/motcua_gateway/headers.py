"""Security headers on every answer of the gateway, and CORS for the allowed web origins.

The API serves JSON, never pages to frame or scripts to run, so its answers forbid all of it
(``Content-Security-Policy: default-src 'none'``). ``/docs`` is the one page: Swagger UI, whose
script and style come from the CDN FastAPI points at. A header the service already set is kept.
HSTS is sent only when the public base URL is https.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_CSP = b"default-src 'none'; frame-ancestors 'none'"
DOCS_CSP = (
    b"default-src 'none'; script-src 'unsafe-inline' https://cdn.jsdelivr.net; "
    b"style-src 'unsafe-inline' https://cdn.jsdelivr.net; img-src data: https://fastapi.tiangolo.com; "
    b"connect-src 'self'; frame-ancestors 'none'"
)
DOCS_PATH = "/docs"

# What a browser app may send and read across origins.
CORS_ALLOW_HEADERS = ("Authorization", "Content-Type", "If-Match", "Idempotency-Key", "Accept-Language", "X-Request-ID")
CORS_EXPOSE_HEADERS = ("Location", "ETag", "Retry-After", "Content-Language", "X-Request-ID", "Link")
CORS_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        common: list[tuple[bytes, bytes]] = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]
        if hsts:
            common.append((b"strict-transport-security", b"max-age=63072000; includeSubDomains"))
        self._api = [*common, (b"content-security-policy", API_CSP)]
        self._docs = [*common, (b"content-security-policy", DOCS_CSP)]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self._docs if scope["path"] == DOCS_PATH else self._api

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in extra if h[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
