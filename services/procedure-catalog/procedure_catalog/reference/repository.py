"""All SQL about the reference lists."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from procedure_catalog.models import Agency, Field

Reference = TypeVar("Reference", Field, Agency)


class ReferenceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, model: type[Reference], code: str) -> Reference | None:
        return await self.session.scalar(select(model).where(model.code == code))

    async def get_many(self, model: type[Reference], codes: Iterable[str]) -> dict[str, Reference]:
        wanted = list(dict.fromkeys(codes))
        found: dict[str, Reference] = {}
        for start in range(0, len(wanted), 500):
            rows = await self.session.scalars(select(model).where(model.code.in_(wanted[start : start + 500])))
            found.update({row.code: row for row in rows})
        return found

    async def all(self, model: type[Reference]) -> Sequence[Reference]:
        return (await self.session.scalars(select(model).order_by(model.code))).all()

    async def add(self, entry: Reference) -> Reference:
        self.session.add(entry)
        await self.session.flush()
        return entry

    async def add_many(self, model: type[Reference], rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(insert(model), list(rows))

    async def flush(self) -> None:
        await self.session.flush()
