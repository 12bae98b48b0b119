"""HTTP clients for calls to other services: the request id travels with every outgoing call."""

from __future__ import annotations

from typing import Any

import httpx

from motcua_kit.context import REQUEST_ID_HEADER, current_request_id


async def _propagate_request_id(request: httpx.Request) -> None:
    request_id = current_request_id()
    if request_id and REQUEST_ID_HEADER not in request.headers:
        request.headers[REQUEST_ID_HEADER] = request_id


def outgoing_client(*, timeout: float | httpx.Timeout = 5.0, **kwargs: Any) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` that forwards the current ``X-Request-ID``."""
    hooks = kwargs.pop("event_hooks", {})
    hooks.setdefault("request", []).append(_propagate_request_id)
    return httpx.AsyncClient(timeout=timeout, event_hooks=hooks, **kwargs)
