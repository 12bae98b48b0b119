"""The edge: every request passes here, as raw ASGI (no routing framework on the hot path).

In order:

1. **Hygiene**: header values with control characters, two ``Content-Length``s, a
   ``Content-Length`` with a ``Transfer-Encoding``, a transfer coding other than chunked, repeated
   credentials, encoded slashes or dot segments in the path: 400 (or 404), never forwarded.
2. **Policy** (``policy.py``): no row for the path is 404, no row for the method 405 with ``Allow``.
3. **Authentication** (``authn.py``): a bad credential is 401 (and spends the IP's anonymous budget).
4. **Rate limits** (``ratelimit.py``): 429 with ``Retry-After``.
5. **Authorisation**: a closed route without credentials is 401, without the role 403.
6. **Forwarding**: the gateway's own routes go to the inner application; the rest is sent to its
   service over a pooled connection. What crosses:

   - the request line, query string and body (small bodies are read whole, so that an idempotent
     request can be retried; larger ones are streamed);
   - end-to-end headers; hop-by-hop ones (RFC 9110 7.6.1) and those a ``Connection`` header names
     are dropped; so are client-sent ``X-Forwarded-*``/``Forwarded``/``X-Real-IP``, any
     ``X-Motcua-*`` identity header, cookies and the API key;
   - ``Authorization``: the caller's bearer token unchanged, or the gateway's internal token for an
     API-key client; ``X-Forwarded-For`` (the client address, resolved through trusted proxies),
     ``X-Forwarded-Proto``/``-Host`` of the public base URL (never the client's ``Host``), and
     ``X-Request-ID``.

   Failures become problem documents naming the service: 503 when it cannot be reached or its
   circuit is open, 504 when it does not answer in time, 502 when it answers garbage. Idempotent
   requests the service never saw are retried; only that service's routes are affected.
7. **Response**: ``Location``, ``Content-Location`` and ``Link`` URLs of the service are rewritten
   to the public base URL; a response to a credentialed call without ``Cache-Control`` gets
   ``no-store``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from motcua_gateway.authn import Authenticator, Caller
from motcua_gateway.observability import GatewayMetrics
from motcua_gateway.policy import Limit, Policy, Rule
from motcua_gateway.ratelimit import Budget, RateLimiter
from motcua_gateway.routes import RouteTable, UpstreamName
from motcua_gateway.upstream import Body, RawHeaders, Upstream, UpstreamError, UpstreamResponse
from motcua_kit.context import REQUEST_ID_HEADER, current_request_id
from motcua_kit.errors import ProblemError, send_problem
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
_REQUEST_ID = REQUEST_ID_HEADER.lower().encode()
_DROPPED_REQUEST = HOP_BY_HOP | {
    b"host",
    b"content-length",
    b"x-forwarded-for",
    b"x-forwarded-proto",
    b"x-forwarded-host",
    b"x-forwarded-port",
    b"x-forwarded-prefix",
    b"forwarded",
    b"x-real-ip",
    b"x-client-ip",
    b"true-client-ip",
    # Identity headers that auth proxies use elsewhere: no motcua service reads them, none may reach one.
    b"x-forwarded-user",
    b"x-forwarded-email",
    b"x-forwarded-groups",
    b"x-remote-user",
    b"remote-user",
    b"x-auth-request-user",
    b"x-auth-request-email",
    b"cookie",
    b"expect",  # the gateway sends the body at once; an interim 100 Continue would only cost a round trip
    b"authorization",
    b"x-api-key",
    _REQUEST_ID,
}
_DROPPED_RESPONSE = HOP_BY_HOP | {b"date", b"server"}
_REWRITTEN_RESPONSE = frozenset({b"location", b"content-location", b"link"})
_IDENTITY_PREFIX = b"x-motcua-"
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

# Bodies up to this size are read whole before forwarding (replayable; one write upstream).
BUFFERED_BODY_BYTES = 256 * 1024
RETRY_BACKOFF_SECONDS = 0.05

_CONTROL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")
_ENCODED_SEPARATOR = re.compile(rb"%(2f|5c|00)", re.IGNORECASE)


class _BodyTooLarge(Exception):
    pass


def _unsafe_path(path: str) -> bool:
    """Dot segments could escape the prefix the policy matched."""
    segments = path.split("/")
    return ".." in segments or "." in segments


def _header_problem(headers: Sequence[tuple[bytes, bytes]]) -> str | None:  # noqa: PLR0911 - one reason each
    """Why these request headers cannot be forwarded safely (smuggling, injection), or ``None``."""
    lengths = 0
    codings: bytes | None = None
    credentials: dict[bytes, int] = {}
    for name, value in headers:
        if _CONTROL.search(value):
            return f"The {name.decode('latin-1')} header contains control characters."
        if name == b"content-length":
            lengths += 1
        elif name == b"transfer-encoding":
            if codings is not None:
                return "Transfer-Encoding is given twice."
            codings = value
        elif name in (b"authorization", b"x-api-key", b"host"):
            credentials[name] = credentials.get(name, 0) + 1
    if lengths > 1:
        return "Content-Length is given more than once."
    if codings is not None:
        if lengths:
            return "A request cannot have both Content-Length and Transfer-Encoding."
        if codings.strip().lower() != b"chunked":
            return "Only the chunked transfer coding is accepted."
    for name, count in credentials.items():
        if count > 1:
            return f"The {name.decode()} header is given more than once."
    return None


class ClientAddress:
    """The client's IP: the peer, or, when the peer is a trusted proxy, the last untrusted hop it names."""

    def __init__(self, trusted: Sequence[str]) -> None:
        self.networks = [ipaddress.ip_network(n, strict=False) for n in trusted]

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.networks)

    def resolve(self, scope: Scope, forwarded_for: bytes | None) -> str:
        client = scope.get("client")
        peer = client[0] if client else "unknown"
        if not self.networks or forwarded_for is None or not self._trusted(peer):
            return str(peer)
        hops = [h.strip() for h in forwarded_for.decode("latin-1").split(",") if h.strip()]
        for hop in reversed(hops):
            if not self._trusted(hop):
                try:
                    return str(ipaddress.ip_address(hop))
                except ValueError:
                    return str(peer)  # a malformed hop: believe nothing more
        return hops[0] if hops else str(peer)


@dataclass(frozen=True, slots=True)
class Refusal:
    """A problem answered by the edge itself, before anything is forwarded."""

    status: int
    code: str
    detail: str
    headers: Mapping[str, str] | None = None
    extra: Mapping[str, str] | None = None

    async def send(self, send: Send) -> None:
        await send_problem(send, self.status, self.code, detail=self.detail, headers=self.headers, extra=self.extra)


def _too_many(wait: int) -> Refusal:
    return Refusal(429, "rate_limited", f"Too many requests; retry in {wait} s.", {"Retry-After": str(wait)})


PAYLOAD_TOO_LARGE = Refusal(413, "payload_too_large", "The body is larger than this gateway accepts.")


def check_request(scope: Scope, policy: Policy) -> Rule | Refusal:
    """Hygiene and policy: the rule that admits this request line, or why none does."""
    problem = _header_problem(scope["headers"])
    if problem is not None:
        return Refusal(400, "invalid_header", problem)
    path: str = scope["path"]
    raw_path: bytes = scope.get("raw_path") or path.encode()
    match = None
    if not (_ENCODED_SEPARATOR.search(raw_path) or _unsafe_path(path)):
        match = policy.match(scope["method"], path)
    if match is None:
        return Refusal(404, "not_found", f"No resource at {path}.")
    if match.rule is None:
        allowed = ", ".join(match.allowed_methods)
        return Refusal(405, "method_not_allowed", f"{path} answers only {allowed}.", {"Allow": allowed})
    return match.rule


def authorise(rule: Rule, caller: Caller) -> Refusal | None:
    """A closed route needs credentials (401) and one of its roles (403)."""
    if rule.roles is None:
        return None
    if caller.principal is None:
        return Refusal(401, "unauthorized", "This route needs credentials.", {"WWW-Authenticate": "Bearer"})
    if not rule.admits(caller.principal.roles):
        needed = ", ".join(sorted(r.value for r in rule.roles))
        return Refusal(403, "missing_role", f"This action needs one of the roles: {needed}.")
    return None


class EdgeMiddleware:
    """Hygiene, policy, authentication, rate limits, authorisation and forwarding (see module doc)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        policy: Policy,
        routes: RouteTable,
        upstreams: Mapping[UpstreamName, Upstream],
        authenticator: Authenticator,
        rate_limiter: RateLimiter,
        client_address: ClientAddress,
        public_base_url: str,
        metrics: GatewayMetrics | None = None,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.policy = policy
        self.upstreams = upstreams
        self.authenticator = authenticator
        self.rate_limiter = rate_limiter
        self.client_address = client_address
        self.public_base_url = public_base_url
        public_scheme, _, rest = public_base_url.partition("://")
        self._forwarded_proto = public_scheme.encode("latin-1")
        self._forwarded_host = rest.split("/", 1)[0].encode("latin-1")
        # Which service each rule's path belongs to (None: the gateway's own route), decided once.
        self._upstream_of: dict[int, Upstream | None] = {}
        for rule in policy:
            entry = routes.match(rule.path)
            self._upstream_of[id(rule)] = upstreams[entry.upstream] if entry is not None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        admitted = await self._admit(scope)
        if isinstance(admitted, Refusal):
            await admitted.send(send)
            return
        rule, caller, ip = admitted
        upstream = self._upstream_of[id(rule)]
        if upstream is None:
            scope.setdefault("state", {})["principal"] = caller.principal
            await self.app(scope, receive, send)
            return
        await self.forward(upstream, Exchange(scope, receive, send, caller, ip))

    async def _admit(self, scope: Scope) -> tuple[Rule, Caller, str] | Refusal:
        checked = check_request(scope, self.policy)
        if isinstance(checked, Refusal):
            return checked
        rule = checked
        scope["route"] = rule  # its `path` template labels the access log and the metrics
        authorization = api_key = forwarded_for = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value
            elif name == b"x-api-key":
                api_key = value
            elif name == b"x-forwarded-for":
                forwarded_for = value
        ip = self.client_address.resolve(scope, forwarded_for)
        try:
            caller = await self.authenticator.authenticate(authorization, api_key)
        except ProblemError as exc:
            # A failed credential spends the IP's anonymous budget: guessing keys is rate limited too.
            wait = await self._hit(Budget.ANONYMOUS, "ip:" + ip)
            if wait is not None:
                return _too_many(wait)
            return Refusal(exc.status, exc.code, exc.detail or exc.title, exc.headers)
        wait = await self._spend(rule, caller, ip)
        if wait is not None:
            return _too_many(wait)
        return authorise(rule, caller) or (rule, caller, ip)

    async def _hit(self, budget: Budget, key: str) -> int | None:
        wait = await self.rate_limiter.hit(budget, key)
        if wait is not None and self.metrics is not None:
            self.metrics.rate_limited(budget.value)
        return wait

    async def _spend(self, rule: Rule, caller: Caller, ip: str) -> int | None:
        if not self.rate_limiter.enabled:
            return None
        if caller.rate_key is None:
            budget = Budget.LOOKUP if rule.limit is Limit.LOOKUP else Budget.ANONYMOUS
            return await self._hit(budget, "ip:" + ip)
        if rule.limit is Limit.LOOKUP:
            wait = await self._hit(Budget.LOOKUP, "ip:" + ip)
            if wait is None:
                wait = await self._hit(Budget.LOOKUP, caller.rate_key)
            if wait is not None:
                return wait
        return await self._hit(Budget.CLIENT, caller.rate_key)

    def _request_headers(self, exchange: Exchange) -> RawHeaders:
        headers: RawHeaders = exchange.scope["headers"]
        connection_listed: set[bytes] = set()
        for name, value in headers:
            if name == b"connection":
                connection_listed.update(v.strip().lower() for v in value.split(b","))
        out = [
            (name, value)
            for name, value in headers
            if not (name in _DROPPED_REQUEST or name in connection_listed or name.startswith(_IDENTITY_PREFIX))
        ]
        if exchange.caller.authorization is not None:
            out.append((b"authorization", exchange.caller.authorization))
        out.append((b"x-forwarded-for", exchange.ip.encode("latin-1")))
        out.append((b"x-forwarded-proto", self._forwarded_proto))
        out.append((b"x-forwarded-host", self._forwarded_host))
        request_id = current_request_id()
        if request_id:
            out.append((_REQUEST_ID, request_id.encode("latin-1")))
        return out

    async def forward(self, upstream: Upstream, exchange: Exchange) -> None:
        scope = exchange.scope
        method: str = scope["method"]
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        query: bytes = scope.get("query_string", b"")
        target = raw_path + b"?" + query if query else raw_path
        headers = self._request_headers(exchange)
        try:
            body = await _request_body(scope, exchange.receive, headers)
        except _BodyTooLarge:
            await PAYLOAD_TOO_LARGE.send(exchange.send)
            return
        replayable = not isinstance(body, _StreamedBody)
        attempts = 1 + upstream.settings.retries if method in IDEMPOTENT and replayable else 1
        for attempt in range(attempts):
            outcome = await self._attempt(upstream, exchange, method=method, target=target, headers=headers, body=body)
            if outcome is None:
                return
            if isinstance(outcome, Refusal):
                await outcome.send(exchange.send)
                return
            retry = attempt + 1 < attempts and outcome.before_response
            log.warning(
                "upstream error", upstream=upstream.name, error=outcome.reason, attempt=attempt + 1, retrying=retry
            )
            if not retry:
                if self.metrics is not None:
                    self.metrics.upstream_error(upstream.name.value, outcome.code)
                await send_problem(
                    exchange.send,
                    outcome.status,
                    outcome.code,
                    detail=f"The {upstream.name.value} service {outcome.what}.",
                    extra={"upstream": upstream.name.value},
                )
                return
            await asyncio.sleep(RETRY_BACKOFF_SECONDS * (2**attempt))

    async def _attempt(
        self,
        upstream: Upstream,
        exchange: Exchange,
        *,
        method: str,
        target: bytes,
        headers: RawHeaders,
        body: Body,
    ) -> UpstreamError | Refusal | None:
        """One try: ``None`` when the answer was relayed, else the error or the refusal to send."""
        breaker = upstream.breaker
        if not breaker.allow():
            if self.metrics is not None:
                self.metrics.upstream_error(upstream.name.value, "circuit_open")
            return Refusal(
                503,
                "upstream_unavailable",
                f"The {upstream.name.value} service is unavailable; its circuit is open.",
                {"Retry-After": str(breaker.retry_after())},
                {"upstream": upstream.name.value},
            )
        started = settled = False

        async def send(message: Message) -> None:
            nonlocal started
            started = True  # from here on a failure can only cut the answer short
            await exchange.send(message)

        try:
            async with upstream.transport.request(method, target, headers, body) as response:
                breaker.record_success()
                settled = True
                await self._relay(upstream, response, send, credentialed=exchange.caller.principal is not None)
        except UpstreamError as exc:
            if isinstance(body, _StreamedBody) and body.too_large and not started:
                return PAYLOAD_TOO_LARGE
            if not settled:
                breaker.record_failure()
                settled = True
            if started:
                log.warning("upstream failed mid-response", upstream=upstream.name, error=exc.reason)
                raise
            return exc
        except _BodyTooLarge:
            if started:
                raise
            return PAYLOAD_TOO_LARGE
        finally:
            if not settled:
                breaker.release()  # the request was refused or the caller left before the service answered
        return None

    async def _relay(self, upstream: Upstream, response: UpstreamResponse, send: Send, *, credentialed: bool) -> None:
        headers: list[tuple[bytes, bytes]] = []
        length: int | None = None
        cache_control = False
        for name, value in response.headers:
            if name in _DROPPED_RESPONSE:
                continue
            if name == b"content-length":
                length = int(value) if value.isdigit() else None
                if length is None:
                    continue
            elif name == b"cache-control":
                cache_control = True
            headers.append((name, self._public_urls(upstream, value) if name in _REWRITTEN_RESPONSE else value))
        if credentialed and not cache_control:
            headers.append((b"cache-control", b"no-store"))
        if length is not None and length <= BUFFERED_BODY_BYTES:
            content = await response.read()
            await send({"type": "http.response.start", "status": response.status, "headers": headers})
            await send({"type": "http.response.body", "body": content, "more_body": False})
            return
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        async for chunk in response.chunks():
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    def _public_urls(self, upstream: Upstream, value: bytes) -> bytes:
        """The service's own base URL, wherever it appears in the header, becomes the public one."""
        base = upstream.base_url.encode("latin-1")
        if base not in value:
            return value
        return value.replace(base, self.public_base_url.encode("latin-1"))


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request on its way through the edge."""

    scope: Scope
    receive: Receive
    send: Send
    caller: Caller
    ip: str


async def _request_body(scope: Scope, receive: Receive, headers: RawHeaders) -> Body:
    """The body to forward: small ones whole (replayable), larger or chunked ones streamed."""
    length: int | None = None
    chunked = False
    for name, value in scope["headers"]:
        if name == b"content-length":
            length = int(value) if value.isdigit() else 0
        elif name == b"transfer-encoding":
            chunked = True
    if length is not None and length <= BUFFERED_BODY_BYTES:
        body = await _read_body(receive) if length else b""
        headers.append((b"content-length", b"%d" % len(body)))
        return body
    if length is not None:
        headers.append((b"content-length", b"%d" % length))
        return _StreamedBody(receive)
    return _StreamedBody(receive) if chunked else None


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message: Message = await _receive(receive)
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


class _StreamedBody:
    """A request body passed on as it arrives; remembers whether the body guard stopped it."""

    def __init__(self, receive: Receive) -> None:
        self.receive = receive
        self.too_large = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            try:
                message: Message = await _receive(self.receive)
            except _BodyTooLarge:
                self.too_large = True
                raise
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            if chunk:
                yield chunk
            if not message.get("more_body", False):
                return


async def _receive(receive: Receive) -> Message:
    try:
        return await receive()
    except HTTPException as exc:  # the body guard counted past the limit
        raise _BodyTooLarge from exc
