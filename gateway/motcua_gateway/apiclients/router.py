"""HTTP for /api/v1/api-clients: system clients and their keys (admin only)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response, status

from motcua_gateway.apiclients.repository import ApiClientRepository
from motcua_gateway.apiclients.schemas import (
    ApiClientCreate,
    ApiClientRead,
    ApiClientUpdate,
    ApiKeyIssued,
    ApiKeyRead,
    ClientName,
    KeyRotation,
)
from motcua_gateway.apiclients.service import ApiClientService
from motcua_gateway.apiclients.verifier import ApiKeyVerifier
from motcua_gateway.config import GatewaySettings
from motcua_gateway.models import ApiClient, ApiKey
from motcua_kit.auth import Principal, Role
from motcua_kit.db import DBSession, utcnow
from motcua_kit.errors import Forbidden, Unauthorized, problem_responses

router = APIRouter(prefix="/api-clients", tags=["api clients"])

SECURED: dict[str, Any] = {"security": [{"bearerAuth": []}, {"apiKeyAuth": []}]}


async def edge_admin(request: Request) -> Principal:
    """The caller the gateway's edge authenticated; the policy already required `admin`, checked again here."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:
        raise Unauthorized("A bearer token is required.")
    if Role.ADMIN not in principal.roles:
        raise Forbidden("This action needs the role: admin.", code="missing_role")
    return principal


Admin = Annotated[Principal, Depends(edge_admin)]


async def get_service(request: Request, session: DBSession) -> ApiClientService:
    settings: GatewaySettings = request.app.state.settings
    pepper = settings.api_keys.pepper.get_secret_value() if settings.api_keys.pepper else None
    return ApiClientService(
        ApiClientRepository(session),
        pepper=pepper,
        grace=dt.timedelta(hours=settings.api_keys.rotation_grace_hours),
    )


Service = Annotated[ApiClientService, Depends(get_service)]
Name = Annotated[ClientName, Path(description="The client's slug.")]


def to_read(client: ApiClient) -> ApiClientRead:
    now = utcnow()
    return ApiClientRead(
        name=client.name,
        display_name=client.display_name,
        roles=[Role(r) for r in client.roles],
        agency=client.agency,
        enabled=client.enabled,
        created_at=client.created_at,
        keys=[
            ApiKeyRead(
                key_id=k.key_id,
                created_at=k.created_at,
                expires_at=k.expires_at,
                revoked_at=k.revoked_at,
                valid=k.valid_at(now),
            )
            for k in client.keys
        ],
    )


def issued(client: ApiClient, key: ApiKey, api_key: str) -> ApiKeyIssued:
    return ApiKeyIssued(client=to_read(client), key_id=key.key_id, api_key=api_key)


def _changed(request: Request) -> None:
    verifier: ApiKeyVerifier | None = request.app.state.api_key_verifier
    if verifier is not None:
        verifier.forget()


AUTH_ERRORS = (401, 403, 429)


@router.get("", summary="List API clients", responses=problem_responses(*AUTH_ERRORS), openapi_extra=SECURED)
async def list_clients(service: Service, _admin: Admin) -> list[ApiClientRead]:
    """Every system client with its keys (never the keys themselves). Needs `admin`."""
    return [to_read(c) for c in await service.list()]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Register an API client",
    responses=problem_responses(*AUTH_ERRORS, 409, 503),
    openapi_extra=SECURED,
)
async def create_client(
    body: ApiClientCreate, service: Service, response: Response, request: Request, _admin: Admin
) -> ApiKeyIssued:
    """A system client and its first key, shown only in this answer. Needs `admin`."""
    client, key, api_key = await service.create(body)
    _changed(request)
    response.headers["Location"] = f"/api/v1/api-clients/{client.name}"
    response.headers["Cache-Control"] = "no-store"
    return issued(client, key, api_key)


@router.get(
    "/{name}", summary="Read an API client", responses=problem_responses(*AUTH_ERRORS, 404), openapi_extra=SECURED
)
async def get_client(name: Name, service: Service, _admin: Admin) -> ApiClientRead:
    """One system client and its keys. Needs `admin`."""
    return to_read(await service.get(name))


@router.patch(
    "/{name}", summary="Change an API client", responses=problem_responses(*AUTH_ERRORS, 404), openapi_extra=SECURED
)
async def update_client(
    name: Name, body: ApiClientUpdate, service: Service, request: Request, _admin: Admin
) -> ApiClientRead:
    """Its name, roles, agency, or whether it may call at all. Needs `admin`."""
    client = await service.update(name, body)
    _changed(request)
    return to_read(client)


@router.post(
    "/{name}/keys",
    status_code=status.HTTP_201_CREATED,
    summary="Rotate an API client's key",
    responses=problem_responses(*AUTH_ERRORS, 404, 503),
    openapi_extra=SECURED,
)
async def rotate_key(
    name: Name, service: Service, response: Response, request: Request, _admin: Admin, body: KeyRotation | None = None
) -> ApiKeyIssued:
    """A new key. The current one keeps working for the grace period, so the client can switch
    without downtime; a key left from an earlier rotation stops now. Needs `admin`."""
    client, key, api_key = await service.rotate(name, body.grace_hours if body else None)
    _changed(request)
    response.headers["Cache-Control"] = "no-store"
    return issued(client, key, api_key)


@router.delete(
    "/{name}/keys/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke an API key",
    responses=problem_responses(*AUTH_ERRORS, 404),
    openapi_extra=SECURED,
)
async def revoke_key(
    name: Name,
    key_id: Annotated[str, Path(pattern=r"^[0-9a-f]{16}$", description="The key's id.")],
    service: Service,
    request: Request,
    _admin: Admin,
) -> Response:
    """The key stops working at once on this gateway, within the key cache time on the others. Needs `admin`."""
    await service.revoke(name, key_id)
    _changed(request)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
