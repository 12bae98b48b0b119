"""HTTP for /api/v1/dossiers/stats."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from dossier_api.stats.repository import StatsRepository
from dossier_api.stats.schemas import DossierStats
from dossier_api.stats.service import StatsService
from motcua_kit.auth import Principal, Role, require_roles
from motcua_kit.db import DBSession
from motcua_kit.timezone import Day

router = APIRouter(prefix="/dossiers", tags=["statistics"])


async def get_service(session: DBSession) -> StatsService:
    return StatsService(StatsRepository(session))


@router.get("/stats", summary="Dossier statistics")
async def dossier_stats(
    *,
    service: Annotated[StatsService, Depends(get_service)],
    _principal: Annotated[Principal, require_roles(Role.LEADER, Role.REPORTER)],
    from_: Annotated[Day | None, Query(alias="from", description="First day (default: 1 January).")] = None,
    to: Annotated[Day | None, Query(description="Last day, included (default: today).")] = None,
    agency: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9.]{2,20}$", description="Receiving agency.")] = None,
    procedure: Annotated[str | None, Query(max_length=40, description="Procedure code (MaTTHC).")] = None,
) -> DossierStats:
    """Received (new, carried over, by channel), resolved early/on time/late, in progress in time/overdue,
    refused, withdrawn, online and postal shares, online payments, and a monthly series. Needs `leader`
    or `reporter`."""
    return await service.compute(from_, to, agency, procedure)
