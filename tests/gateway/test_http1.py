"""The gateway's HTTP/1.1 client against servers that write exact bytes on real loopback sockets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
import uvloop

from motcua_gateway import http1
from motcua_gateway.config import UpstreamSettings
from motcua_gateway.http1 import HttpTransport
from motcua_gateway.upstream_errors import UpstreamBroken, UpstreamTimeout, UpstreamUnavailable

Serve = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class Server:
    def __init__(self) -> None:
        self.connections = 0
        self.requests: list[bytes] = []


@asynccontextmanager
async def raw_server(serve: Serve) -> AsyncIterator[tuple[str, Server]]:
    state = Server()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        state.connections += 1
        try:
            await serve(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", state
    finally:
        server.close()
        await server.wait_closed()


async def read_request(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    """The head of a request and its body (by Content-Length, or chunked)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lower = head.lower()
    if b"content-length:" in lower:
        length = int(lower.split(b"content-length:")[1].split(b"\r\n")[0])
        return head, await reader.readexactly(length)
    body = b""
    if b"transfer-encoding: chunked" in lower:
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            body += chunk[:-2]
    return head, body


def transport_for(url: str, **settings: float) -> HttpTransport:
    return HttpTransport(url, UpstreamSettings(url=url, **settings))


def ok(body: bytes = b"{}", extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n%b\r\n%b" % (len(body), extra, body)


async def keep_alive(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while True:
        _head, body = await read_request(reader)
        writer.write(ok(b'{"echo": %d}' % len(body)))
        await writer.drain()


async def test_connections_are_kept_alive_and_reused() -> None:
    async with raw_server(keep_alive) as (url, server):
        transport = transport_for(url)
        for _ in range(3):
            async with transport.request("GET", b"/x?q=1", [(b"accept", b"application/json")], None) as response:
                assert response.status == 200
                assert await response.read() == b'{"echo": 0}'
        assert server.connections == 1
        await transport.aclose()


async def test_a_connection_idle_too_long_is_not_reused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http1, "KEEPALIVE_SECONDS", 0.0)
    async with raw_server(keep_alive) as (url, server):
        transport = transport_for(url)
        for _ in range(2):
            async with transport.request("GET", b"/", [], None) as response:
                await response.read()
        assert server.connections == 2
        await transport.aclose()


async def test_connection_close_chunked_and_eof_delimited_answers() -> None:
    answers = iter(
        [
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok",
            b"HTTP/1.1 200 OK\r\n\r\nuntil the end",
        ]
    )

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            await read_request(reader)
            answer = next(answers)
            writer.write(answer)
            await writer.drain()
            if b"chunked" not in answer:
                writer.close()
                return

    async with raw_server(serve) as (url, server):
        transport = transport_for(url)
        bodies = []
        for _ in range(3):
            async with transport.request("GET", b"/", [], None) as response:
                bodies.append(await response.read())
        assert bodies == [b"hello world", b"ok", b"until the end"]
        assert server.connections == 2  # kept after the chunked answer, closed after "connection: close"
        await transport.aclose()


async def test_head_204_and_interim_answers_have_no_body() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head, _ = await read_request(reader)
            if head.startswith(b"HEAD"):
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n")
            elif b"/empty" in head:
                writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
            else:
                writer.write(b"HTTP/1.1 100 Continue\r\n\r\n" + ok(b"after"))
            await writer.drain()

    async with raw_server(serve) as (url, _server):
        transport = transport_for(url, read_timeout_seconds=1.0)
        async with transport.request("HEAD", b"/", [], None) as response:
            assert (response.status, await response.read()) == (200, b"")
        async with transport.request("DELETE", b"/empty", [], None) as response:
            assert (response.status, await response.read()) == (204, b"")
        async with transport.request("GET", b"/", [], None) as response:
            assert (response.status, await response.read()) == (200, b"after")
        await transport.aclose()


async def test_request_bodies_whole_or_streamed() -> None:
    seen: list[tuple[bytes, bytes]] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            seen.append(await read_request(reader))
            writer.write(ok())
            await writer.drain()

    async def parts() -> AsyncIterator[bytes]:
        for n in range(50):
            yield b"%d," % n
            await asyncio.sleep(0)

    big = b"z" * (3 * 1024 * 1024)

    async def large() -> AsyncIterator[bytes]:
        for start in range(0, len(big), 65536):
            yield big[start : start + 65536]

    async with raw_server(serve) as (url, _server):
        transport = transport_for(url)
        async with transport.request("POST", b"/a", [(b"content-length", b"5")], b"hello") as response:
            assert response.status == 200
        async with transport.request("POST", b"/b", [], parts()) as response:
            assert response.status == 200
        async with transport.request("PUT", b"/c", [(b"content-length", b"%d" % len(big))], large()) as response:
            assert response.status == 200
        await transport.aclose()
    assert seen[0][1] == b"hello"
    assert b"transfer-encoding: chunked" in seen[1][0]
    assert seen[1][1] == b"".join(b"%d," % n for n in range(50))
    assert seen[2][1] == big


async def test_large_answers_stream_with_back_pressure() -> None:
    size = 6 * 1024 * 1024

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % size)
        for _ in range(size // 65536):
            writer.write(b"y" * 65536)
            await writer.drain()

    async with raw_server(serve) as (url, _server):
        transport = transport_for(url)
        received = 0
        async with transport.request("GET", b"/", [], None) as response:
            async for chunk in response.chunks():
                received += len(chunk)
                await asyncio.sleep(0.001)  # a slow client
        assert received == size
        await transport.aclose()


async def test_failures_map_to_the_three_upstream_errors() -> None:
    refused = transport_for("http://127.0.0.1:1")
    with pytest.raises(UpstreamUnavailable):
        async with refused.request("GET", b"/", [], None):
            pass

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await asyncio.sleep(5)

    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"SMTP ready\r\n\r\n")
        await writer.drain()

    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly part")
        await writer.drain()

    async with raw_server(silent) as (url, _server):
        with pytest.raises(UpstreamTimeout):
            async with transport_for(url, read_timeout_seconds=0.2).request("GET", b"/", [], None):
                pass
    async with raw_server(garbage) as (url, _server):
        with pytest.raises(UpstreamBroken) as broken:
            async with transport_for(url).request("GET", b"/", [], None):
                pass
        assert broken.value.before_response
    async with raw_server(cut) as (url, _server):
        transport = transport_for(url)
        with pytest.raises(UpstreamBroken) as broken:
            async with transport.request("GET", b"/", [], None) as response:
                await response.read()
        assert not broken.value.before_response
        await transport.aclose()


async def test_the_pool_never_opens_more_than_its_limit() -> None:
    release = asyncio.Event()

    async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await release.wait()
        writer.write(ok())
        await writer.drain()

    async with raw_server(slow) as (url, server):
        transport = transport_for(url, max_connections=1, connect_timeout_seconds=0.2)

        async def one() -> int:
            async with transport.request("GET", b"/", [], None) as response:
                return response.status

        first = asyncio.ensure_future(one())
        await asyncio.sleep(0.05)
        with pytest.raises(UpstreamUnavailable, match="no free connection"):
            await one()
        release.set()
        assert await first == 200
        assert server.connections == 1
        await transport.aclose()


def test_it_runs_on_uvloop_as_in_production() -> None:
    async def scenario() -> bytes:
        async with raw_server(keep_alive) as (url, _server):
            transport = transport_for(url)
            async with transport.request("POST", b"/", [(b"content-length", b"3")], b"abc") as response:
                body = await response.read()
            await transport.aclose()
            return body

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        assert runner.run(scenario()) == b'{"echo": 3}'
