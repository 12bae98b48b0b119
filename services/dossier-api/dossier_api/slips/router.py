"""HTTP for the printed slips: ``GET /api/v1/dossiers/{code}/slips/{kind}`` (application/pdf)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from dossier_api.config import DossierSettings
from dossier_api.dossiers.router import READERS, CodePath
from dossier_api.dossiers.router import get_service as get_dossier_service
from dossier_api.dossiers.service import DossierService
from dossier_api.slips.builder import SlipBuilder
from dossier_api.slips.render import Agency, SlipKind, render_slip
from motcua_kit.auth import Principal, require_roles
from motcua_kit.errors import problem_responses

router = APIRouter(prefix="/dossiers", tags=["slips"])

PDF = "application/pdf"


def agency_of(settings: DossierSettings) -> Agency:
    return Agency(
        name=settings.agency_name,
        place=settings.agency_place,
        parent=settings.agency_parent or None,
        phone=settings.agency_phone or None,
    )


@router.get(
    "/{code}/slips/{kind}",
    summary="Print a slip",
    response_class=Response,
    responses={200: {"content": {PDF: {}}, "description": "The slip, A5 PDF."}, **problem_responses(404, 409)},
)
async def get_slip(
    *,
    code: CodePath,
    kind: Annotated[SlipKind, Path(description="Which slip.")],
    request: Request,
    dossiers: Annotated[DossierService, Depends(get_dossier_service)],
    principal: Annotated[Principal, require_roles(*READERS)],
) -> Response:
    """Receipt and appointment, supplement request, refusal, apology and new appointment, or the
    process-control slip, generated from the dossier's data (A5, with a QR code to the public lookup)."""
    settings: DossierSettings = request.app.state.settings
    dossier = await dossiers.get(code, principal)
    builder = SlipBuilder(dossiers.repository, agency_of(settings), settings.public_base_url)
    data = await builder.build(kind, dossier)
    content = await run_in_threadpool(render_slip, kind, data)
    return Response(
        content,
        media_type=PDF,
        headers={"Content-Disposition": f'inline; filename="{code}-{kind.value}.pdf"', "Cache-Control": "no-store"},
    )
