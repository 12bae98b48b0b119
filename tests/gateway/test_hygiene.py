"""What the edge refuses before forwarding, and what it adds to every answer."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from motcua_gateway.routes import UpstreamName
from motcua_gateway.upstream import ASGITransport, Transport
from motcua_kit.testing import RolledBackDatabase, TokenFactory, api_client, assert_problem
from tests.gateway.conftest import gateway_app
from tests.gateway.fakes import echo_app, echoed_headers


@pytest.fixture
async def echo_gateway(
    tokens: TokenFactory, gateway_database: RolledBackDatabase, gateway_key: ec.EllipticCurvePrivateKey
) -> AsyncIterator[httpx.AsyncClient]:
    transports: dict[UpstreamName, Transport] = {name: ASGITransport(echo_app) for name in UpstreamName}
    app = gateway_app(
        tokens,
        transports,
        gateway_database,
        gateway_key,
        max_body_bytes=4096,
        cors_allow_origins=["https://dichvucong.example.vn"],
    )
    async with api_client(app) as client:
        yield client


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ([(b"x-note", b"a\x00b")], "control characters"),
        ([(b"x-note", b"line\nX-Motcua-Subject: admin")], "control characters"),
        ([(b"x-note", b"a\x7fb")], "control characters"),
        ([(b"content-length", b"2"), (b"content-length", b"3")], "more than once"),
        ([(b"content-length", b"2"), (b"transfer-encoding", b"chunked")], "both"),
        ([(b"transfer-encoding", b"gzip, chunked")], "chunked"),
        ([(b"transfer-encoding", b"chunked"), (b"transfer-encoding", b"chunked")], "twice"),
        ([(b"authorization", b"Bearer a"), (b"authorization", b"Bearer b")], "more than once"),
        ([(b"x-api-key", b"a"), (b"x-api-key", b"b")], "more than once"),
    ],
)
async def test_header_injection_and_smuggling_attempts_are_400(
    echo_gateway: httpx.AsyncClient, headers: list[tuple[bytes, bytes]], reason: str
) -> None:
    request = echo_gateway.build_request("GET", "/api/v1/procedures")
    request.headers = httpx.Headers([*request.headers.raw, *headers])
    body = assert_problem(await echo_gateway.send(request), 400, "invalid_header")
    assert reason in body["detail"]


@pytest.mark.parametrize(
    "raw_path",
    [
        b"/api/v1/procedures/../api-clients",
        b"/api/v1/procedures/%2e%2e/%2e%2e/api-clients",
        b"/api/v1/tracking/X%2F..%2F..%2Fapi-clients",
        b"/api/v1/tracking/X%5cY",
        b"/api/v1/tracking/X%00",
        b"/api/v1/surveys/./stats",
    ],
)
async def test_paths_that_could_escape_their_route_are_404(
    tokens: TokenFactory, gateway_database: RolledBackDatabase, raw_path: bytes
) -> None:
    # httpx resolves dot segments itself, so the request is handed to the application as a server would.
    transports: dict[UpstreamName, Transport] = {name: ASGITransport(echo_app) for name in UpstreamName}
    app = gateway_app(tokens, transports, gateway_database)
    async with (
        app.router.lifespan_context(app),
        ASGITransport(app, client=("127.0.0.1", 5000)).request(
            "GET", raw_path, [(b"authorization", f"Bearer {tokens.token('admin')}".encode())], None
        ) as response,
    ):
        assert response.status == 404
        assert json.loads(await response.read())["code"] == "not_found"


async def test_oversize_bodies_are_413(echo_gateway: httpx.AsyncClient) -> None:
    response = await echo_gateway.post(
        "/api/v1/surveys/responses", content=b"x" * 5000, headers={"content-type": "application/json"}
    )
    assert_problem(response, 413)

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"x" * 1000

    streamed = await echo_gateway.post("/api/v1/surveys/responses", content=chunks())
    assert_problem(streamed, 413)


async def test_every_answer_carries_the_security_headers(echo_gateway: httpx.AsyncClient) -> None:
    for response in [await echo_gateway.get("/api/v1/procedures"), await echo_gateway.get("/api/v1/nothing")]:
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
        assert response.headers["strict-transport-security"].startswith("max-age=")
    docs = await echo_gateway.get("/docs")
    assert "https://cdn.jsdelivr.net" in docs.headers["content-security-policy"]


async def test_cors_allows_the_configured_origins_only(echo_gateway: httpx.AsyncClient) -> None:
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
    allowed = await echo_gateway.options(
        "/api/v1/dossiers", headers={"Origin": "https://dichvucong.example.vn", **preflight}
    )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://dichvucong.example.vn"
    assert "access-control-allow-credentials" not in allowed.headers
    refused = await echo_gateway.options("/api/v1/dossiers", headers={"Origin": "https://evil.example", **preflight})
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers
    simple = await echo_gateway.get("/api/v1/procedures", headers={"Origin": "https://dichvucong.example.vn"})
    assert simple.headers["access-control-allow-origin"] == "https://dichvucong.example.vn"
    assert "x-request-id" in simple.headers["access-control-expose-headers"].lower()


async def test_the_request_id_is_kept_or_replaced_and_reaches_the_service(echo_gateway: httpx.AsyncClient) -> None:
    kept = await echo_gateway.get("/api/v1/procedures", headers={"X-Request-ID": "trace-42"})
    assert kept.headers["x-request-id"] == "trace-42"
    assert echoed_headers(kept.json())["x-request-id"] == ["trace-42"]
    replaced = await echo_gateway.get("/api/v1/procedures", headers={"X-Request-ID": "bad id; drop table"})
    assert replaced.headers["x-request-id"] != "bad id; drop table"
    assert echoed_headers(replaced.json())["x-request-id"] == [replaced.headers["x-request-id"]]


async def test_hop_by_hop_headers_are_not_forwarded(echo_gateway: httpx.AsyncClient) -> None:
    response = await echo_gateway.get(
        "/api/v1/procedures", headers={"Connection": "keep-alive, X-Secret-Hop", "X-Secret-Hop": "1", "TE": "trailers"}
    )
    sent = echoed_headers(response.json())
    assert "x-secret-hop" not in sent
    assert "te" not in sent
    assert "connection" not in sent


async def test_the_access_log_has_no_secrets_or_personal_data(
    echo_gateway: httpx.AsyncClient, tokens: TokenFactory, caplog: pytest.LogCaptureFixture
) -> None:
    token = tokens.token("leader")
    with caplog.at_level(logging.INFO, logger="motcua.access"):
        await echo_gateway.get(
            "/api/v1/tracking/SNGV-260101-0001?secret=s3cr3t-value&phone=0905123456",
            headers={"Authorization": f"Bearer {token}", "X-API-Key": "mck_0123456789abcdef_" + "a" * 43},
        )
        await echo_gateway.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {token}"})
    lines = [r.getMessage() for r in caplog.records if r.name == "motcua.access"]
    assert len(lines) == 2
    text = "\n".join(lines)
    for secret in ["s3cr3t-value", "0905123456", token, "mck_", "Bearer"]:
        assert secret not in text
    assert "/api/v1/tracking/{code}" in text  # the route template, for the metrics and the logs
