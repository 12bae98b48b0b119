"""HTTP for /api/v1/tracking: the citizen's public lookup (rate limiting is the gateway's job)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from dossier_api.dossiers.repository import DossierRepository
from dossier_api.dossiers.schemas import DossierCode
from dossier_api.tracking.schemas import TrackingView
from dossier_api.tracking.service import TrackingService
from motcua_kit.db import DBSession
from motcua_kit.errors import problem_responses
from motcua_kit.i18n import AcceptLanguage, negotiate_language, set_content_language

router = APIRouter(prefix="/tracking", tags=["tracking"])


async def get_service(session: DBSession) -> TrackingService:
    return TrackingService(DossierRepository(session))


@router.get("/{code}", summary="Look a dossier up", responses=problem_responses(404))
async def track(
    *,
    code: Annotated[DossierCode, Path(description="The code on the receipt.")],
    service: Annotated[TrackingService, Depends(get_service)],
    response: Response,
    accept_language: AcceptLanguage = None,
    secret: Annotated[str | None, Query(min_length=4, max_length=64, description="The tracking secret.")] = None,
    phone: Annotated[str | None, Query(min_length=8, max_length=20, description="The applicant's phone.")] = None,
) -> TrackingView:
    """Status, dates and steps of a dossier, for whoever holds its code and secret (or the applicant's phone).

    Public; shows nothing personal. A wrong secret and an unknown code get the same 404.
    """
    language = negotiate_language(accept_language)
    set_content_language(response, language)
    response.headers["Cache-Control"] = "no-store"
    return await service.lookup(code, secret=secret, phone=phone, language=language)
