"""Page and sort parameters, the ``Page[T]`` envelope, and a paginated query runner.

A list answers ``{"items": [...], "total": N, "page": p, "size": s}``. ``size`` is capped at
:data:`MAX_PAGE_SIZE`. Sorting is ``?sort=field,-other`` over an explicit allow-list per list; an
unknown field is a 422 naming ``sort`` (the allow-list is a pattern in the OpenAPI document).
"""

# No `from __future__ import annotations` here: FastAPI must see the closure's Query() annotation.

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from fastapi.params import Depends as DependsParam
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(ge=0, description="Items matching the filters, over all pages.")
    page: int = Field(ge=1)
    size: int = Field(ge=1, le=MAX_PAGE_SIZE)


@dataclass(frozen=True, slots=True)
class PageParams:
    page: int = 1
    size: int = DEFAULT_PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


async def _page_params(
    page: Annotated[int, Query(ge=1, le=1_000_000, description="Page number, from 1.")] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page.")] = DEFAULT_PAGE_SIZE,
) -> PageParams:
    return PageParams(page=page, size=size)


Pagination = Annotated[PageParams, Depends(_page_params)]


@dataclass(frozen=True, slots=True)
class SortKey:
    name: str
    descending: bool


def sort_param(allowed: Sequence[str], default: str) -> DependsParam:
    """A `sort` query parameter over ``allowed`` field names; ``-name`` sorts descending."""
    description = f"Comma-separated fields, `-` for descending. Allowed: {', '.join(allowed)}."
    one = "[-+]?(?:" + "|".join(re.escape(a) for a in allowed) + ")"
    pattern = f"^{one}(?:,{one})*$"

    async def dependency(
        sort: Annotated[str, Query(description=description, max_length=200, pattern=pattern)] = default,
    ) -> list[SortKey]:
        # The pattern has already limited `sort` to allowed names, so every part is valid here.
        return [SortKey(name=part.lstrip("-+"), descending=part.startswith("-")) for part in sort.split(",") if part]

    param: DependsParam = Depends(dependency)
    return param


Sortable = ColumnElement[Any] | InstrumentedAttribute[Any]


def apply_sort(statement: Select[Any], keys: Sequence[SortKey], columns: Mapping[str, Sortable]) -> Select[Any]:
    """Order ``statement`` by the sort keys, mapped to columns."""
    return statement.order_by(*[columns[k.name].desc() if k.descending else columns[k.name].asc() for k in keys])


async def paginate(
    session: AsyncSession,
    statement: Select[Any],
    params: PageParams,
    *,
    rows: bool = False,
    window_count: bool = False,
) -> tuple[Sequence[Any], int]:
    """Run one page of ``statement`` and the total count of its rows.

    The page holds the first column of each row (an ORM entity, usually), or with ``rows`` whole
    rows (a select of columns; with ``window_count`` they carry the count as a last column).

    The page comes first: when it is not full and not past the end, it is the last one and the
    total is known without counting (a narrow search, the last page of a list). Otherwise a count
    runs over the same rows. With ``window_count`` the count rides on the page itself
    (``count(*) OVER ()``): one statement where the rows are costly to find twice (a ranked search on
    PostgreSQL). SQLite refuses it beside FTS5's ``bm25()``.
    """
    page = statement.limit(params.size).offset(params.offset)
    if window_count:
        rows_and_totals = (await session.execute(page.add_columns(func.count().over()))).all()
        found: Sequence[Any] = rows_and_totals if rows else [row[0] for row in rows_and_totals]
        if rows_and_totals:
            return found, int(rows_and_totals[0][-1])
    elif rows:
        found = (await session.execute(page)).all()
    else:
        found = (await session.scalars(page)).all()
    if 0 < len(found) < params.size or (not found and params.offset == 0):
        return found, params.offset + len(found)
    total = await session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    return found, int(total or 0)


def page_of(rows: Sequence[Any], total: int, params: PageParams, convert: Callable[[Any], T]) -> Page[T]:
    return Page[T](items=[convert(r) for r in rows], total=total, page=params.page, size=params.size)
