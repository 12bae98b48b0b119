"""Reception and reading of dossiers. Raises the kit's problem errors; never commits."""

from __future__ import annotations

import datetime as dt

from dossier_api.dossiers import rules
from dossier_api.dossiers.repository import DossierRepository
from dossier_api.dossiers.schemas import DossierCreate
from dossier_api.models import Dossier, DossierStatus
from motcua_kit.auth import Principal
from motcua_kit.db import utcnow
from motcua_kit.errors import FieldError, Forbidden, NotFound, UnprocessableContent
from motcua_kit.timezone import local_date


class DossierService:
    def __init__(self, repository: DossierRepository, *, agency_code: str) -> None:
        self.repository = repository
        self.agency_code = agency_code

    async def receive(self, data: DossierCreate, principal: Principal, *, now: dt.datetime | None = None) -> Dossier:
        now = now or utcnow()
        if not rules.channel_allowed(principal, data.channel):
            raise Forbidden(
                "Applicants file online; in-person and postal dossiers are entered by the one-stop unit.",
                code="channel_not_allowed",
            )
        submitted_at = data.submitted_at or now
        if submitted_at > now + rules.SUBMISSION_CLOCK_SKEW:
            raise UnprocessableContent(
                "The submission time is in the future.",
                code="submitted_in_future",
                errors=[FieldError(field="submitted_at", message="must not be in the future")],
            )
        status = rules.initial_status(principal)
        received_at = now if status is DossierStatus.RECEIVED else None
        sequence = await self.repository.next_sequence(self.agency_code, local_date(now))
        dossier = Dossier(
            code=rules.format_dossier_code(self.agency_code, local_date(now), sequence),
            agency_code=self.agency_code,
            procedure_code=data.procedure_code,
            channel=data.channel,
            status=status,
            applicant_name=data.applicant.name,
            applicant_id_number=data.applicant.id_number,
            applicant_phone=data.applicant.phone,
            applicant_subject=None if received_at else principal.subject,
            received_by=principal.subject,
            submitted_at=submitted_at,
            received_at=received_at,
        )
        return await self.repository.add(dossier)

    async def get(self, code: str, principal: Principal) -> Dossier:
        dossier = await self.repository.get_by_code(code)
        # Someone who may not read it learns nothing, not even that it exists.
        if dossier is None or not rules.may_read(principal, dossier.applicant_subject):
            raise NotFound(f"No dossier {code!r} visible to you.", code="dossier_not_found")
        return dossier
