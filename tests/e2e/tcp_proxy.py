"""A TCP proxy the fault tests put between a service and PostgreSQL, to take the database away.

- ``stop()``: the database is down. The listening socket closes (new connections are refused) and
  every open connection is cut, as when the server or its host dies.
- ``partition()``: the network drops everything. Connections are still accepted, but no byte
  passes either way until ``heal()``; what was sent meanwhile is held, as TCP would retransmit it.
  Only timeouts get a client out of this one.
- ``start()`` / ``heal()``: back to normal, on the same port.

The system PostgreSQL keeps running throughout: other tests use it.
"""

from __future__ import annotations

import asyncio
import contextlib

CHUNK = 65536


class TcpProxy:
    def __init__(self, target_host: str, target_port: int, *, port: int) -> None:
        self.target = (target_host, target_port)
        self.port = port
        self._server: asyncio.Server | None = None
        self._open = asyncio.Event()
        self._open.set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Listen (again) on the proxy's port."""
        if self._server is None:
            self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port, reuse_address=True)

    async def stop(self) -> None:
        """Refuse new connections and cut every open one."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def partition(self) -> None:
        self._open.clear()

    def heal(self) -> None:
        self._open.set()

    @property
    def connections(self) -> int:
        """Open client connections (each also holds one to the database once forwarding)."""
        return len(self._tasks)

    async def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(client_writer)
        upstream_writer: asyncio.StreamWriter | None = None
        try:
            await self._open.wait()  # a partition accepts, then says nothing
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
            self._writers.add(upstream_writer)
            await asyncio.gather(self._pipe(client_reader, upstream_writer), self._pipe(upstream_reader, client_writer))
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            for writer in (client_writer, upstream_writer):
                if writer is not None:
                    self._writers.discard(writer)
                    writer.transport.abort()
            self._tasks.discard(task)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(CHUNK):
                await self._open.wait()
                writer.write(data)
                await writer.drain()
        finally:
            with contextlib.suppress(OSError):
                writer.transport.abort()
