"""HTTP for /api/v1/surveys/stats."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from motcua_kit.auth import Principal, Role, require_roles
from motcua_kit.db import DBSession
from satisfaction_survey.common import AgencyCode, ProcedureCode
from satisfaction_survey.config import SurveySettings
from satisfaction_survey.models import DossierChannel
from satisfaction_survey.stats.repository import StatsFilter, StatsRepository
from satisfaction_survey.stats.schemas import SatisfactionStats
from satisfaction_survey.stats.service import StatsService

router = APIRouter(prefix="/surveys/stats", tags=["stats"])

READERS = (Role.SURVEY_ADMIN, Role.LEADER, Role.REPORTER)


async def get_service(request: Request, session: DBSession) -> StatsService:
    settings: SurveySettings = request.app.state.settings
    return StatsService(StatsRepository(session), target=settings.satisfaction_target)


Service = Annotated[StatsService, Depends(get_service)]


@router.get("", summary="The satisfaction index")
async def satisfaction_stats(
    *,
    service: Service,
    _reader: Annotated[Principal, require_roles(*READERS)],
    from_: Annotated[dt.date | None, Query(alias="from", description="First day (Vietnam), inclusive.")] = None,
    to: Annotated[dt.date | None, Query(description="Last day (Vietnam), inclusive.")] = None,
    agency: Annotated[AgencyCode | None, Query(description="Agency code.")] = None,
    procedure: Annotated[ProcedureCode | None, Query(description="Procedure code (MaTTHC).")] = None,
    channel: Annotated[DossierChannel | None, Query(description="How the dossiers were filed.")] = None,
) -> SatisfactionStats:
    """Responses, response rate, satisfied share overall and per factor, mean score per question, for
    all responses and for online and paper separately, against the target, the feedback opened in the
    period and how much of it is resolved, with a monthly series.
    Satisfied = top two levels, counted per answer; the headline is the overall question (one per
    response). Needs `survey_admin`, `leader` or `reporter`."""
    where = StatsFilter(first_day=from_, last_day=to, agency_code=agency, procedure_code=procedure, channel=channel)
    return await service.index(where)
