"""Bearer token verification and roles.

Tokens are JWTs from the identity provider (or from ``make token`` in development). They are
verified for signature, issuer, audience and expiry (with a small leeway); the algorithm is pinned
by configuration, so ``alg: none`` and algorithm-confusion tokens are refused. Keys come from a
JWKS URL (fetched asynchronously, cached, refetched at most every 30 s on an unknown ``kid``), a
JWKS file or inline JWKS JSON. HS256 is accepted only when explicitly enabled for development.
Further issuers can be trusted, each with its own keys (``AuthSettings.trusted_issuers``): the
gateway signs short-lived tokens for the system clients it authenticates with an API key.

Roles are read from the ``roles`` claim, or Keycloak's ``realm_access.roles``. A route states the
roles it needs with :func:`require_roles`; ``admin`` passes every role check.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, Request
from fastapi.params import Depends as DependsParam
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from motcua_kit.errors import Forbidden, ServiceUnavailable, Unauthorized
from motcua_kit.logging import get_logger
from motcua_kit.settings import AuthSettings, JwtAlgorithm

log = get_logger("motcua.auth")


class Role(StrEnum):
    CITIZEN = "citizen"
    INTERMEDIARY = "intermediary"  # an authorised organisation acting for citizens
    RECEPTION_OFFICER = "reception_officer"
    PROCESSING_OFFICER = "processing_officer"
    LEADER = "leader"
    CATALOG_EDITOR = "catalog_editor"
    SURVEY_ADMIN = "survey_admin"
    REPORTER = "reporter"
    INTEGRATION = "integration"  # system clients: the city one-stop system, the national portal
    ADMIN = "admin"


STAFF_ROLES = frozenset({Role.RECEPTION_OFFICER, Role.PROCESSING_OFFICER, Role.LEADER, Role.REPORTER, Role.ADMIN})


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling, as the verified token says."""

    subject: str
    roles: frozenset[Role]
    name: str | None = None
    agency: str | None = None
    unit: str | None = None
    client_id: str | None = None
    claims: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def has_any(self, roles: Iterable[Role]) -> bool:
        return Role.ADMIN in self.roles or any(role in self.roles for role in roles)


class KeySource:
    """Public keys by ``kid``, from a JWKS document that may be fetched and refreshed."""

    _REFETCH_INTERVAL = 30.0

    def __init__(
        self,
        *,
        jwks: Mapping[str, Any] | None = None,
        jwks_url: str | None = None,
        cache_seconds: int = 300,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self._url = jwks_url
        self._cache_seconds = cache_seconds
        self._keys: dict[str | None, jwt.PyJWK] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()
        self._client = http_client
        if jwks is not None:
            self._load(jwks)

    @property
    def configured(self) -> bool:
        return self._url is not None or bool(self._keys)

    def _load(self, document: Mapping[str, Any]) -> None:
        keys: dict[str | None, jwt.PyJWK] = {}
        for entry in document.get("keys", []):
            try:
                key = jwt.PyJWK.from_dict(dict(entry))
            except jwt.PyJWKError as exc:  # skip keys we cannot use (e.g. encryption keys)
                log.warning("jwks key skipped", reason=str(exc))
                continue
            keys[key.key_id] = key
        self._keys = keys

    async def _fetch(self) -> None:
        assert self._url is not None
        client = self._client or httpx.AsyncClient(timeout=5.0)
        try:
            response = await client.get(self._url)
            response.raise_for_status()
            self._load(response.json())
            self._fetched_at = time.monotonic()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("jwks fetch failed", error=type(exc).__name__)
            if not self._keys:
                raise ServiceUnavailable(
                    "The identity provider's keys are unavailable.", code="auth_keys_unavailable"
                ) from exc
        finally:
            if self._client is None:
                await client.aclose()

    async def key_for(self, kid: str | None) -> jwt.PyJWK | None:
        if self._url is not None:
            age = time.monotonic() - self._fetched_at
            stale = age > self._cache_seconds
            unknown = kid not in self._keys and age > self._REFETCH_INTERVAL
            if stale or unknown or not self._keys:
                async with self._lock:
                    age = time.monotonic() - self._fetched_at
                    if age > self._cache_seconds or (kid not in self._keys and age > self._REFETCH_INTERVAL):
                        await self._fetch()
        if kid in self._keys:
            return self._keys[kid]
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        return None


@dataclass(frozen=True, slots=True)
class IssuerKeys:
    """What verifying one issuer's tokens takes: its name, audience, pinned algorithms and keys."""

    issuer: str
    audience: str
    algorithms: tuple[str, ...]
    keys: KeySource
    hs256_secret: str | None = None


def _document(jwks_json: str | None, jwks_file: Path | None) -> Mapping[str, Any] | None:
    if jwks_json:
        document: Mapping[str, Any] = json.loads(jwks_json)
        return document
    if jwks_file is not None:
        document = json.loads(jwks_file.read_text(encoding="utf-8"))
        return document
    return None


class TokenVerifier:
    """Verifies tokens of the identity provider and of any further trusted issuer (each with its own keys).

    The unverified ``iss`` claim only chooses which issuer's keys and rules apply; the signature,
    ``iss``, ``aud`` and expiry are then all checked against that issuer.
    """

    def __init__(self, settings: AuthSettings, keys: KeySource, trusted: Iterable[IssuerKeys] = ()) -> None:
        self.issuer = settings.issuer
        self.audience = settings.audience
        self.leeway = settings.leeway_seconds
        algorithms = [a.value for a in settings.algorithms if a is not JwtAlgorithm.HS256]
        self.hs256_secret: str | None = None
        if settings.allow_hs256 and settings.hs256_secret is not None:
            self.hs256_secret = settings.hs256_secret.get_secret_value()
            algorithms.append(JwtAlgorithm.HS256.value)
        self.algorithms = algorithms
        self.keys = keys
        primary = IssuerKeys(self.issuer, self.audience, tuple(algorithms), keys, self.hs256_secret)
        self._issuers: dict[str, IssuerKeys] = {primary.issuer: primary}
        for issuer in trusted:
            self._issuers[issuer.issuer] = issuer

    @property
    def configured(self) -> bool:
        """Whether any token at all could be accepted."""
        return any(i.keys.configured or i.hs256_secret is not None for i in self._issuers.values())

    @property
    def issuers(self) -> frozenset[str]:
        return frozenset(self._issuers)

    @classmethod
    def from_settings(cls, settings: AuthSettings) -> TokenVerifier:
        keys = KeySource(
            jwks=_document(settings.jwks_json, settings.jwks_file),
            jwks_url=settings.jwks_url,
            cache_seconds=settings.jwks_cache_seconds,
        )
        trusted = [
            IssuerKeys(
                issuer=t.issuer,
                audience=t.audience or settings.audience,
                algorithms=tuple(a.value for a in t.algorithms),
                keys=KeySource(
                    jwks=_document(t.jwks_json, t.jwks_file),
                    jwks_url=t.jwks_url,
                    cache_seconds=settings.jwks_cache_seconds,
                ),
            )
            for t in settings.trusted_issuers
        ]
        return cls(settings, keys, trusted)

    async def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise Unauthorized("The bearer token is malformed.", code="invalid_token") from exc
        claimed_issuer = unverified.get("iss")
        issuer = self._issuers.get(claimed_issuer) if isinstance(claimed_issuer, str) else None
        if issuer is None:
            raise Unauthorized("The token's issuer is not trusted.", code="invalid_token")
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm not in issuer.algorithms:
            raise Unauthorized("The token's signature algorithm is not accepted.", code="invalid_token")
        key: Any
        if algorithm == JwtAlgorithm.HS256.value:
            key = issuer.hs256_secret
        else:
            kid = header.get("kid")
            jwk = await issuer.keys.key_for(kid if isinstance(kid, str) else None)
            if jwk is None:
                raise Unauthorized("The token was signed by an unknown key.", code="invalid_token")
            key = jwk
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=[algorithm],
                audience=issuer.audience,
                issuer=issuer.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("The token has expired.", code="invalid_token") from exc
        except jwt.InvalidAudienceError as exc:
            raise Unauthorized("The token is not meant for this service.", code="invalid_token") from exc
        except jwt.InvalidIssuerError as exc:
            raise Unauthorized("The token's issuer is not trusted.", code="invalid_token") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized("The token is invalid.", code="invalid_token") from exc
        return principal_from_claims(claims)


def principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    raw_roles: Any = claims.get("roles")
    if raw_roles is None:
        realm = claims.get("realm_access")
        raw_roles = realm.get("roles") if isinstance(realm, Mapping) else None
    if isinstance(raw_roles, str):
        raw_roles = raw_roles.split()
    if not isinstance(raw_roles, (list, tuple)):
        raw_roles = []
    known = {role.value for role in Role}
    roles = frozenset(Role(r) for r in (raw_roles or []) if isinstance(r, str) and r in known)

    def text(name: str) -> str | None:
        value = claims.get(name)
        return value if isinstance(value, str) and value else None

    return Principal(
        subject=str(claims["sub"]),
        roles=roles,
        name=text("name"),
        agency=text("agency"),
        unit=text("unit"),
        client_id=text("azp") or text("client_id"),
        claims=dict(claims),
    )


_bearer = HTTPBearer(auto_error=False, scheme_name="bearerAuth", description="JWT from the identity provider.")


async def optional_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    """The caller, if a token was sent; a bad token is still a 401."""
    if credentials is None:
        if "authorization" in request.headers:
            raise Unauthorized("Use the Bearer scheme.", code="invalid_token")
        return None
    verifier: TokenVerifier = request.app.state.token_verifier
    if not verifier.configured:
        raise Unauthorized("This service has no token keys configured.", code="invalid_token")
    principal = await verifier.verify(credentials.credentials)
    request.state.principal = principal
    return principal


async def current_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if principal is None:
        raise Unauthorized("A bearer token is required.")
    return principal


def require_roles(*roles: Role) -> DependsParam:
    """A dependency that returns the caller if they hold one of ``roles`` (or ``admin``).

    Use as ``principal: Annotated[Principal, require_roles(Role.CATALOG_EDITOR)]``.
    """
    needed = frozenset(roles)

    async def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.has_any(needed):
            raise Forbidden(
                f"This action needs one of the roles: {', '.join(sorted(r.value for r in needed | {Role.ADMIN}))}.",
                code="missing_role",
            )
        return principal

    dependency.__motcua_roles__ = needed  # type: ignore[attr-defined]
    param: DependsParam = Depends(dependency)
    return param


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
