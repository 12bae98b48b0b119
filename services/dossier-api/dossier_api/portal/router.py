"""HTTP for a dossier's national portal sync: ``GET|POST /api/v1/dossiers/{code}/portal-sync``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, status

from dossier_api.dossiers.router import get_service as get_dossier_service
from dossier_api.dossiers.schemas import DossierCode
from dossier_api.dossiers.service import DossierService
from dossier_api.portal.repository import PortalSyncRepository
from dossier_api.portal.schemas import PortalSyncRead
from dossier_api.portal.service import PortalSyncService
from motcua_kit.auth import Principal, Role, require_roles
from motcua_kit.errors import problem_responses

router = APIRouter(prefix="/dossiers", tags=["national portal"])

CodePath = Annotated[DossierCode, Path(description="Dossier code, `<agency>-YYMMDD-NNNN`.")]
STAFF = (Role.RECEPTION_OFFICER, Role.PROCESSING_OFFICER, Role.LEADER)


async def get_service(dossiers: Annotated[DossierService, Depends(get_dossier_service)]) -> PortalSyncService:
    return PortalSyncService(PortalSyncRepository(dossiers.repository.session), dossiers)


Service = Annotated[PortalSyncService, Depends(get_service)]


@router.get("/{code}/portal-sync", summary="The dossier's national portal sync", responses=problem_responses(404))
async def get_portal_sync(
    code: CodePath, service: Service, principal: Annotated[Principal, require_roles(*STAFF)]
) -> PortalSyncRead:
    """Last attempt, last success, last error, whether the portal holds the dossier, what is still pending."""
    return await service.status(code, principal)


@router.post(
    "/{code}/portal-sync",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Sync the dossier to the national portal again",
    responses=problem_responses(404, 409),
)
async def retrigger_portal_sync(
    code: CodePath, service: Service, principal: Annotated[Principal, require_roles(*STAFF)]
) -> PortalSyncRead:
    """Queue the dossier for the portal now (the dispatcher sends it): replays its dead letters, brings a
    waiting retry forward, or delivers its latest event again. 409 when the sync is not configured."""
    return await service.retrigger(code, principal)
