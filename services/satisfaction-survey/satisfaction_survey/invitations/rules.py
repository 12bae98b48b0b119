"""Named rules of invitations (issue 4/9: "one per dossier ... a short-lived unguessable token")."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from satisfaction_survey.models import Invitation

TOKEN_BYTES = 32
"""256 random bits: about 43 URL-safe characters, beyond any guessing."""


def new_token() -> str:
    """A fresh link token from the operating system's CSPRNG."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    """What the database keeps instead of the token: its SHA-256, hex.

    A stolen database therefore gives no usable links. A plain (unkeyed) hash suffices because the
    token has 256 random bits: there is nothing to brute-force.
    """
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def token_matches(invitation: Invitation, token: str) -> bool:
    """Compare in constant time (the lookup is by digest; this re-checks the row it found)."""
    return hmac.compare_digest(invitation.token_hash, token_digest(token))


def expiry(issued_at: dt.datetime, ttl_days: int) -> dt.datetime:
    """The online link is short-lived: ``ttl_days`` after it was (re)issued."""
    return issued_at + dt.timedelta(days=ttl_days)


def is_open(invitation: Invitation, now: dt.datetime) -> bool:
    """The link may be used: not expired and the dossier not yet evaluated."""
    return invitation.responded_at is None and now < invitation.expires_at
