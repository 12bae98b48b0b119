"""A small application built only from the kit, to test what every service inherits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any, ClassVar

import httpx
import pytest
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict
from sqlalchemy import Integer, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from motcua_kit.app import create_service_app
from motcua_kit.auth import CurrentPrincipal, Principal, Role, require_roles
from motcua_kit.db import Database, DBSession, new_metadata
from motcua_kit.errors import Conflict, problem_responses
from motcua_kit.pagination import Page, Pagination, Sortable, SortKey, apply_sort, page_of, paginate, sort_param
from motcua_kit.settings import DatabaseSettings, ServiceSettings
from motcua_kit.testing import TokenFactory, api_client


class Base(DeclarativeBase):
    metadata = new_metadata()


class Item(Base):
    __tablename__ = "items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)


class ItemIn(BaseModel):
    name: str = Field(min_length=1, max_length=50)
    quantity: int = Field(ge=0)


class ItemOut(BaseModel):
    id: int
    name: str


class KitSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KITTEST_")
    service_name: ClassVar[str] = "kit-test"


router = APIRouter(prefix="/items", tags=["items"])
SORTABLE: dict[str, Sortable] = {"name": Item.name, "id": Item.id}


@router.get("")
async def list_items(
    *,
    session: DBSession,
    page: Pagination,
    sort: Annotated[list[SortKey], sort_param(list(SORTABLE), default="id")],
    name: Annotated[str | None, Query(max_length=10)] = None,
    window: bool = False,
    columns: bool = False,
) -> Page[ItemOut]:
    # Entities, or rows of columns (``columns``): both have .id and .name.
    selected: list[Any] = [Item.id, Item.name] if columns else [Item]
    statement = select(*selected)
    if name:
        statement = statement.where(Item.name == name)
    sorted_statement = apply_sort(statement, sort, SORTABLE)
    rows, total = await paginate(session, sorted_statement, page, rows=columns, window_count=window)
    return page_of(rows, total, page, lambda r: ItemOut(id=r.id, name=r.name))


@router.post("", status_code=201, responses=problem_responses(409))
async def create_item(
    body: ItemIn,
    session: DBSession,
    _principal: Annotated[Principal, require_roles(Role.CATALOG_EDITOR)],
) -> ItemOut:
    if await session.scalar(select(Item).where(Item.name == body.name)):
        raise Conflict("That name is taken.", code="duplicate_item")
    item = Item(name=body.name)
    session.add(item)
    await session.flush()
    return ItemOut(id=item.id, name=item.name)


@router.post("/unchecked", status_code=201)
async def create_unchecked(body: ItemIn, session: DBSession) -> dict[str, str]:
    """Relies on the unique constraint alone, as code racing another writer would."""
    session.add(Item(name=body.name))
    return {"name": body.name}


@router.post("/then-fail", status_code=201)
async def create_then_fail(body: ItemIn, session: DBSession) -> ItemOut:
    session.add(Item(name=body.name))
    await session.flush()
    raise RuntimeError("boom after a write")


@router.get("/whoami")
async def whoami(principal: CurrentPrincipal) -> dict[str, Any]:
    return {"subject": principal.subject, "roles": sorted(principal.roles), "agency": principal.agency}


@router.get("/boom")
async def boom() -> dict[str, str]:
    raise RuntimeError("secret internal detail 0905123456")


@pytest.fixture
async def kit_database(tmp_path: Any) -> AsyncIterator[Database]:
    database = Database.from_settings(DatabaseSettings(url=f"sqlite:///{tmp_path}/kit.db"))
    async with database.engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    yield database
    await database.dispose()


@pytest.fixture
def kit_settings(tokens: TokenFactory) -> KitSettings:
    return KitSettings(_env_file=None, environment="test", auth=tokens.auth_settings(), max_body_bytes=2048)


@pytest.fixture
async def kit_client(kit_database: Database, kit_settings: KitSettings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_service_app(
        settings=kit_settings,
        title="kit test",
        version="0",
        description="kit test",
        routers=[router],
        database=kit_database,
        body_limits={"/api/v1/items/unchecked": 20_000},
    )
    async with api_client(app) as client:
        yield client
