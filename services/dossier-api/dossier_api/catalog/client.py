"""The procedure catalogue, as dossier-api sees it: one HTTP call per reception.

What we read is exactly ``contracts/consumers/dossier-api.procedure.schema.json``; the models below
mirror it (extra fields from the catalogue are ignored). An unreachable or misbehaving catalogue
becomes a 503/502 problem and the reception writes nothing.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from motcua_kit.errors import BadGateway, ServiceUnavailable
from motcua_kit.httpclient import outgoing_client
from motcua_kit.logging import get_logger

log = get_logger("dossier_api.catalog")


class TimeUnit(StrEnum):
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"


class ProcessingTime(BaseModel):
    value: Annotated[float, Field(gt=0)]
    unit: TimeUnit


class Fee(BaseModel):
    amount_vnd: Annotated[int, Field(ge=0)]
    unit: str | None = None
    description_vi: str
    description_en: str | None = None


class ChannelTerms(BaseModel):
    channel: str
    processing_time: ProcessingTime
    fees: list[Fee]


class ProcedureVersion(BaseModel):
    """One version of a procedure, as the catalogue publishes it."""

    model_config = ConfigDict(extra="ignore")

    code: Annotated[str, Field(min_length=1)]
    version: Annotated[int, Field(ge=1)]
    status: str
    name_vi: Annotated[str, Field(min_length=1)]
    name_en: str | None = None
    agency_code: Annotated[str, Field(min_length=1)]
    field_code: Annotated[str, Field(min_length=1)]
    online_level: str
    channels: list[ChannelTerms]

    @property
    def abolished(self) -> bool:
        return self.status == "abolished"

    def terms_for(self, channel: str) -> ChannelTerms | None:
        return next((c for c in self.channels if c.channel == channel), None)


class CatalogClient:
    """Reads the procedure version in force on a day from procedure-catalog."""

    def __init__(self, base_url: str, *, timeout: float, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._client = outgoing_client(
            timeout=timeout, base_url=base_url.rstrip("/"), transport=transport, follow_redirects=False
        )

    async def procedure_in_force(self, code: str, day: dt.date) -> ProcedureVersion | None:
        """The version of ``code`` in force on ``day``, or None when the catalogue knows none."""
        try:
            response = await self._client.get(f"/api/v1/procedures/{code}", params={"at": day.isoformat()})
        except httpx.HTTPError as exc:
            log.warning("catalogue unreachable", error=type(exc).__name__)
            raise ServiceUnavailable(
                "The procedure catalogue cannot be reached; nothing was recorded. Retry shortly.",
                code="catalog_unavailable",
                headers={"Retry-After": "5"},
            ) from exc
        if response.status_code == 404:
            return None
        if response.status_code >= 500 or response.status_code == 429:
            log.warning("catalogue failed", status=response.status_code)
            raise ServiceUnavailable(
                "The procedure catalogue is unavailable; nothing was recorded. Retry shortly.",
                code="catalog_unavailable",
                headers={"Retry-After": "5"},
            )
        try:
            response.raise_for_status()
            document: Any = response.json()
            return ProcedureVersion.model_validate(document)
        except (httpx.HTTPStatusError, ValueError, ValidationError) as exc:
            log.warning("catalogue answer not understood", status=response.status_code, error=type(exc).__name__)
            raise BadGateway(
                "The procedure catalogue gave an answer outside its contract; nothing was recorded.",
                code="catalog_bad_answer",
            ) from exc

    async def aclose(self) -> None:
        await self._client.aclose()
