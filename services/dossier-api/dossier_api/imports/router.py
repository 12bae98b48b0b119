"""HTTP for /api/v1/dossiers/import: NDJSON of historical dossiers, read as it streams in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from dossier_api.config import DossierSettings
from dossier_api.imports.repository import ImportRepository
from dossier_api.imports.schemas import ImportedDossier, ImportReport
from dossier_api.imports.service import ImportService
from motcua_kit.auth import Principal, Role, require_roles
from motcua_kit.db import DBSession
from motcua_kit.errors import problem_responses

router = APIRouter(prefix="/dossiers", tags=["import"])

IMPORT_PATH = "/api/v1/dossiers/import"
NDJSON = "application/x-ndjson"


async def get_service(request: Request, session: DBSession) -> ImportService:
    settings: DossierSettings = request.app.state.settings
    return ImportService(ImportRepository(session), agency_code=settings.agency_code)


@router.post(
    "/import",
    summary="Import historical dossiers",
    responses=problem_responses(400, 413, 415, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "One JSON object per line (NDJSON), each an `ImportedDossier`.",
            "content": {
                NDJSON: {"schema": ImportedDossier.model_json_schema(ref_template="#/components/schemas/{model}")}
            },
        }
    },
)
async def import_dossiers(
    *,
    request: Request,
    service: Annotated[ImportService, Depends(get_service)],
    principal: Annotated[Principal, require_roles(Role.INTEGRATION)],
) -> ImportReport:
    """Dossiers from a legacy one-stop system with their original times and outcomes, one per line.

    Idempotent by dossier code (a code already present is skipped), so a failed upload can simply be
    sent again. Invalid lines are reported with their reasons; the others are imported. One request
    is one transaction: `python -m dossier_api.imports` sends a large file in chunks. Needs `integration`.
    """
    return await service.run(request.stream(), principal)
