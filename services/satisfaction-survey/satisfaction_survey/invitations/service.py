"""Invitation rules. Raises the kit's problem errors; never commits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from motcua_kit.auth import Principal
from motcua_kit.db import utcnow
from motcua_kit.errors import Conflict, NotFound
from motcua_kit.timezone import local_date
from satisfaction_survey.invitations import rules
from satisfaction_survey.invitations.repository import InvitationRepository
from satisfaction_survey.invitations.schemas import InvitationCreate
from satisfaction_survey.models import Invitation
from satisfaction_survey.questionnaires.repository import QuestionnaireRepository
from satisfaction_survey.stats.totals import TotalsRepository

UNAVAILABLE = "This survey link is unknown, has expired or has already been answered."


def invitation_unavailable() -> NotFound:
    """One answer for an unknown, expired or used token, so the answer tells nothing about the token."""
    return NotFound(UNAVAILABLE, code="invitation_unavailable")


@dataclass(frozen=True, slots=True)
class IssuedInvitation:
    invitation: Invitation
    token: str


class InvitationService:
    def __init__(
        self,
        repository: InvitationRepository,
        questionnaires: QuestionnaireRepository,
        totals: TotalsRepository,
        *,
        ttl_days: int,
    ) -> None:
        self.repository = repository
        self.questionnaires = questionnaires
        self.totals = totals
        self.ttl_days = ttl_days

    async def create(
        self, data: InvitationCreate, principal: Principal, *, now: dt.datetime | None = None
    ) -> IssuedInvitation:
        """One invitation per dossier, for the questionnaire version current now (409 for a second)."""
        issued = await self._issue(data, principal.subject, now or utcnow())
        if issued is None:
            raise _exists(data.dossier_code)
        return issued

    async def invite_returned_dossier(
        self, data: InvitationCreate, created_by: str, *, now: dt.datetime | None = None
    ) -> Invitation | None:
        """The invitation of a dossier whose result was returned (the ``dossier.returned`` event), or None
        when the dossier has one already: a second event for the same dossier changes nothing.

        Its token is shown to nobody: whoever hands the result to the citizen asks
        ``POST /invitations/reissue`` for the link and QR code (docs/satisfaction-survey.md).
        """
        issued = await self._issue(data, created_by, now or utcnow())
        return issued.invitation if issued is not None else None

    async def _issue(self, data: InvitationCreate, created_by: str, now: dt.datetime) -> IssuedInvitation | None:
        """Create the dossier's invitation; None if it already has one (also when created at the same moment)."""
        if await self.repository.get_by_dossier(data.dossier_code) is not None:
            return None
        questionnaire = await self.questionnaires.current()
        if questionnaire is None:
            raise Conflict("No questionnaire has been published yet.", code="no_current_questionnaire")
        token = rules.new_token()
        invitation = Invitation(
            dossier_code=data.dossier_code,
            procedure_code=data.procedure_code,
            agency_code=data.agency_code,
            channel=data.channel,
            officer_id=data.officer_id,
            officer_name=data.officer_name,
            questionnaire_id=questionnaire.id,
            questionnaire=questionnaire,
            token_hash=rules.token_digest(token),
            expires_at=rules.expiry(now, self.ttl_days),
            issued_on=local_date(now),
            created_at=now,
            created_by=created_by,
        )
        if not await self.repository.add(invitation):
            return None
        await self.totals.count_invitation(
            day=invitation.issued_on,
            agency_code=invitation.agency_code,
            procedure_code=invitation.procedure_code,
            channel=invitation.channel,
        )
        return IssuedInvitation(invitation, token)

    async def reissue(self, dossier_code: str, *, now: dt.datetime | None = None) -> IssuedInvitation:
        """A new link for a dossier not yet evaluated (slip reprinted, token lost); the old link dies."""
        now = now or utcnow()
        invitation = await self.repository.get_by_dossier(dossier_code)
        if invitation is None:
            raise NotFound(f"No invitation for dossier {dossier_code!r}.", code="invitation_not_found")
        if invitation.responded_at is not None:
            raise Conflict(f"Dossier {dossier_code!r} has already been evaluated.", code="already_answered")
        token = rules.new_token()
        invitation.token_hash = rules.token_digest(token)
        invitation.expires_at = rules.expiry(now, self.ttl_days)
        await self.repository.flush()
        return IssuedInvitation(invitation, token)

    async def open_by_token(self, token: str, *, now: dt.datetime | None = None) -> Invitation:
        """The invitation a link opens, if it may still be answered; otherwise one uniform 404."""
        now = now or utcnow()
        invitation = await self.repository.get_by_token_digest(rules.token_digest(token))
        if invitation is None or not rules.token_matches(invitation, token) or not rules.is_open(invitation, now):
            raise invitation_unavailable()
        return invitation


def _exists(dossier_code: str) -> Conflict:
    return Conflict(
        f"Dossier {dossier_code!r} already has an invitation; reissue it for a new link.", code="invitation_exists"
    )
