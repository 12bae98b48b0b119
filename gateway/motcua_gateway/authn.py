"""Who is calling: a bearer token from the identity provider, an API key of a system client, or nobody.

- ``Authorization: Bearer <jwt>``: verified with the kit's :class:`TokenVerifier` (the provider's
  JWKS, cached and refetched on an unknown ``kid``; pinned algorithms; issuer, audience, expiry with
  a small leeway). The token is forwarded unchanged: the service verifies it again.
- ``X-API-Key: mck_...``: checked against its stored hash; the call is forwarded with a short-lived
  token the gateway signs (see ``internal_tokens.py``), never with the key.
- Both at once, another ``Authorization`` scheme, or a malformed header: 401.

A verified bearer token is remembered (by its SHA-256) until it expires, at most a minute, so a
client's next calls cost a dictionary lookup instead of a signature check.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from cachetools import LRUCache

from motcua_gateway.apiclients.verifier import ApiClientIdentity, ApiKeyVerifier
from motcua_gateway.internal_tokens import InternalTokenIssuer
from motcua_kit.auth import Principal, TokenVerifier
from motcua_kit.errors import Unauthorized

TOKEN_CACHE_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Caller:
    """The outcome of authentication, as the rest of the request path needs it."""

    principal: Principal | None
    rate_key: str | None  # whose budget authenticated calls spend; None for anonymous calls
    authorization: bytes | None  # the Authorization header to forward


ANONYMOUS = Caller(None, None, None)


def _principal_of(client: ApiClientIdentity) -> Principal:
    return Principal(
        subject=f"client:{client.name}",
        roles=client.roles,
        name=client.display_name,
        agency=client.agency,
        client_id=client.name,
    )


class Authenticator:
    def __init__(
        self,
        verifier: TokenVerifier,
        *,
        api_keys: ApiKeyVerifier | None,
        internal_tokens: InternalTokenIssuer | None,
        cache_size: int,
    ) -> None:
        self.verifier = verifier
        self.api_keys = api_keys
        self.internal_tokens = internal_tokens
        self.cache_size = cache_size
        self._verified: LRUCache[bytes, tuple[Principal, float]] = LRUCache(max(cache_size, 1))

    async def authenticate(self, authorization: bytes | None, api_key: bytes | None) -> Caller:
        if authorization is not None and api_key is not None:
            raise Unauthorized("Send either a bearer token or an API key, not both.", code="ambiguous_credentials")
        if api_key is not None:
            return await self._api_key(api_key)
        if authorization is not None:
            return await self._bearer(authorization)
        return ANONYMOUS

    async def _bearer(self, authorization: bytes) -> Caller:
        scheme, _, token = authorization.partition(b" ")
        token = token.strip()
        if scheme.lower() != b"bearer" or not token:
            raise Unauthorized("Use the Bearer scheme.", code="invalid_token")
        digest = hashlib.sha256(token).digest()
        cached = self._verified.get(digest)
        now = time.time()
        if cached is not None and cached[1] > now:
            principal = cached[0]
        else:
            try:
                text = token.decode("ascii")
            except UnicodeDecodeError as exc:
                raise Unauthorized("The bearer token is malformed.", code="invalid_token") from exc
            principal = await self.verifier.verify(text)
            if self.cache_size:
                expires = principal.claims.get("exp")
                until = min(float(expires), now + TOKEN_CACHE_SECONDS) if isinstance(expires, int | float) else now
                self._verified[digest] = (principal, until)
        return Caller(principal, f"sub:{principal.subject}", authorization)

    async def _api_key(self, api_key: bytes) -> Caller:
        if self.api_keys is None or self.internal_tokens is None:
            raise Unauthorized("API keys are not accepted here.", code="invalid_api_key")
        try:
            presented = api_key.decode("ascii").strip()
        except UnicodeDecodeError as exc:
            raise Unauthorized("The API key is not valid.", code="invalid_api_key") from exc
        client = await self.api_keys.verify(presented)
        token = self.internal_tokens.token_for(client)
        return Caller(_principal_of(client), f"client:{client.name}", b"Bearer " + token.encode())
