"""HTTP for /api/v1/procedures/stats."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from motcua_kit.db import DBSession
from motcua_kit.errors import problem_responses
from procedure_catalog.constraints import Day, ReferenceCode
from procedure_catalog.dependencies import Language, Today
from procedure_catalog.stats.repository import StatsRepository
from procedure_catalog.stats.schemas import CatalogueStats
from procedure_catalog.stats.service import StatsService

router = APIRouter(prefix="/procedures", tags=["statistics"])


async def get_service(session: DBSession) -> StatsService:
    return StatsService(StatsRepository(session))


@router.get("/stats", summary="Catalogue statistics on a day", responses=problem_responses(422))
async def catalogue_stats(
    *,
    service: Annotated[StatsService, Depends(get_service)],
    today: Today,
    response: Response,
    language: Language,
    at: Annotated[Day | None, Query(description="The day (YYYY-MM-DD) to count on; default today.")] = None,
    field: Annotated[ReferenceCode | None, Query(description="Only this field (lĩnh vực).")] = None,
    agency: Annotated[ReferenceCode | None, Query(description="Only this agency.")] = None,
    since: Annotated[
        Day | None,
        Query(description="Also count the decisions effective from this day to `at` (`changes_in_period`)."),
    ] = None,
) -> CatalogueStats:
    """Procedures by status, online level (current and 1-4), channel, field, agency and one-stop flags, and
    with `since` the announcement decisions of a period and what they created, amended and abolished. Public."""
    stats = await service.on(at or today, language, field_code=field, agency_code=agency, since=since)
    language.set_header(response)
    return stats
