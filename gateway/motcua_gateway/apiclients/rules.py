"""The rules of API keys, one small function each.

Why HMAC-SHA256 with a server secret ("pepper") and not a password hash (argon2, scrypt): an API key
is 256 random bits, not a password a person chose, so nobody can guess it and a slow hash adds no
protection; it would only add tens of milliseconds of CPU to every request of a system client (and
hand anyone sending keys a cheap way to burn the gateway's CPU). The pepper lives outside the
database, so a copied database alone cannot even test a guess.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from motcua_gateway.models import ApiKey
from motcua_kit.auth import Role

KEY_PREFIX = "mck"
_KEY = re.compile(r"^mck_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")

# A system client works for the one-stop unit; it never administers the system.
NOT_GRANTABLE = frozenset({Role.ADMIN})


@dataclass(frozen=True, slots=True)
class NewKey:
    key_id: str
    api_key: str  # shown once to the operator, never stored


def new_key() -> NewKey:
    """A fresh key: ``mck_<16 hex key id>_<43 characters: 256 random bits>``."""
    key_id = secrets.token_hex(8)
    return NewKey(key_id, f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}")


def parse_key(presented: str) -> str | None:
    """The key id of a well-formed key, or ``None``; nothing else is looked up."""
    match = _KEY.match(presented)
    return match.group(1) if match else None


def hash_key(pepper: str, api_key: str) -> str:
    """What is stored: HMAC-SHA256 of the whole key under the pepper, as hex."""
    return hmac.new(pepper.encode(), api_key.encode(), hashlib.sha256).hexdigest()


def key_matches(pepper: str, api_key: str, stored_hash: str) -> bool:
    """Constant-time comparison of a presented key with a stored hash."""
    return hmac.compare_digest(hash_key(pepper, api_key), stored_hash)


def ungrantable_roles(roles: Iterable[Role]) -> list[Role]:
    """Roles an API client may not hold ("admin": a system client never administers motcua)."""
    return sorted(set(roles) & NOT_GRANTABLE)


@dataclass(frozen=True, slots=True)
class RotationPlan:
    revoke: list[ApiKey]  # keys left from an earlier rotation: at most two keys are ever valid
    expire: list[ApiKey]  # the current key, which keeps working during the grace period


def plan_rotation(keys: Sequence[ApiKey], now: dt.datetime) -> RotationPlan:
    """Rotation keeps two keys valid: the new one, and the current one until the grace period ends.

    A key that was already on its way out (from a previous rotation) is revoked at once.
    """
    valid = [key for key in keys if key.valid_at(now)]
    return RotationPlan(
        revoke=[key for key in valid if key.expires_at is not None],
        expire=[key for key in valid if key.expires_at is None],
    )
