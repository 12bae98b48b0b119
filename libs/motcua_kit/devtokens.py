"""Signing keys and tokens for development and tests (never used to verify in production).

``make run`` writes a development key pair under ``./var/dev-keys`` and points every service at
its public JWKS; ``make token ROLE=...`` signs a token with the private key. Tests do the same with
a key held in memory.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

ALGORITHM = "ES256"


def generate_signing_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def jwks_for(key: ec.EllipticCurvePrivateKey, kid: str) -> dict[str, Any]:
    """The public JWKS document for ``key``."""
    public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    public.update({"kid": kid, "use": "sig", "alg": ALGORITHM})
    return {"keys": [public]}


def mint_token(
    key: ec.EllipticCurvePrivateKey,
    kid: str,
    *,
    issuer: str,
    audience: str,
    subject: str,
    roles: Iterable[str],
    ttl_seconds: int = 3600,
    **claims: Any,
) -> str:
    now = int(time.time())
    payload: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        "iat": now,
        "nbf": now,
        "exp": now + ttl_seconds,
        "jti": uuid.uuid4().hex,
    }
    if roles := list(roles):
        payload["roles"] = roles
    payload.update(claims)
    return jwt.encode(payload, key, algorithm=ALGORITHM, headers={"kid": kid})


def private_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_or_create_dev_keys(directory: Path) -> tuple[ec.EllipticCurvePrivateKey, str, Path]:
    """The development key in ``directory`` (created on first use): key, kid, JWKS file."""
    directory.mkdir(parents=True, exist_ok=True)
    key_file = directory / "signing-key.pem"
    jwks_file = directory / "jwks.json"
    if key_file.exists():
        loaded = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
        assert isinstance(loaded, ec.EllipticCurvePrivateKey)
        key = loaded
    else:
        key = generate_signing_key()
        key_file.touch(mode=0o600)
        key_file.write_bytes(private_pem(key))
    kid = "dev-" + uuid.UUID(bytes=key.public_key().public_numbers().x.to_bytes(32, "big")[:16]).hex[:12]
    jwks_file.write_text(json.dumps(jwks_for(key, kid), indent=2), encoding="utf-8")
    return key, kid, jwks_file
