"""Alembic, driven from code: each service keeps its own history in ``<package>/migrations``.

A service's ``migrations/env.py`` is two lines: it calls :func:`run_env` with the service metadata.
The same history runs on SQLite (with batch mode, since SQLite alters tables by copying them) and
on PostgreSQL. Callers inside an event loop (the app, the tests) use :func:`upgrade_engine`, which
runs Alembic on a connection they already hold; the command line uses :func:`upgrade`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from functools import cache
from typing import Any

from alembic import command, context
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from motcua_kit.db import create_engine, normalise_url
from motcua_kit.settings import DatabaseSettings

FILE_TEMPLATE = "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s"


def alembic_config(script_location: str, url: str | None = None) -> Config:
    """An Alembic config for ``script_location`` (e.g. ``procedure_catalog:migrations``)."""
    config = Config()
    config.set_main_option("script_location", script_location)
    config.set_main_option("file_template", FILE_TEMPLATE)
    config.set_main_option("timezone", "UTC")
    # New revisions are formatted like the rest of the code.
    config.set_section_option("post_write_hooks", "hooks", "ruff_fix, ruff_format")
    config.set_section_option("post_write_hooks", "ruff_fix.type", "module")
    config.set_section_option("post_write_hooks", "ruff_fix.module", "ruff")
    config.set_section_option("post_write_hooks", "ruff_fix.options", "check --fix REVISION_SCRIPT_FILENAME")
    config.set_section_option("post_write_hooks", "ruff_format.type", "module")
    config.set_section_option("post_write_hooks", "ruff_format.module", "ruff")
    config.set_section_option("post_write_hooks", "ruff_format.options", "format REVISION_SCRIPT_FILENAME")
    if url is not None:
        config.set_main_option(
            "sqlalchemy.url", normalise_url(url).render_as_string(hide_password=False).replace("%", "%%")
        )
    return config


def run_env(metadata: MetaData, *, unmanaged: Collection[str] = ()) -> None:
    """The body of every service's ``env.py``.

    ``unmanaged`` names tables, columns and indexes that migrations create by hand and the models do
    not describe (a SQLite FTS5 table, a PostgreSQL-only generated column and its index);
    autogenerate leaves them, and any table whose name starts with one of them followed by ``_``
    (FTS5 shadow tables), alone instead of proposing to drop them.
    """
    config = context.config
    config.attributes["unmanaged"] = tuple(unmanaged)
    connection: Connection | None = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection, metadata)
        return
    if context.is_offline_mode():
        context.configure(
            url=config.get_main_option("sqlalchemy.url"),
            target_metadata=metadata,
            literal_binds=True,
            render_as_batch=True,
            include_name=_include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL given to the migration environment")
    asyncio.run(_run_online(url, metadata))


async def _run_online(url: str, metadata: MetaData) -> None:
    engine = create_engine(DatabaseSettings(url=url))
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_on, metadata)
            await connection.commit()
    finally:
        await engine.dispose()


def _include_name(name: str | None, type_: str, _parents: Any) -> bool:
    unmanaged: tuple[str, ...] = context.config.attributes.get("unmanaged", ())
    if name is None or type_ not in {"table", "column", "index"}:
        return True
    if type_ != "table":
        return name not in unmanaged
    return not any(name == table or name.startswith(table + "_") for table in unmanaged)


def _run_on(connection: Connection, metadata: MetaData) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def upgrade(script_location: str, url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` (blocking; for command-line use)."""
    command.upgrade(alembic_config(script_location, url), revision)


async def upgrade_engine(engine: AsyncEngine, script_location: str, revision: str = "head") -> None:
    """Migrate through an engine the caller already has, from inside an event loop."""
    config = alembic_config(script_location)

    def run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.connect() as connection:
        await connection.run_sync(run)
        await connection.commit()


@cache
def head_revisions(script_location: str) -> frozenset[str]:
    return frozenset(ScriptDirectory.from_config(alembic_config(script_location)).get_heads())


@cache
def known_revisions(script_location: str) -> frozenset[str]:
    """Every revision of this code's history (a database at a revision outside it was migrated by newer code)."""
    script = ScriptDirectory.from_config(alembic_config(script_location))
    return frozenset(revision.revision for revision in script.walk_revisions())


async def current_revisions(connection: AsyncConnection) -> frozenset[str]:
    """The revisions recorded in the database (empty before the first migration)."""
    try:
        rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
    except DBAPIError:
        return frozenset()
    return frozenset(str(row[0]) for row in rows)


def make_revision(script_location: str, url: str, message: str, *, autogenerate: bool = True) -> Any:
    return command.revision(alembic_config(script_location, url), message=message, autogenerate=autogenerate)
