"""HTTP for /api/v1/surveys/invitations."""

from __future__ import annotations

import io
from typing import Annotated

import segno
from fastapi import APIRouter, Depends, Path, Request, Response, status

from motcua_kit.auth import Principal, Role, require_roles
from motcua_kit.db import DBSession
from motcua_kit.errors import problem_responses
from motcua_kit.i18n import AcceptLanguage, negotiate_language, set_content_language
from satisfaction_survey.config import SurveySettings
from satisfaction_survey.invitations.repository import InvitationRepository
from satisfaction_survey.invitations.schemas import (
    InvitationCreate,
    InvitationForm,
    InvitationIssued,
    InvitationReissue,
)
from satisfaction_survey.invitations.service import InvitationService, IssuedInvitation
from satisfaction_survey.questionnaires.repository import QuestionnaireRepository
from satisfaction_survey.questionnaires.schemas import questionnaire_read
from satisfaction_survey.stats.totals import TotalsRepository

router = APIRouter(prefix="/surveys/invitations", tags=["invitations"])

INVITING_ROLES = (Role.INTEGRATION, Role.RECEPTION_OFFICER, Role.SURVEY_ADMIN)
PREFIX = "/api/v1/surveys/invitations"
# The token is a secret: keep it out of caches and out of the Referer of any link the page follows.
SECRET_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


async def get_service(request: Request, session: DBSession) -> InvitationService:
    settings: SurveySettings = request.app.state.settings
    return InvitationService(
        InvitationRepository(session),
        QuestionnaireRepository(session),
        TotalsRepository(session),
        ttl_days=settings.invitation_ttl_days,
    )


Service = Annotated[InvitationService, Depends(get_service)]
Inviter = Annotated[Principal, require_roles(*INVITING_ROLES)]
Token = Annotated[str, Path(min_length=1, max_length=128, description="The token of the invitation's link.")]


def answer_link(settings: SurveySettings, token: str) -> str:
    base = settings.answer_link_base or f"{settings.public_base_url}{PREFIX}/"
    return base + token


def _issued(request: Request, response: Response, issued: IssuedInvitation) -> InvitationIssued:
    settings: SurveySettings = request.app.state.settings
    invitation = issued.invitation
    response.headers.update(SECRET_HEADERS)
    qr_base = f"{settings.public_base_url}{PREFIX}/{issued.token}/qr"
    return InvitationIssued(
        id=invitation.id,
        dossier_code=invitation.dossier_code,
        procedure_code=invitation.procedure_code,
        agency_code=invitation.agency_code,
        channel=invitation.channel,
        officer_id=invitation.officer_id,
        officer_name=invitation.officer_name,
        questionnaire_version=invitation.questionnaire.version,
        token=issued.token,
        link=answer_link(settings, issued.token),
        qr_svg=f"{qr_base}.svg",
        qr_png=f"{qr_base}.png",
        expires_at=invitation.expires_at,
        created_at=invitation.created_at,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Invite a dossier's applicant to evaluate it",
    responses=problem_responses(409),
)
async def create_invitation(
    *, body: InvitationCreate, service: Service, request: Request, response: Response, principal: Inviter
) -> InvitationIssued:
    """One invitation per dossier (409 for a second), with its link and QR code. Needs `integration`,
    `reception_officer` or `survey_admin`. The token is returned only here."""
    return _issued(request, response, await service.create(body, principal))


@router.post(
    "/reissue",
    summary="Give a dossier's invitation a new link",
    responses=problem_responses(404, 409),
)
async def reissue_invitation(
    *, body: InvitationReissue, service: Service, request: Request, response: Response, _principal: Inviter
) -> InvitationIssued:
    """A new token and expiry for a dossier not yet evaluated; the previous link stops working."""
    return _issued(request, response, await service.reissue(body.dossier_code))


@router.get("/{token}", summary="Open a survey link", responses=problem_responses(404))
async def open_invitation(
    token: Token, service: Service, response: Response, accept_language: AcceptLanguage = None
) -> InvitationForm:
    """The questionnaire to answer for this link, in the language asked for. Public; shows nothing
    personal. An unknown, expired or used link is one and the same 404."""
    invitation = await service.open_by_token(token)
    language = negotiate_language(accept_language)
    set_content_language(response, language)
    response.headers.update(SECRET_HEADERS)
    response.headers["Vary"] = "Accept-Language"
    return InvitationForm(
        procedure_code=invitation.procedure_code,
        agency_code=invitation.agency_code,
        expires_at=invitation.expires_at,
        questionnaire=questionnaire_read(invitation.questionnaire, language),
    )


_QR_MEDIA_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


@router.get(
    "/{token}/qr.{image_format}",
    summary="The QR code of a survey link",
    responses={
        200: {"content": {"image/svg+xml": {}, "image/png": {}}, "description": "The QR code."},
        **problem_responses(404),
    },
    response_class=Response,
)
async def invitation_qr_code(
    token: Token,
    image_format: Annotated[str, Path(pattern="^(svg|png)$", description="`svg` or `png`.")],
    service: Service,
    request: Request,
) -> Response:
    """The link as a QR code, to print on the receipt or result slip. Public, same 404 as the link."""
    await service.open_by_token(token)
    settings: SurveySettings = request.app.state.settings
    buffer = io.BytesIO()
    segno.make(answer_link(settings, token), error="m").save(buffer, kind=image_format, scale=6, border=4)
    return Response(buffer.getvalue(), media_type=_QR_MEDIA_TYPES[image_format], headers=SECRET_HEADERS)
