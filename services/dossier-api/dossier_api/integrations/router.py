"""HTTP for dossiers filed on the national portal: ``POST /api/v1/integrations/national-portal/dossiers``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from dossier_api.catalog.lookup import ProcedureInForce, ProcedureLookup
from dossier_api.dossiers.router import get_service as get_dossier_service
from dossier_api.dossiers.schemas import DossierReceipt
from dossier_api.dossiers.service import DossierService
from dossier_api.dossiers.views import dossier_etag, to_read
from dossier_api.integrations.repository import IntegrationRepository
from dossier_api.integrations.schemas import PortalDossierIn
from dossier_api.integrations.service import PortalIntakeService
from dossier_api.models import ExternalSystem
from motcua_kit.auth import Principal, Role, require_roles
from motcua_kit.concurrency import set_etag
from motcua_kit.db import utcnow
from motcua_kit.errors import problem_responses
from motcua_kit.timezone import local_date

router = APIRouter(prefix="/integrations/national-portal", tags=["national portal"])


async def get_service(dossiers: Annotated[DossierService, Depends(get_dossier_service)]) -> PortalIntakeService:
    return PortalIntakeService(IntegrationRepository(dossiers.repository.session), dossiers)


async def procedure_for(body: PortalDossierIn, request: Request) -> ProcedureInForce | None:
    """The procedure in force today, asked before the transaction opens; None when the dossier is here already."""
    async with request.app.state.database.transaction(write=False) as session:
        known = await IntegrationRepository(session).by_external_reference(ExternalSystem.NATIONAL_PORTAL, body.MaHoSo)
    if known is not None:
        return None
    procedures: ProcedureLookup = request.app.state.procedures
    return await procedures.in_force(body.MaTTHC, local_date(utcnow()))


@router.post(
    "/dossiers",
    status_code=status.HTTP_201_CREATED,
    summary="Receive a dossier filed on the national portal",
    responses={
        **problem_responses(502, 503),
        200: {"description": "The portal's dossier was already here: the same dossier, without its secret."},
    },
)
async def file_portal_dossier(
    *,
    body: PortalDossierIn,
    response: Response,
    # Before the lookup: an unauthenticated call must not reach the database or the catalogue.
    principal: Annotated[Principal, require_roles(Role.INTEGRATION)],
    procedure: Annotated[ProcedureInForce | None, Depends(procedure_for)],
    service: Annotated[PortalIntakeService, Depends(get_service)],
) -> DossierReceipt:
    """Register a dossier filed on the portal as an online dossier awaiting reception.

    The portal's code (MaHoSo) is kept as the dossier's external reference: the same code sent again
    answers 200 with the dossier already registered (`Idempotent-Replayed: true`), never a second one.
    The procedure is checked as at any reception; the one-stop unit then receives, refuses or asks
    for a supplement as usual, and the dossier's progress goes back to the portal under its code.
    """
    intake = await service.file(body, principal, procedure)
    dossier = intake.dossier
    response.headers["Location"] = f"/api/v1/dossiers/{dossier.code}"
    set_etag(response, dossier_etag(dossier))
    if not intake.created:
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
    return DossierReceipt(**to_read(dossier, principal).model_dump(), tracking_secret=intake.tracking_secret)
