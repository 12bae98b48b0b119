"""The procedure version in force for a reception: the catalogue first, the local copy when it must.

1. The local copy (kept from the catalogue's events) is read first, in its own short transaction.
   If the version in force today is an abolishing one, the reception is refused from the copy,
   without a round trip.
2. Otherwise the catalogue is asked (it is the authority).
3. If the catalogue cannot be reached or answers outside its contract, the copy's version in force
   today is used and the dossier records that it was (``source: local_copy``). With no copy of
   that procedure, the reception fails as before (503/502) and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from dossier_api.catalog.client import CatalogClient, ProcedureVersion
from dossier_api.catalog.repository import CatalogCopyRepository
from motcua_kit.db import Database
from motcua_kit.errors import BadGateway, ServiceUnavailable
from motcua_kit.logging import get_logger

log = get_logger("dossier_api.catalog.lookup")


class ProcedureSource(StrEnum):
    CATALOG = "catalog"
    LOCAL_COPY = "local_copy"


@dataclass(frozen=True, slots=True)
class ProcedureInForce:
    version: ProcedureVersion | None  # None: no version of that code is in force today
    source: ProcedureSource


class ProcedureLookup:
    def __init__(self, client: CatalogClient, database: Database) -> None:
        self.client = client
        self.database = database

    async def local_copy(self, code: str, day: dt.date) -> ProcedureVersion | None:
        async with self.database.transaction(write=False) as session:
            row = await CatalogCopyRepository(session).in_force(code, day)
        return ProcedureVersion.model_validate(row.document) if row is not None else None

    async def in_force(self, code: str, day: dt.date) -> ProcedureInForce:
        local = await self.local_copy(code, day)
        if local is not None and local.abolished:
            return ProcedureInForce(local, ProcedureSource.LOCAL_COPY)
        try:
            return ProcedureInForce(await self.client.procedure_in_force(code, day), ProcedureSource.CATALOG)
        except (ServiceUnavailable, BadGateway) as exc:
            if local is None:
                raise
            log.warning("catalogue unavailable, local copy used", procedure=code, version=local.version, error=exc.code)
            return ProcedureInForce(local, ProcedureSource.LOCAL_COPY)
