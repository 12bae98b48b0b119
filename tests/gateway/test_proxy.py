"""How the gateway treats headers and failing upstreams (upstreams faked at the transport)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from motcua_gateway.routes import UpstreamName
from motcua_kit.testing import TokenFactory, api_client, assert_problem
from tests.gateway.conftest import gateway_app

Handler = Callable[[httpx.Request], httpx.Response]


def _ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"ok": True})


@pytest.fixture
def seen() -> list[httpx.Request]:
    return []


async def _client(
    tokens: TokenFactory, catalog: Handler, dossier: Handler = _ok, survey: Handler = _ok
) -> AsyncIterator[httpx.AsyncClient]:
    transports: dict[UpstreamName, httpx.AsyncBaseTransport] = {
        UpstreamName.CATALOG: httpx.MockTransport(catalog),
        UpstreamName.DOSSIER: httpx.MockTransport(dossier),
        UpstreamName.SURVEY: httpx.MockTransport(survey),
    }
    async with api_client(gateway_app(tokens, transports)) as client:
        yield client


async def test_forwarded_headers_are_the_gateways_own(tokens: TokenFactory, seen: list[httpx.Request]) -> None:
    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    async for client in _client(tokens, record):
        await client.get(
            "/api/v1/procedures?q=th%E1%BA%BB",
            headers={
                "X-Forwarded-For": "6.6.6.6",
                "X-Motcua-Subject": "admin",
                "X-Request-ID": "trace-42",
                "Connection": "keep-alive, X-Secret-Hop",
                "X-Secret-Hop": "1",
                "Authorization": "Bearer abc",
            },
        )
    forwarded = seen[0].headers
    assert forwarded["x-forwarded-for"] == "127.0.0.1"
    assert "x-motcua-subject" not in forwarded
    assert "x-secret-hop" not in forwarded
    assert forwarded["x-request-id"] == "trace-42"
    assert forwarded["authorization"] == "Bearer abc"
    assert seen[0].url.raw_path == b"/api/v1/procedures?q=th%E1%BA%BB"


async def test_request_body_is_streamed_through(tokens: TokenFactory, seen: list[httpx.Request]) -> None:
    async def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"echo": (await request.aread()).decode()})

    transports: dict[UpstreamName, httpx.AsyncBaseTransport] = {
        name: httpx.MockTransport(record) for name in UpstreamName
    }
    async with api_client(gateway_app(tokens, transports)) as client:
        response = await client.post(
            "/api/v1/dossiers", content=b'{"a": 1}', headers={"content-type": "application/json"}
        )
    assert response.status_code == 201
    assert response.json() == {"echo": '{"a": 1}'}


async def test_absolute_location_is_rewritten_to_the_public_url(tokens: TokenFactory) -> None:
    def created(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, headers={"Location": "http://127.0.0.1:8001/api/v1/procedures/1.0"})

    async for client in _client(tokens, created):
        response = await client.post("/api/v1/procedures", json={})
    assert response.headers["location"] == "https://dichvucong.example.vn/api/v1/procedures/1.0"


async def test_unreachable_upstream_is_503_naming_it(tokens: TokenFactory) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async for client in _client(tokens, down):
        body = assert_problem(await client.get("/api/v1/procedures"), 503, "upstream_unavailable")
        assert body["upstream"] == "procedure-catalog"
        # The other services are untouched.
        assert (await client.get("/api/v1/dossiers/x")).status_code == 200
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["status"] == "degraded"
        assert ready.json()["checks"]["dossier-api"] == "ok"
        assert ready.json()["checks"]["procedure-catalog"]["ok"] is False
        document = (await client.get("/openapi.json")).json()
        assert document["x-missing-upstreams"] == ["procedure-catalog"]


async def test_slow_upstream_is_504(tokens: TokenFactory) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    async for client in _client(tokens, slow):
        assert_problem(await client.get("/api/v1/procedures"), 504, "upstream_timeout")


async def test_broken_upstream_is_502(tokens: TokenFactory) -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("garbage", request=request)

    async for client in _client(tokens, broken):
        assert_problem(await client.get("/api/v1/procedures"), 502, "bad_gateway")


async def test_oversize_body_is_413_at_the_gateway(tokens: TokenFactory) -> None:
    async for client in _client(tokens, _ok):
        response = await client.post(
            "/api/v1/procedures", content=b"x" * (64 * 1024 * 1024 + 1), headers={"content-type": "application/json"}
        )
    assert_problem(response, 413)
