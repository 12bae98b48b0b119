"""The public lookup: a dossier's code plus its secret or the applicant's phone."""

from __future__ import annotations

from dossier_api.dossiers import rules
from dossier_api.dossiers.deadline import progress_of
from dossier_api.dossiers.repository import DossierRepository
from dossier_api.models import DossierStatus
from dossier_api.tracking.schemas import TrackingStep, TrackingView
from dossier_api.tracking.texts import status_text, step_text
from motcua_kit.db import utcnow
from motcua_kit.errors import NotFound, UnprocessableContent

# Imported historical dossiers were never given a secret; the dummy keeps timing alike for them.
_NO_SECRET = "0" * 64


class TrackingService:
    def __init__(self, repository: DossierRepository) -> None:
        self.repository = repository

    async def lookup(self, code: str, *, secret: str | None, phone: str | None, language: str) -> TrackingView:
        """Wrong secret, wrong phone and unknown code all answer the same 404, in about the same time."""
        if (secret is None) == (phone is None):
            raise UnprocessableContent("Give either the tracking secret or the phone number.", code="secret_or_phone")
        dossier = await self.repository.get_by_code(code)
        if secret is not None:
            stored = dossier.tracking_secret_hash if dossier else None
            matched = rules.tracking_secret_matches(code, secret, stored or _NO_SECRET)
            matched = matched and stored is not None
        else:
            assert phone is not None
            matched = rules.phone_matches(phone, dossier.applicant_phone if dossier else None)
        if dossier is None or not matched:
            raise NotFound("No dossier matches this code and secret.", code="tracking_not_found")
        steps = [
            TrackingStep(at=entry.at, text=step_text(entry.action, language))
            for entry in await self.repository.timeline(dossier.id)
        ]
        missing: list[str] = []
        if dossier.status is DossierStatus.SUPPLEMENT_REQUESTED:
            supplements = await self.repository.supplements(dossier.id)
            missing = list(supplements[-1].items) if supplements else []
        return TrackingView(
            code=dossier.code,
            procedure_code=dossier.procedure_code,
            procedure_name=dossier.procedure_name,
            status=dossier.status,
            portal_status=dossier.status.portal_code,
            status_text=status_text(dossier.status, language),
            submitted_at=dossier.submitted_at,
            received_at=dossier.received_at,
            due_at=dossier.due_at,
            resolved_at=dossier.resolved_at,
            returned_at=dossier.returned_at,
            timeliness=dossier.timeliness,
            progress=progress_of(dossier, utcnow()),
            supplement_items=missing,
            steps=steps,
        )
