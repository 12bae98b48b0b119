"""The National Public Service Portal's dossier sync services, over HTTP.

The portal answers HTTP 200 with ``error_code`` "0" when it accepted a call and another code when
it refused it (a dossier that exists already, one it does not know, a payload it rejects). Anything
else (a network error, a timeout, another HTTP status, an answer that is not JSON) is a failure to
reach it. Neither raises: the sync decides what to do with each answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from motcua_kit.httpclient import outgoing_client

DOSSIER_SYNC = "DongBoHoSoMC"
PROGRESS_SYNC = "CapNhatTienDoHoSoMC"
_MAX_ERROR_LENGTH = 500


@dataclass(frozen=True, slots=True)
class PortalAnswer:
    accepted: bool
    refused: bool  # the portal answered and said no (as opposed to not answering)
    status_code: int | None
    message: str  # for the sync record: may quote the payload (the portal's validation messages do)
    summary: str = ""  # for the delivery record and logs: never the portal's own words

    @property
    def failure(self) -> str:
        return self.message[:_MAX_ERROR_LENGTH]


class PortalClient:
    def __init__(self, token: str, *, timeout: float, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._token = token
        self._client = outgoing_client(timeout=timeout, transport=transport, follow_redirects=False)

    async def call(self, base_url: str, service: str, body: dict[str, Any]) -> PortalAnswer:
        url = f"{base_url.rstrip('/')}/api/{service}"
        try:
            response = await self._client.post(url, json=body, headers={"Authorization": f"Bearer {self._token}"})
        except httpx.HTTPError as exc:
            return PortalAnswer(False, False, None, f"{service}: {type(exc).__name__} {exc}".strip())
        if response.status_code != httpx.codes.OK:
            return PortalAnswer(False, False, response.status_code, f"{service}: HTTP {response.status_code}")
        try:
            answer = response.json()
            code = str(answer["error_code"])
            message = str(answer.get("message") or "")
        except (ValueError, KeyError, TypeError):
            return PortalAnswer(False, False, response.status_code, f"{service}: the answer is not the portal's")
        if code == "0":
            return PortalAnswer(True, False, response.status_code, "")
        summary = f"{service} refused ({code[:20]})"
        return PortalAnswer(False, True, response.status_code, f"{summary}: {message}", summary)

    async def sync_dossiers(self, base_url: str, records: list[dict[str, Any]], *, updating: bool) -> PortalAnswer:
        body = {"service": DOSSIER_SYNC, "isUpdating": updating, "data": records}
        return await self.call(base_url, DOSSIER_SYNC, body)

    async def sync_progress(self, base_url: str, steps: list[dict[str, Any]]) -> PortalAnswer:
        return await self.call(base_url, PROGRESS_SYNC, {"service": PROGRESS_SYNC, "data": steps})

    async def aclose(self) -> None:
        await self._client.aclose()
