"""HTTP for /api/v1/dossiers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response, status

from dossier_api.config import DossierSettings
from dossier_api.dossiers.repository import DossierRepository
from dossier_api.dossiers.schemas import DossierCode, DossierCreate, DossierRead
from dossier_api.dossiers.service import DossierService
from dossier_api.models import Dossier
from motcua_kit.auth import Principal, Role, require_roles
from motcua_kit.db import DBSession
from motcua_kit.errors import problem_responses

router = APIRouter(prefix="/dossiers", tags=["dossiers"])


def get_service(request: Request, session: DBSession) -> DossierService:
    settings: DossierSettings = request.app.state.settings
    return DossierService(DossierRepository(session), agency_code=settings.agency_code)


Service = Annotated[DossierService, Depends(get_service)]


def to_read(dossier: Dossier) -> DossierRead:
    return DossierRead(
        code=dossier.code,
        agency_code=dossier.agency_code,
        procedure_code=dossier.procedure_code,
        channel=dossier.channel,
        status=dossier.status,
        portal_status=dossier.status.portal_code,
        applicant_name=dossier.applicant_name,
        submitted_at=dossier.submitted_at,
        received_at=dossier.received_at,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Receive a dossier",
    responses=problem_responses(409),
)
async def receive_dossier(
    body: DossierCreate,
    service: Service,
    response: Response,
    principal: Annotated[
        Principal, require_roles(Role.RECEPTION_OFFICER, Role.INTEGRATION, Role.CITIZEN, Role.INTERMEDIARY)
    ],
) -> DossierRead:
    """Register a dossier and give it its code. Staff receive it at once; an applicant's awaits reception."""
    dossier = await service.receive(body, principal)
    response.headers["Location"] = f"/api/v1/dossiers/{dossier.code}"
    return to_read(dossier)


@router.get("/{code}", summary="Read a dossier", responses=problem_responses(404))
async def get_dossier(
    code: Annotated[DossierCode, Path(description="Dossier code, `<agency>-YYMMDD-NNNN`.")],
    service: Service,
    principal: Annotated[
        Principal,
        require_roles(Role.RECEPTION_OFFICER, Role.PROCESSING_OFFICER, Role.LEADER, Role.CITIZEN, Role.INTERMEDIARY),
    ],
) -> DossierRead:
    """One dossier, for staff or for the applicant who filed it."""
    return to_read(await service.get(code, principal))
