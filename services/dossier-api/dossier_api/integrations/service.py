"""Dossiers filed on the National Public Service Portal, received as online dossiers. Never commits."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from dossier_api.catalog.lookup import ProcedureInForce
from dossier_api.dossiers.schemas import (
    Applicant,
    DossierCreate,
    ResultReturn,
    SubmittedDocument,
)
from dossier_api.dossiers.service import DossierService, ExternalReference
from dossier_api.integrations.repository import IntegrationRepository
from dossier_api.integrations.schemas import PortalDossierIn
from dossier_api.models import Channel, Dossier, ExternalSystem, ReturnMethod
from motcua_kit.auth import Principal
from motcua_kit.errors import UnprocessableContent, field_errors_from_validation

_RETURN_METHOD = {"0": ReturnMethod.IN_PERSON, "1": ReturnMethod.POST, "2": ReturnMethod.ONLINE}


def to_reception(body: PortalDossierIn) -> DossierCreate:
    """The portal's record as a reception: online, the applicant, the documents, how the result goes back."""
    try:
        return DossierCreate(
            procedure_code=body.MaTTHC,
            channel=Channel.ONLINE,
            applicant=Applicant(
                type=body.applicant_type,
                name=body.ChuHoSo,
                id_number=body.MaDoiTuong or None,
                phone=body.SoDienThoai,
                email=body.Email,
                address=body.DiaChi,
            ),
            summary=body.TrichYeuHoSo,
            documents=[
                SubmittedDocument(component=d.TenGiayTo, originals=d.SoBanChinh, copies=d.SoBanSao)
                for d in body.DanhSachGiayTo
            ],
            result_return=ResultReturn(method=_RETURN_METHOD[body.HinhThuc], address=body.DiaChiNhanKetQua),
            submitted_at=body.submitted_at,
        )
    except ValidationError as exc:  # e.g. a listed document with neither an original nor a copy
        raise UnprocessableContent(
            "The portal's dossier does not make a valid reception.",
            code="invalid_portal_dossier",
            errors=field_errors_from_validation(exc.errors()),
        ) from exc


@dataclass(frozen=True, slots=True)
class Intake:
    dossier: Dossier
    tracking_secret: str | None  # None when the dossier was already here (a replay)
    created: bool


class PortalIntakeService:
    def __init__(self, repository: IntegrationRepository, dossiers: DossierService) -> None:
        self.repository = repository
        self.dossiers = dossiers

    async def existing(self, portal_code: str) -> Dossier | None:
        return await self.repository.by_external_reference(ExternalSystem.NATIONAL_PORTAL, portal_code)

    async def file(self, body: PortalDossierIn, principal: Principal, procedure: ProcedureInForce | None) -> Intake:
        """Register the portal's dossier, once per portal code: a second call answers with the first dossier."""
        found = await self.existing(body.MaHoSo)
        if found is not None:
            return Intake(found, None, created=False)
        if procedure is None:  # it was here when the lookup ran, and is gone: nothing sensible to do but fail
            raise UnprocessableContent("The portal's dossier could not be matched.", code="invalid_portal_dossier")
        data = to_reception(body)
        external = ExternalReference(ExternalSystem.NATIONAL_PORTAL, body.MaHoSo)
        try:
            # A concurrent call with the same portal code loses on the unique reference, and replays.
            async with self.repository.session.begin_nested():
                reception = await self.dossiers.receive(data, principal, procedure, external=external)
        except IntegrityError:
            found = await self.existing(body.MaHoSo)
            if found is None:
                raise
            return Intake(found, None, created=False)
        return Intake(reception.dossier, reception.tracking_secret, created=True)
