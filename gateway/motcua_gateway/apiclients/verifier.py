"""Checking an API key on the hot path: a parse, a cached lookup by key id, one HMAC."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from motcua_gateway.apiclients.repository import ApiClientRepository
from motcua_gateway.apiclients.rules import key_matches, parse_key
from motcua_kit.auth import Role
from motcua_kit.db import Database, utcnow
from motcua_kit.errors import ServiceUnavailable, Unauthorized

_CACHE_LIMIT = 10_000


@dataclass(frozen=True, slots=True)
class ApiClientIdentity:
    """Who an API key belongs to, as the gateway forwards it."""

    name: str
    display_name: str
    roles: frozenset[Role]
    agency: str | None


@dataclass(frozen=True, slots=True)
class _Known:
    identity: ApiClientIdentity | None  # None: the client is disabled
    secret_hash: str
    valid_until: float | None  # epoch seconds; None: no expiry


def _invalid() -> Unauthorized:
    # One answer for every failure, so the answer says nothing about which keys exist.
    return Unauthorized("The API key is not valid.", code="invalid_api_key")


class ApiKeyVerifier:
    """Keys are read from the database at most every ``cache_seconds`` (revocation takes that long)."""

    def __init__(self, database: Database, *, pepper: str, cache_seconds: float) -> None:
        self.database = database
        self.pepper = pepper
        self.cache_seconds = cache_seconds
        # key id -> (what the database said, when); a miss is remembered too, so made-up keys
        # cannot make every request read the database.
        self._cache: dict[str, tuple[_Known | None, float]] = {}

    async def _load(self, key_id: str) -> _Known | None:
        async with self.database.transaction(write=False) as session:
            key = await ApiClientRepository(session).key_by_id(key_id)
            if key is None or key.revoked_at is not None:
                return None
            client = key.client
            identity = (
                ApiClientIdentity(
                    name=client.name,
                    display_name=client.display_name,
                    roles=frozenset(Role(r) for r in client.roles if r in Role.__members__.values()),
                    agency=client.agency,
                )
                if client.enabled
                else None
            )
            return _Known(identity, key.secret_hash, key.expires_at.timestamp() if key.expires_at else None)

    async def verify(self, presented: str) -> ApiClientIdentity:
        key_id = parse_key(presented)
        if key_id is None:
            raise _invalid()
        cached = self._cache.get(key_id)
        now = time.monotonic()
        if cached is None or now - cached[1] > self.cache_seconds:
            try:
                known = await self._load(key_id)
            except SQLAlchemyError as exc:
                raise ServiceUnavailable(
                    "API keys cannot be checked now; retry shortly.",
                    code="api_keys_unavailable",
                    headers={"Retry-After": "5"},
                ) from exc
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[key_id] = (known, now)
        else:
            known = cached[0]
        if known is None or not key_matches(self.pepper, presented, known.secret_hash):
            raise _invalid()
        if known.valid_until is not None and utcnow().timestamp() >= known.valid_until:
            raise _invalid()
        if known.identity is None:
            raise Unauthorized("This API client is disabled.", code="invalid_api_key")
        return known.identity

    def forget(self) -> None:
        """Drop the cache (after an operator changed a client through this gateway)."""
        self._cache.clear()
