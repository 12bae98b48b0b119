"""Database access shared by the services: metadata conventions, column types, engine and sessions.

One request is one transaction: the :data:`DBSession` dependency opens a session, the route and its
service only ``flush()``, and the dependency commits before the response is sent (FastAPI's
``scope="function"``), so a response that says "created" is never sent for a write that did not
commit. On error it rolls back.

SQLite is the embedded default. Python's sqlite3 driver opens transactions lazily with a plain
``BEGIN``; a read transaction that later writes can then fail at once with "database is locked"
instead of waiting. We take over ``BEGIN`` ourselves: requests that may write start with
``BEGIN IMMEDIATE`` (waiting up to ``busy_timeout`` for the single writer slot), reads start with a
plain ``BEGIN``. WAL mode lets readers proceed while one connection writes.

SQLite has one writer at a time, and a writer that finds the slot taken sleeps and polls (its busy
handler backs off up to 100 ms between tries), so under load a write could wait behind writers that
arrived after it: ten clients answering surveys saw a median of 37 ms and a p99 of 3 s. Within a
process, writers therefore queue first on an ``asyncio.Lock`` (first come, first served) and take the
slot only when their turn comes, without holding a pooled connection while they wait; a process
sharing the file (the event dispatcher, the command line) still meets them through ``busy_timeout``.
A writer that waits in the queue longer than ``busy_timeout`` gets 503 ``database_busy``, as one
that waits on the file does.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import JSON, DateTime, Enum, MetaData, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import URL, Connection, ExceptionContext, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.types import TypeDecorator

from motcua_kit.errors import DatabaseUnavailable, ServiceUnavailable
from motcua_kit.settings import DatabaseSettings

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_IMMEDIATE = "motcua_sqlite_immediate"
# A Database built from an engine alone waits in the writers' queue as long as the settings' default.
_WRITER_WAIT_SECONDS: float = DatabaseSettings.model_fields["sqlite_busy_timeout_ms"].default / 1000


def new_metadata() -> MetaData:
    """A metadata object with the shared naming convention (each service has its own)."""
    return MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware instant, stored in UTC on every backend.

    SQLite has no time zone type and hands back naive values; they are UTC by construction, so we
    attach UTC on the way out. Naive values on the way in are a programming error.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def str_enum(enum_class: type[StrEnum], length: int = 32) -> Enum:
    """Store a StrEnum by its values (not its member names) in a plain string column."""
    return Enum(
        enum_class,
        native_enum=False,
        length=length,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
        create_constraint=False,
    )


# JSONB on PostgreSQL (indexable, compact), JSON text on SQLite.
JSONDocument = JSON().with_variant(JSONB(), "postgresql")


def normalise_url(raw: str) -> URL:
    """Accept `sqlite:///...` and `postgresql://...` and add the async driver."""
    url = make_url(raw)
    if url.drivername in {"sqlite", "sqlite+pysqlite"}:
        url = url.set(drivername="sqlite+aiosqlite")
    elif url.drivername in {"postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg"}:
        url = url.set(drivername="postgresql+asyncpg")
    return url


def is_sqlite(url: URL | str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(settings: DatabaseSettings) -> AsyncEngine:
    """An async engine configured for the backend the URL names."""
    url = normalise_url(settings.url)
    if is_sqlite(url):
        in_memory = url.database in {None, "", ":memory:"}
        pool_options = {} if in_memory else {"pool_timeout": settings.pool_timeout_seconds}
        engine = create_async_engine(url, echo=settings.echo, **pool_options)
        _configure_sqlite(
            engine,
            synchronous=settings.sqlite_synchronous,
            busy_timeout_ms=settings.sqlite_busy_timeout_ms,
            mmap_bytes=settings.sqlite_mmap_mb * 1024 * 1024,
        )
        return engine
    server_settings = {"application_name": "motcua"}
    if settings.statement_timeout_ms:
        server_settings["statement_timeout"] = str(settings.statement_timeout_ms)
    engine = create_async_engine(
        url,
        echo=settings.echo,
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        pool_timeout=settings.pool_timeout_seconds,
        pool_pre_ping=True,
        connect_args={
            "server_settings": server_settings,
            "timeout": settings.connect_timeout_seconds,
            "command_timeout": settings.command_timeout_seconds,
        },
    )
    event.listen(engine.sync_engine, "handle_error", _lost_connection)
    return engine


def _lost_connection(context: ExceptionContext) -> DatabaseUnavailable | None:
    """A command that timed out or whose connection broke: drop the connection, answer 503.

    asyncpg raises a timeout as a plain ``TimeoutError`` and a cut connection as a bare DBAPI
    ``Error``; neither is one of the classes the problem handlers map, and SQLAlchemy does not
    see the timeout as a disconnect, so the connection would go back to the pool mid-command.
    A pre-ping is left to the pool, which replaces a dead connection by itself.
    """
    if context.is_pre_ping:
        return None
    if not (isinstance(context.original_exception, TimeoutError | OSError) or context.is_disconnect):
        return None
    context.is_disconnect = True
    # A COMMIT may have reached the server before the answer was lost: the outcome is unknown.
    return DatabaseUnavailable(
        "The database stopped answering; the change may or may not have been recorded. Read it back, or"
        " retry with the same Idempotency-Key where the route takes one."
    )


def _configure_sqlite(engine: AsyncEngine, *, synchronous: str, busy_timeout_ms: int, mmap_bytes: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Stop the driver from issuing BEGIN itself; `_on_begin` does it (see module docstring).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms:d}")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        # SQLite's own page cache is 2 MB per connection: a search joining a thousand rows of a 30 MB
        # catalogue missed it on most pages and read each one with a system call (4-5x slower).
        cursor.execute(f"PRAGMA mmap_size={mmap_bytes:d}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def dialect_insert(session: AsyncSession) -> Any:
    """The INSERT construct of the session's backend, for ``ON CONFLICT`` upserts (both support it)."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


class Database:
    """A service's engine and session factory; lives on ``app.state.database``."""

    def __init__(self, engine: AsyncEngine, *, writer_wait_seconds: float = _WRITER_WAIT_SECONDS) -> None:
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"
        self.sessionmaker = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
        self.writer_wait_seconds = writer_wait_seconds
        self._writers: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None

    @classmethod
    def from_settings(cls, settings: DatabaseSettings) -> Database:
        return cls(create_engine(settings), writer_wait_seconds=settings.sqlite_busy_timeout_ms / 1000)

    @asynccontextmanager
    async def _writer_turn(self, write: bool) -> AsyncIterator[None]:
        """On SQLite, a write waits for its turn in this process's queue (see the module docstring)."""
        if not (write and self.sqlite):
            yield
            return
        loop = asyncio.get_running_loop()
        if self._writers is None or self._writers[0] is not loop:
            # A lock serves one event loop; tests run several in turn against one database.
            self._writers = (loop, asyncio.Lock())
        queue = self._writers[1]
        try:
            async with asyncio.timeout(self.writer_wait_seconds):
                await queue.acquire()
        except TimeoutError:
            raise ServiceUnavailable(
                "The database is busy; retry shortly.", code="database_busy", headers={"Retry-After": "1"}
            ) from None
        try:
            yield
        finally:
            queue.release()

    @asynccontextmanager
    async def transaction(self, *, write: bool = True) -> AsyncIterator[AsyncSession]:
        """A session in one transaction: committed when the block ends, rolled back on error."""
        async with self._writer_turn(write), self.sessionmaker() as session:
            try:
                # Taken at once, so a database that cannot be reached fails here, before any work.
                await session.connection(execution_options={_IMMEDIATE: True} if write and self.sqlite else None)
            except (TimeoutError, OSError) as exc:
                # Refused, unreachable, or no answer within the connect or command (pre-ping) timeout.
                raise DatabaseUnavailable() from exc
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def dispose(self) -> None:
        await self.engine.dispose()


async def _request_transaction(request: Request) -> AsyncIterator[AsyncSession]:
    database: Database = request.app.state.database
    async with database.transaction(write=request.method not in SAFE_METHODS) as session:
        yield session


DBSession = Annotated[AsyncSession, Depends(_request_transaction, scope="function")]
"""The request's session. Commits after the route returns and before the response is sent."""
