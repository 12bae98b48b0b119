"""All SQL of API clients and keys."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua_gateway.models import ApiClient, ApiKey


class ApiClientRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list(self) -> list[ApiClient]:
        return list((await self.session.scalars(select(ApiClient).order_by(ApiClient.name))).all())

    async def by_name(self, name: str) -> ApiClient | None:
        client: ApiClient | None = await self.session.scalar(select(ApiClient).where(ApiClient.name == name))
        return client

    async def key_by_id(self, key_id: str) -> ApiKey | None:
        key: ApiKey | None = await self.session.scalar(select(ApiKey).where(ApiKey.key_id == key_id))
        return key

    async def add(self, client: ApiClient) -> ApiClient:
        self.session.add(client)
        await self.session.flush()
        await self.session.refresh(client, ["keys"])
        return client

    async def add_key(self, client: ApiClient, key: ApiKey) -> None:
        client.keys.append(key)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()
