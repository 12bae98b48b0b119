"""All SQL of the local copy of the catalogue's procedure versions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from dossier_api.models import CatalogProcedureVersion as V
from motcua_kit.db import dialect_insert, utcnow


class CatalogCopyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert(self, values: dict[str, Any]) -> None:
        """Insert a version, or overwrite the one with its code and number (a later event wins)."""
        insert = dialect_insert(self.session)
        statement = insert(V).values(**values, updated_at=utcnow())
        statement = statement.on_conflict_do_update(
            index_elements=[V.code, V.version],
            set_={
                name: statement.excluded[name]
                for name in (*values.keys(), "updated_at")
                if name not in {"code", "version"}
            },
        )
        await self.session.execute(statement)

    async def in_force(self, code: str, day: dt.date) -> V | None:
        """The version in force on ``day``: the latest to start on or before it that has not ended.

        Validity periods are the catalogue's: from ``valid_from`` (inclusive) to ``valid_until``
        (exclusive). A version whose end the copy never learnt is superseded by any later start.
        """
        statement = (
            select(V)
            .where(V.code == code, V.valid_from <= day, or_(V.valid_until.is_(None), V.valid_until > day))
            .order_by(V.valid_from.desc(), V.version.desc())
            .limit(1)
        )
        return await self.session.scalar(statement)

    async def versions(self, code: str) -> list[V]:
        statement = select(V).where(V.code == code).order_by(V.version)
        return list((await self.session.scalars(statement)).all())
