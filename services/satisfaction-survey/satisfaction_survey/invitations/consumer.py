"""The survey's consumer of dossier-api's events: a dossier's result returned -> its invitation.

dossier-api's dispatcher POSTs signed events to ``/internal/events`` (the kit's inbox, mounted in
``main.py``); the kit verifies the signature and applies each event id once. This handler then
applies ``dossier.returned``: the dossier's invitation is created from the event's data
(contracts/events/dossier.schema.json), unless the dossier has one already (a second
``dossier.returned`` of the same dossier, or an invitation staff made by hand): then nothing happens.

The invitation's token is shown to nobody at that moment; the citizen's link and QR code come from
``POST /api/v1/surveys/invitations/reissue`` when the result is handed over (docs/satisfaction-survey.md).

An event that cannot be applied (its data breaks the contract, or no questionnaire is published
yet) is refused with a problem: the producer's dispatcher tries again with backoff and, in the end,
keeps it as a dead letter an admin can replay, so no returned dossier is silently left uninvited.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from motcua_kit.errors import UnprocessableContent, field_errors_from_validation
from motcua_kit.events.consumer import Handler
from motcua_kit.events.envelope import CloudEvent
from motcua_kit.logging import get_logger
from satisfaction_survey.common import AgencyCode, DossierCode, ProcedureCode, SubjectId
from satisfaction_survey.invitations.repository import InvitationRepository
from satisfaction_survey.invitations.schemas import InvitationCreate
from satisfaction_survey.invitations.service import InvitationService
from satisfaction_survey.models import DossierChannel
from satisfaction_survey.questionnaires.repository import QuestionnaireRepository
from satisfaction_survey.stats.totals import TotalsRepository

log = get_logger("satisfaction_survey.consumer")


class Actor(BaseModel):
    model_config = ConfigDict(extra="ignore")

    subject: SubjectId


class ReturnedDossier(BaseModel):
    """What the survey reads of a ``dossier.returned`` event's data; the rest is ignored."""

    model_config = ConfigDict(extra="ignore")

    code: DossierCode
    agency_code: AgencyCode
    procedure_code: ProcedureCode
    channel: DossierChannel
    handled_by: SubjectId | None = None
    actor: Actor


def evaluated_officer(dossier: ReturnedDossier) -> str:
    """The civil servant the citizen evaluates: the one who resolved the dossier (``handled_by``); when
    the event names nobody (a dossier that came in already resolved), the officer who returned it."""
    return dossier.handled_by or dossier.actor.subject


def created_by(event: CloudEvent) -> str:
    """Who made an invitation from an event: the event, by id (traceable to the producer's outbox)."""
    return f"event:{event.id}"


def dossier_returned_handler(ttl_days: int) -> Handler:
    """The inbox handler of ``dossier.returned``; ``ttl_days`` is the invitation's link validity."""

    async def on_dossier_returned(session: AsyncSession, event: CloudEvent) -> None:
        try:
            dossier = ReturnedDossier.model_validate(event.data)
        except ValidationError as exc:
            raise UnprocessableContent(
                "The event's data does not describe a returned dossier.",
                code="invalid_event_data",
                errors=field_errors_from_validation({**e, "loc": ("data", *e["loc"])} for e in exc.errors()),
            ) from exc
        service = InvitationService(
            InvitationRepository(session),
            QuestionnaireRepository(session),
            TotalsRepository(session),
            ttl_days=ttl_days,
        )
        invitation = await service.invite_returned_dossier(
            InvitationCreate(
                dossier_code=dossier.code,
                procedure_code=dossier.procedure_code,
                agency_code=dossier.agency_code,
                channel=dossier.channel,
                officer_id=evaluated_officer(dossier),
            ),
            created_by(event),
        )
        log.info("dossier returned", dossier=dossier.code, invited=invitation is not None)

    return on_dossier_returned
