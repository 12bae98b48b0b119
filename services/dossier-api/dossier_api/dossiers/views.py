"""What a dossier looks like to each reader: full for those who need it, masked for the others."""

from __future__ import annotations

import datetime as dt

from dossier_api.dossiers import rules
from dossier_api.dossiers.deadline import progress_of
from dossier_api.dossiers.schemas import (
    ApplicantRead,
    DossierRead,
    DossierReceipt,
    DossierSummary,
    FeeRead,
    Intermediary,
    ProcedureSnapshotRead,
    ProcessingTimeRead,
    ResultReturnRead,
    SubmittedDocument,
)
from dossier_api.models import Dossier
from motcua_kit.auth import Principal
from motcua_kit.concurrency import etag_for
from motcua_kit.db import utcnow


def dossier_etag(dossier: Dossier) -> str:
    return dossier_version_etag(dossier.code, dossier.version)


def dossier_version_etag(code: str, version: int) -> str:
    """The ETag of a dossier at ``version``, as an answer recorded then (an idempotent replay) carries it."""
    return etag_for("dossier", code, version)


def procedure_of(dossier: Dossier) -> ProcedureSnapshotRead:
    processing_time = (
        ProcessingTimeRead(value=dossier.processing_time_value, unit=dossier.processing_time_unit)
        if dossier.processing_time_value is not None and dossier.processing_time_unit is not None
        else None
    )
    return ProcedureSnapshotRead(
        code=dossier.procedure_code,
        version=dossier.procedure_version,
        name=dossier.procedure_name,
        processing_time=processing_time,
        fees=[FeeRead.model_validate(fee) for fee in dossier.fees or []],
        source=(dossier.procedure_snapshot or {}).get("source"),
    )


def to_read(dossier: Dossier, principal: Principal, *, now: dt.datetime | None = None) -> DossierRead:
    full = rules.sees_personal_data(principal, dossier)
    applicant = ApplicantRead(
        type=dossier.applicant_type,
        name=dossier.applicant_name if full else rules.mask_name(dossier.applicant_name),
        id_number=dossier.applicant_id_number if full else rules.mask_digits(dossier.applicant_id_number),
        phone=dossier.applicant_phone if full else rules.mask_digits(dossier.applicant_phone),
        email=dossier.applicant_email if full else None,
        address=dossier.applicant_address if full else None,
    )
    return DossierRead(
        code=dossier.code,
        version=dossier.version,
        agency_code=dossier.agency_code,
        current_agency=dossier.current_agency,
        status=dossier.status,
        portal_status=dossier.status.portal_code,
        channel=dossier.channel,
        procedure=procedure_of(dossier),
        procedure_code=dossier.procedure_code,
        summary=dossier.summary,
        applicant=applicant,
        applicant_name=applicant.name,
        intermediary=(
            Intermediary(code=dossier.intermediary_code, name=dossier.intermediary_name or dossier.intermediary_code)
            if dossier.intermediary_code
            else None
        ),
        external_reference=dossier.external_reference,
        documents=[SubmittedDocument.model_validate(d) for d in dossier.documents or []],
        result_return=(
            ResultReturnRead(method=dossier.return_method, address=dossier.return_address if full else None)
            if dossier.return_method is not None
            else None
        ),
        submitted_at=dossier.submitted_at,
        received_at=dossier.received_at,
        clock_started_at=dossier.clock_started_at,
        due_at=dossier.due_at,
        calendar_version=dossier.calendar_version,
        paused=dossier.paused_since is not None,
        rescheduled=dossier.rescheduled_at is not None,
        assigned_unit=dossier.assigned_unit,
        assigned_officer=dossier.assigned_officer,
        fees_amount_vnd=dossier.fees_amount_vnd,
        paid_at=dossier.paid_at,
        resolved_at=dossier.resolved_at,
        result_number=dossier.result_number,
        result_date=dossier.result_date,
        timeliness=dossier.timeliness,
        progress=progress_of(dossier, now or utcnow()),
        returned_at=dossier.returned_at,
        return_tracking_number=dossier.return_tracking_number,
        closing_reason=dossier.closing_reason,
    )


def to_receipt(dossier: Dossier, principal: Principal, secret: str) -> DossierReceipt:
    return DossierReceipt(**to_read(dossier, principal).model_dump(), tracking_secret=secret)


def to_summary(dossier: Dossier, principal: Principal, now: dt.datetime) -> DossierSummary:
    full = rules.sees_personal_data(principal, dossier)
    return DossierSummary(
        code=dossier.code,
        status=dossier.status,
        portal_status=dossier.status.portal_code,
        agency_code=dossier.agency_code,
        current_agency=dossier.current_agency,
        procedure_code=dossier.procedure_code,
        procedure_name=dossier.procedure_name,
        channel=dossier.channel,
        applicant_name=dossier.applicant_name if full else rules.mask_name(dossier.applicant_name),
        applicant_phone=dossier.applicant_phone if full else rules.mask_digits(dossier.applicant_phone),
        intermediary_code=dossier.intermediary_code,
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        assigned_officer=dossier.assigned_officer,
        timeliness=dossier.timeliness,
        progress=progress_of(dossier, now),
    )
