"""Short-lived tokens the gateway signs for the system clients it authenticated with an API key.

The services verify every call themselves (defence in depth) and know nothing of API keys, so the
gateway forwards an API-key call with a JWT of its own: issuer ``motcua-gateway`` (configurable),
subject ``client:<name>``, the client's roles and agency, ES256, a few minutes of life. The
services list that issuer among their trusted issuers with the gateway's public key (its JWKS is
served at ``/.well-known/jwks.json``). The API key itself never leaves the gateway.

One token per client is reused until a minute before it expires: signing costs more than the
proxying it protects.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from motcua_gateway.apiclients.verifier import ApiClientIdentity
from motcua_gateway.config import InternalTokenSettings

ALGORITHM = "ES256"
_REUSE_MARGIN_SECONDS = 60


def load_signing_key(settings: InternalTokenSettings) -> ec.EllipticCurvePrivateKey | None:
    if settings.signing_key_pem is not None:
        pem = settings.signing_key_pem.get_secret_value().encode()
    elif settings.signing_key_file is not None:
        pem = settings.signing_key_file.read_bytes()
    else:
        return None
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError("the gateway's signing key must be an EC P-256 private key (ES256)")
    return key


def _thumbprint(public_jwk: dict[str, Any]) -> str:
    """RFC 7638 thumbprint: a key id that changes exactly when the key does."""
    canonical = json.dumps({k: public_jwk[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


class InternalTokenIssuer:
    def __init__(self, settings: InternalTokenSettings, key: ec.EllipticCurvePrivateKey) -> None:
        self.settings = settings
        self._key = key
        public: dict[str, Any] = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
        self.kid = _thumbprint(public)
        public.update({"kid": self.kid, "use": "sig", "alg": ALGORITHM})
        self._jwks = {"keys": [public]}
        self._issued: dict[str, tuple[str, float]] = {}

    def jwks(self) -> dict[str, Any]:
        """The public keys the services verify internal tokens with."""
        return self._jwks

    def token_for(self, client: ApiClientIdentity) -> str:
        now = time.time()
        cache_key = f"{client.name}|{','.join(sorted(client.roles))}|{client.agency or ''}"
        cached = self._issued.get(cache_key)
        if cached is not None and cached[1] - now > _REUSE_MARGIN_SECONDS:
            return cached[0]
        issued_at = int(now)
        expires_at = issued_at + self.settings.ttl_seconds
        claims: dict[str, Any] = {
            "iss": self.settings.issuer,
            "aud": self.settings.audience,
            "sub": f"client:{client.name}",
            "client_id": client.name,
            "name": client.display_name,
            "roles": sorted(client.roles),
            "iat": issued_at,
            "nbf": issued_at,
            "exp": expires_at,
            "jti": uuid.uuid4().hex,
        }
        if client.agency:
            claims["agency"] = client.agency
        token = jwt.encode(claims, self._key, algorithm=ALGORITHM, headers={"kid": self.kid})
        if len(self._issued) > 10_000:
            self._issued.clear()
        self._issued[cache_key] = (token, float(expires_at))
        return token
