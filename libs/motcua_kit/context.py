"""Per-request context that logs and outgoing calls read without it being passed around."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

_request_id: ContextVar[str | None] = ContextVar("motcua_request_id", default=None)

# An incoming X-Request-ID is echoed into logs and other services' logs, so only a plain token
# is accepted; anything else (too long, spaces, control characters) is replaced by a fresh id.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")

REQUEST_ID_HEADER = "X-Request-ID"


def current_request_id() -> str | None:
    return _request_id.get()


def set_request_id(value: str | None) -> None:
    _request_id.set(value)


def accept_or_generate(incoming: str | None) -> str:
    """Keep a well-formed incoming request id, otherwise make one."""
    if incoming and _VALID_REQUEST_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex
