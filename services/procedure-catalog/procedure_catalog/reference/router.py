"""HTTP for the reference lists: /api/v1/fields, /api/v1/agencies, /api/v1/authority-levels."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response, status

from motcua_kit.auth import Principal, Role, require_roles
from motcua_kit.db import DBSession
from motcua_kit.errors import problem_responses
from motcua_kit.i18n import AcceptLanguage
from procedure_catalog.constraints import ReferenceCode
from procedure_catalog.localisation import Localiser
from procedure_catalog.models import Agency, Field
from procedure_catalog.reference.levels import AUTHORITY_LEVELS
from procedure_catalog.reference.repository import ReferenceRepository
from procedure_catalog.reference.schemas import AgencyRead, AgencyWrite, AuthorityLevelRead, FieldRead, FieldWrite
from procedure_catalog.reference.service import ReferenceService

router = APIRouter(tags=["reference lists"])
CodePath = Annotated[ReferenceCode, Path(description="Code of the field or agency.")]


async def get_service(session: DBSession) -> ReferenceService:
    return ReferenceService(ReferenceRepository(session))


Service = Annotated[ReferenceService, Depends(get_service)]


def _field(field: Field, names: Localiser) -> FieldRead:
    return FieldRead(
        code=field.code,
        name=names.text(field.name_vi, field.name_en),
        name_vi=field.name_vi,
        name_en=field.name_en,
        updated_at=field.updated_at,
    )


def _agency(agency: Agency, names: Localiser) -> AgencyRead:
    return AgencyRead(
        code=agency.code,
        name=names.text(agency.name_vi, agency.name_en),
        name_vi=agency.name_vi,
        name_en=agency.name_en,
        authority_level=agency.authority_level,
        updated_at=agency.updated_at,
    )


@router.get("/fields", summary="List fields (lĩnh vực)")
async def list_fields(service: Service, response: Response, accept_language: AcceptLanguage = None) -> list[FieldRead]:
    """Every field, by code. Public."""
    names = Localiser.negotiate(accept_language)
    result = [_field(f, names) for f in await service.fields()]
    names.set_header(response)
    return result


@router.get("/fields/{code}", summary="Read a field", responses=problem_responses(404))
async def get_field(
    code: CodePath, service: Service, response: Response, accept_language: AcceptLanguage = None
) -> FieldRead:
    """One field. Public."""
    names = Localiser.negotiate(accept_language)
    result = _field(await service.field(code), names)
    names.set_header(response)
    return result


@router.put("/fields/{code}", summary="Create or rename a field", responses={201: {"description": "Created"}})
async def put_field(
    code: CodePath,
    body: FieldWrite,
    service: Service,
    response: Response,
    _principal: Annotated[Principal, require_roles(Role.CATALOG_EDITOR)],
) -> FieldRead:
    """Create the field, or rename it (versions already published keep their names). Needs `catalog_editor`."""
    field, created = await service.put_field(code, body)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return _field(field, Localiser("vi"))


@router.get("/agencies", summary="List agencies")
async def list_agencies(
    service: Service, response: Response, accept_language: AcceptLanguage = None
) -> list[AgencyRead]:
    """Every agency that handles procedures, by code. Public."""
    names = Localiser.negotiate(accept_language)
    result = [_agency(a, names) for a in await service.agencies()]
    names.set_header(response)
    return result


@router.get("/agencies/{code}", summary="Read an agency", responses=problem_responses(404))
async def get_agency(
    code: CodePath, service: Service, response: Response, accept_language: AcceptLanguage = None
) -> AgencyRead:
    """One agency. Public."""
    names = Localiser.negotiate(accept_language)
    result = _agency(await service.agency(code), names)
    names.set_header(response)
    return result


@router.put("/agencies/{code}", summary="Create or update an agency", responses={201: {"description": "Created"}})
async def put_agency(
    code: CodePath,
    body: AgencyWrite,
    service: Service,
    response: Response,
    _principal: Annotated[Principal, require_roles(Role.CATALOG_EDITOR)],
) -> AgencyRead:
    """Create the agency or update its names and level. Needs `catalog_editor`."""
    agency, created = await service.put_agency(code, body)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return _agency(agency, Localiser("vi"))


@router.get("/authority-levels", summary="List authority levels (cấp thực hiện)")
async def list_authority_levels(response: Response, accept_language: AcceptLanguage = None) -> list[AuthorityLevelRead]:
    """The fixed levels of authority, with their national codes. Public."""
    names = Localiser.negotiate(accept_language)
    result = [
        AuthorityLevelRead(code=level, national_code=code, name=names.text(vi, en), name_vi=vi, name_en=en)
        for level, (code, vi, en) in AUTHORITY_LEVELS.items()
    ]
    names.set_header(response)
    return result
