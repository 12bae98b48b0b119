"""Creating, changing, rotating and revoking the keys of system clients. Never commits."""

from __future__ import annotations

import datetime as dt

from motcua_gateway.apiclients.repository import ApiClientRepository
from motcua_gateway.apiclients.rules import hash_key, new_key, plan_rotation, ungrantable_roles
from motcua_gateway.apiclients.schemas import ApiClientCreate, ApiClientUpdate
from motcua_gateway.models import ApiClient, ApiKey
from motcua_kit.auth import Role
from motcua_kit.db import utcnow
from motcua_kit.errors import Conflict, FieldError, NotFound, ServiceUnavailable, UnprocessableContent


def _check_grantable(roles: list[Role]) -> None:
    refused = ungrantable_roles(roles)
    if refused:
        raise UnprocessableContent(
            "An API client cannot hold these roles.",
            code="role_not_grantable",
            errors=[
                FieldError(field="roles", message=f"not grantable: {', '.join(refused)}", type="role_not_grantable")
            ],
        )


class ApiClientService:
    def __init__(self, repository: ApiClientRepository, *, pepper: str | None, grace: dt.timedelta) -> None:
        self.repository = repository
        self.pepper = pepper
        self.grace = grace

    def _pepper(self) -> str:
        if self.pepper is None:
            raise ServiceUnavailable(
                "API keys are not enabled on this gateway (GATEWAY_API_KEYS__PEPPER is unset).",
                code="api_keys_disabled",
            )
        return self.pepper

    def _issue(self, client: ApiClient) -> tuple[ApiKey, str]:
        fresh = new_key()
        return ApiKey(key_id=fresh.key_id, secret_hash=hash_key(self._pepper(), fresh.api_key)), fresh.api_key

    async def list(self) -> list[ApiClient]:
        return await self.repository.list()

    async def get(self, name: str) -> ApiClient:
        client = await self.repository.by_name(name)
        if client is None:
            raise NotFound(f"No API client named {name!r}.", code="api_client_not_found")
        return client

    async def create(self, body: ApiClientCreate) -> tuple[ApiClient, ApiKey, str]:
        _check_grantable(body.roles)
        self._pepper()
        if await self.repository.by_name(body.name) is not None:
            raise Conflict(f"An API client named {body.name!r} exists.", code="api_client_exists")
        client = await self.repository.add(
            ApiClient(
                name=body.name,
                display_name=body.display_name,
                roles=sorted({r.value for r in body.roles}),
                agency=body.agency,
                enabled=True,
            )
        )
        key, api_key = self._issue(client)
        await self.repository.add_key(client, key)
        return client, key, api_key

    async def update(self, name: str, body: ApiClientUpdate) -> ApiClient:
        client = await self.get(name)
        if body.roles is not None:
            _check_grantable(body.roles)
            client.roles = sorted({r.value for r in body.roles})
        if body.display_name is not None:
            client.display_name = body.display_name
        if "agency" in body.model_fields_set:
            client.agency = body.agency
        if body.enabled is not None:
            client.enabled = body.enabled
        await self.repository.flush()
        return client

    async def rotate(self, name: str, grace_hours: float | None) -> tuple[ApiClient, ApiKey, str]:
        """A new key; the current one works for the grace period, an older one stops now."""
        client = await self.get(name)
        now = utcnow()
        plan = plan_rotation(client.keys, now)
        grace = self.grace if grace_hours is None else dt.timedelta(hours=grace_hours)
        for key in plan.revoke:
            key.revoked_at = now
        for key in plan.expire:
            key.expires_at = now + grace
        key, api_key = self._issue(client)
        await self.repository.add_key(client, key)
        return client, key, api_key

    async def revoke(self, name: str, key_id: str) -> None:
        client = await self.get(name)
        key = next((k for k in client.keys if k.key_id == key_id), None)
        if key is None:
            raise NotFound(f"Client {name!r} has no key {key_id!r}.", code="api_key_not_found")
        if key.revoked_at is None:
            key.revoked_at = utcnow()
            await self.repository.flush()
