"""The catalogue's events, applied to the local copy (``POST /internal/events``, signed, once per event id).

``procedure.published``, ``procedure.amended`` and ``procedure.abolished`` each carry one version
(``contracts/events/procedure.schema.json``): the copy keeps it, keyed by code and version number,
so a redelivered or reordered event changes nothing. Dossiers are never touched: each keeps the
snapshot taken at its reception.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from dossier_api.catalog.client import ProcedureVersion
from dossier_api.catalog.repository import CatalogCopyRepository
from motcua_kit.errors import UnprocessableContent, field_errors_from_validation
from motcua_kit.events.envelope import CloudEvent
from motcua_kit.logging import get_logger

log = get_logger("dossier_api.catalog.consumer")

PROCEDURE_EVENTS = ("procedure.published", "procedure.amended", "procedure.abolished")


class AnnouncedVersion(ProcedureVersion):
    """A version as the catalogue's events announce it: the reception contract plus its validity."""

    status: Literal["published", "abolished"]
    valid_from: dt.date
    valid_until: dt.date | None = None
    announcement_number: Annotated[str | None, Field(max_length=100)] = None


async def apply_procedure_version(session: AsyncSession, event: CloudEvent) -> None:
    """Keep the version an event announces in the local copy of the catalogue."""
    try:
        announced = AnnouncedVersion.model_validate(event.data)
    except ValidationError as exc:
        raise UnprocessableContent(
            "The event's data is not a procedure version.",
            code="invalid_event_data",
            errors=field_errors_from_validation(exc.errors()),
        ) from exc
    await CatalogCopyRepository(session).upsert(
        {
            "code": announced.code,
            "version": announced.version,
            "status": announced.status,
            "valid_from": announced.valid_from,
            "valid_until": announced.valid_until,
            "announcement_number": announced.announcement_number,
            "document": dict(event.data),
            "event_id": event.id,
        }
    )
    log.info("catalogue copy updated", type=event.type, procedure=announced.code, version=announced.version)


HANDLERS = dict.fromkeys(PROCEDURE_EVENTS, apply_procedure_version)
