"""Upstream trouble over real HTTP: timeouts, retries, circuit breakers, and one service down alone.

The gateway's production transport (aiohttp) talks to small servers on loopback ports.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from aiohttp import web

from motcua_gateway.config import UpstreamSettings
from motcua_gateway.routes import UpstreamName
from motcua_gateway.upstream import ASGITransport, Transport
from motcua_kit.testing import RolledBackDatabase, TokenFactory, api_client, assert_problem
from tests.gateway.conftest import gateway_app
from tests.gateway.fakes import echo_app, http_upstream


def closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


async def ok(request: web.Request) -> web.StreamResponse:
    return web.json_response({"path": request.path, "method": request.method, "body": (await request.read()).decode()})


@asynccontextmanager
async def catalog_at(
    url: str, tokens: TokenFactory, database: RolledBackDatabase, **upstream: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway with its catalogue upstream at ``url`` (real HTTP); the other services echo in process."""
    settings = UpstreamSettings(url=url, connect_timeout_seconds=0.5, read_timeout_seconds=0.5, **upstream)
    transports: dict[UpstreamName, Transport] = {
        UpstreamName.DOSSIER: ASGITransport(echo_app),
        UpstreamName.SURVEY: ASGITransport(echo_app),
    }
    app = gateway_app(tokens, transports, database, catalog=settings)
    async with api_client(app) as client:
        yield client


async def test_a_service_that_is_down_is_503_naming_it_and_the_others_still_answer(
    tokens: TokenFactory, gateway_database: RolledBackDatabase
) -> None:
    async with catalog_at(closed_port(), tokens, gateway_database, retries=0) as client:
        body = assert_problem(await client.get("/api/v1/procedures"), 503, "upstream_unavailable")
        assert body["upstream"] == "procedure-catalog"
        assert "procedure-catalog" in body["detail"]
        assert (await client.get("/api/v1/surveys/questionnaires/current")).status_code == 200
        ready = (await client.get("/readyz")).json()
        assert ready["status"] == "degraded"
        assert ready["checks"]["satisfaction-survey"] == "ok"
        assert ready["checks"]["procedure-catalog"]["ok"] is False
        document = (await client.get("/openapi.json")).json()
        assert document["x-missing-upstreams"] == ["procedure-catalog"]


async def test_a_slow_service_is_504(tokens: TokenFactory, gateway_database: RolledBackDatabase) -> None:
    async def slow(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(2)
        return web.json_response({})

    async with http_upstream(slow) as url, catalog_at(url, tokens, gateway_database, retries=0) as client:
        body = assert_problem(await client.get("/api/v1/procedures"), 504, "upstream_timeout")
        assert body["upstream"] == "procedure-catalog"


async def test_garbage_from_a_service_is_502(tokens: TokenFactory, gateway_database: RolledBackDatabase) -> None:
    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"this is not HTTP\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(garbage, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with catalog_at(f"http://127.0.0.1:{port}", tokens, gateway_database, retries=0) as client:
            assert_problem(await client.get("/api/v1/procedures"), 502, "bad_gateway")
    finally:
        server.close()
        await server.wait_closed()


async def test_an_idempotent_request_the_service_never_saw_is_retried(
    tokens: TokenFactory, gateway_database: RolledBackDatabase
) -> None:
    """A connection dropped before any answer (a restart, a stale keep-alive): GET is tried again, POST never."""
    seen: list[str] = []

    async def flaky(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        method = head.split(b" ", 1)[0].decode()
        seen.append(method)
        if method == "POST" or seen == ["GET"]:
            writer.close()  # dropped without an answer
            return
        writer.write(
            b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"
        )
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(flaky, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        async with catalog_at(url, tokens, gateway_database, retries=2) as client:
            assert (await client.get("/api/v1/procedures")).status_code == 200
            assert seen == ["GET", "GET"]
            seen.clear()
            response = await client.post("/api/v1/procedures", json={}, headers=tokens.headers("catalog_editor"))
            assert_problem(response, 502)
            assert seen == ["POST"]  # a POST is never sent twice
    finally:
        server.close()
        await server.wait_closed()


async def test_the_circuit_opens_answers_at_once_and_closes_when_the_service_is_back(
    tokens: TokenFactory, gateway_database: RolledBackDatabase
) -> None:
    url = closed_port()
    async with catalog_at(
        url, tokens, gateway_database, retries=0, breaker_failures=3, breaker_reset_seconds=2.0
    ) as client:
        for _ in range(3):
            assert_problem(await client.get("/api/v1/procedures"), 503, "upstream_unavailable")
        opened = await client.get("/api/v1/procedures")
        body = assert_problem(opened, 503, "upstream_unavailable")
        assert "circuit is open" in body["detail"]
        assert body["upstream"] == "procedure-catalog"
        assert int(opened.headers["retry-after"]) >= 1
        assert (await client.get("/readyz")).json()["checks"]["procedure-catalog"]["detail"].startswith("circuit open")
        assert (await client.get("/api/v1/tracking/SNGV-260101-0001")).status_code == 200  # another service, untouched

        # The service comes back on the same port; after the reset period one trial closes the circuit.
        port = int(url.rsplit(":", 1)[1])
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", ok)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            await asyncio.sleep(2.05)
            assert (await client.get("/api/v1/procedures")).status_code == 200
            assert (await client.get("/api/v1/procedures")).status_code == 200
        finally:
            await runner.cleanup()


async def test_bodies_stream_both_ways_and_links_point_at_the_public_url(
    tokens: TokenFactory, gateway_database: RolledBackDatabase
) -> None:
    big = b"x" * (600 * 1024)  # above the size the gateway reads whole

    async def service(request: web.Request) -> web.StreamResponse:
        if request.method == "POST":
            received = await request.read()
            base = f"http://{request.host}"
            return web.json_response(
                {"length": len(received), "chunked": request.headers.get("Transfer-Encoding") == "chunked"},
                status=201,
                headers={
                    "Location": f"{base}/api/v1/procedures/9.1",
                    "Link": f'<{base}/api/v1/procedures?page=2>; rel="next"',
                    "Connection": "keep-alive",
                },
            )
        response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
        await response.prepare(request)
        for _ in range(4):
            await response.write(big)
        await response.write_eof()
        return response

    async with http_upstream(service) as url, catalog_at(url, tokens, gateway_database) as client:
        streamed = await client.get("/api/v1/procedures/export")
        assert streamed.status_code == 200
        assert len(streamed.content) == 4 * len(big)
        created = await client.post(
            "/api/v1/procedures",
            content=big,
            headers={**tokens.headers("catalog_editor"), "Content-Type": "application/json"},
        )
        assert created.status_code == 201
        assert created.json() == {"length": len(big), "chunked": False}
        assert created.headers["location"] == "https://dichvucong.example.vn/api/v1/procedures/9.1"
        assert created.headers["link"] == '<https://dichvucong.example.vn/api/v1/procedures?page=2>; rel="next"'
        assert "keep-alive" not in created.headers.get("connection", "")


async def test_query_strings_and_encoded_paths_reach_the_service_untouched(
    tokens: TokenFactory, gateway_database: RolledBackDatabase
) -> None:
    async def raw(request: web.Request) -> web.StreamResponse:
        return web.json_response({"raw": request.raw_path})

    async with http_upstream(raw) as url, catalog_at(url, tokens, gateway_database) as client:
        response = await client.get("/api/v1/procedures?q=th%E1%BA%BB%20%C4%91i&size=5")
        assert response.json() == {"raw": "/api/v1/procedures?q=th%E1%BA%BB%20%C4%91i&size=5"}
        request = client.build_request("GET", "/api/v1/procedures/1.000948")
        request.url = request.url.copy_with(raw_path=b"/api/v1/procedures/1%2E000948")
        assert (await client.send(request)).json() == {"raw": "/api/v1/procedures/1%2E000948"}


async def test_an_answer_cut_short_before_the_gateway_replied_is_a_502(
    tokens: TokenFactory, gateway_database: RolledBackDatabase
) -> None:
    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly part")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(cut, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        async with catalog_at(url, tokens, gateway_database) as client:
            body = assert_problem(await client.get("/api/v1/procedures"), 502, "bad_gateway")
            assert body["upstream"] == "procedure-catalog"
    finally:
        server.close()
        await server.wait_closed()
