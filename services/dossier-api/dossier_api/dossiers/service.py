"""Reception and reading of dossiers. Raises the kit's problem errors; never commits."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from dossier_api.calendars.service import CalendarService
from dossier_api.catalog.client import ProcedureVersion
from dossier_api.catalog.lookup import ProcedureInForce, ProcedureSource
from dossier_api.dossiers import rules
from dossier_api.dossiers.deadline import derive_due_at
from dossier_api.dossiers.repository import DossierFilter, DossierRepository
from dossier_api.dossiers.schemas import DossierCreate
from dossier_api.dossiers.timeline import acting_role, entry
from dossier_api.events.publish import DossierEvents
from dossier_api.models import (
    Dossier,
    DossierSource,
    DossierStatus,
    ExternalSystem,
    IdempotencyRecord,
    Pause,
    SupplementRequest,
    TimelineEntry,
)
from dossier_api.observability import DossierMetrics
from motcua_kit.auth import Principal, Role
from motcua_kit.db import utcnow
from motcua_kit.errors import FieldError, Forbidden, NotFound, UnprocessableContent
from motcua_kit.pagination import PageParams, SortKey
from motcua_kit.timezone import local_date


@dataclass(frozen=True, slots=True)
class Reception:
    dossier: Dossier
    tracking_secret: str


@dataclass(frozen=True, slots=True)
class ExternalReference:
    """A dossier filed on another system first: that system and the dossier's code there."""

    system: ExternalSystem
    reference: str


@dataclass(frozen=True, slots=True)
class Replay:
    status: int
    body: dict[str, Any]


def request_fingerprint(data: DossierCreate) -> str:
    """Two bodies that mean the same thing (key order, spacing) have the same fingerprint."""
    return hashlib.sha256(data.model_dump_json().encode()).hexdigest()


def check_procedure(procedure: ProcedureVersion | None, data: DossierCreate) -> ProcedureVersion:
    """A dossier needs a procedure in force today, not abolished, offered on the dossier's channel."""
    if procedure is None:
        raise UnprocessableContent(
            f"No procedure {data.procedure_code!r} is in force in the catalogue today.",
            code="unknown_procedure",
            errors=[FieldError(field="procedure_code", message="unknown, or not in force today")],
        )
    if procedure.abolished:
        raise UnprocessableContent(
            f"Procedure {data.procedure_code!r} is abolished and accepts no new dossiers.",
            code="procedure_abolished",
            errors=[FieldError(field="procedure_code", message="abolished")],
        )
    if procedure.terms_for(data.channel.value) is None:
        raise UnprocessableContent(
            f"Procedure {data.procedure_code!r} is not offered on the {data.channel.value} channel.",
            code="channel_not_offered",
            errors=[FieldError(field="channel", message="not offered for this procedure")],
        )
    return procedure


class DossierService:
    def __init__(
        self,
        repository: DossierRepository,
        calendars: CalendarService,
        *,
        agency_code: str,
        metrics: DossierMetrics | None = None,
    ) -> None:
        self.repository = repository
        self.calendars = calendars
        self.agency_code = agency_code
        self.metrics = metrics
        self.events = DossierEvents(repository)

    # --- idempotency -----------------------------------------------------------------------------

    async def replay(self, principal: Principal, key: str, fingerprint: str) -> Replay | None:
        """The stored answer to an earlier request with this key, or None for a new key.

        A concurrent request with the same key waits for the first one (unique key row) and then
        replays its answer, so a retry never creates a second dossier.
        """
        record = await self.repository.idempotency_record(principal.subject, key)
        if record is None:
            claimed = await self.repository.claim_idempotency_key(
                IdempotencyRecord(principal_subject=principal.subject, key=key, request_hash=fingerprint)
            )
            if claimed:
                return None
            record = await self.repository.idempotency_record(principal.subject, key)
            assert record is not None
        if record.request_hash != fingerprint:
            raise UnprocessableContent(
                "This Idempotency-Key was used with a different request body; use a new key.",
                code="idempotency_key_reused",
                errors=[FieldError(field="Idempotency-Key", location="header", message="used with another body")],
            )
        if record.response_body is None or record.response_status is None:
            raise UnprocessableContent(
                "The first request with this Idempotency-Key did not finish; use a new key.",
                code="idempotency_key_reused",
            )
        return Replay(record.response_status, record.response_body)

    async def remember(self, principal: Principal, key: str, status: int, body: dict[str, Any]) -> None:
        record = await self.repository.idempotency_record(principal.subject, key)
        assert record is not None
        record.response_status = status
        record.response_body = body
        record.dossier_code = body.get("code")
        await self.repository.session.flush()

    # --- reception -------------------------------------------------------------------------------

    async def receive(
        self,
        data: DossierCreate,
        principal: Principal,
        procedure: ProcedureInForce,
        *,
        now: dt.datetime | None = None,
        external: ExternalReference | None = None,
    ) -> Reception:
        """Register a dossier and, when staff file it, decide its reception (accept, incomplete, refuse).

        A dossier filed on another system (``external``) is registered only: the one-stop unit
        receives it afterwards, as any dossier filed online.
        """
        now = now or utcnow()
        if not rules.channel_allowed(principal, data.channel):
            raise Forbidden(
                "Applicants file online; in-person and postal dossiers are entered by the one-stop unit.",
                code="channel_not_allowed",
            )
        receiving = principal.has_any(rules.RECEIVING_ROLES) and external is None
        if not principal.has_any(rules.RECEIVING_ROLES) and data.reception.decision != "accept":
            raise Forbidden("Only the one-stop unit decides at reception.", code="reception_decision_not_allowed")
        submitted_at = data.submitted_at or now
        if submitted_at > now + rules.SUBMISSION_CLOCK_SKEW:
            raise UnprocessableContent(
                "The submission time is in the future.",
                code="submitted_in_future",
                errors=[FieldError(field="submitted_at", message="must not be in the future")],
            )
        version = check_procedure(procedure.version, data)
        terms = version.terms_for(data.channel.value)
        assert terms is not None

        intermediary_subject: str | None = None
        intermediary_code = data.intermediary.code if data.intermediary else None
        intermediary_name = data.intermediary.name if data.intermediary else None
        if not receiving and Role.INTERMEDIARY in principal.roles:
            intermediary_subject = principal.subject
            intermediary_code = intermediary_code or principal.agency
            if intermediary_code is None:
                raise UnprocessableContent(
                    "An intermediary names itself in `intermediary`.",
                    code="intermediary_required",
                    errors=[FieldError(field="intermediary", message="required when an intermediary files")],
                )

        day = local_date(now)
        sequence = await self.repository.next_sequence(self.agency_code, day)
        code = rules.format_dossier_code(self.agency_code, day, sequence)
        secret = rules.new_tracking_secret()
        dossier = Dossier(
            code=code,
            agency_code=self.agency_code,
            current_agency=self.agency_code,
            source=DossierSource.RECEPTION,
            procedure_code=version.code,
            procedure_version=version.version,
            procedure_name=version.name_vi,
            procedure_snapshot={**version.model_dump(mode="json"), "source": procedure.source.value},
            processing_time_value=terms.processing_time.value,
            processing_time_unit=terms.processing_time.unit.value,
            fees=[fee.model_dump(mode="json") for fee in terms.fees],
            fees_amount_vnd=sum(fee.amount_vnd for fee in terms.fees),
            channel=data.channel,
            status=DossierStatus.REGISTERED,
            summary=data.summary,
            applicant_type=data.applicant.type,
            applicant_name=data.applicant.name,
            applicant_id_number=data.applicant.id_number,
            applicant_phone=data.applicant.phone,
            applicant_email=str(data.applicant.email) if data.applicant.email else None,
            applicant_address=data.applicant.address,
            applicant_subject=None if receiving or Role.CITIZEN not in principal.roles else principal.subject,
            intermediary_code=intermediary_code,
            intermediary_name=intermediary_name,
            intermediary_subject=intermediary_subject,
            documents=[document.model_dump(mode="json") for document in data.documents],
            return_method=data.result_return.method,
            return_address=data.result_return.address,
            received_by=principal.subject,
            submitted_at=submitted_at,
            external_system=external.system if external else None,
            external_reference=external.reference if external else None,
            tracking_secret_hash=rules.hash_tracking_secret(code, secret),
            created_at=now,
            updated_at=now,
        )
        await self.repository.add(dossier)
        role = acting_role(principal, rules.RECEIVING_ROLES | {Role.CITIZEN, Role.INTERMEDIARY})
        details: dict[str, Any] = {}
        if procedure.source is ProcedureSource.LOCAL_COPY:
            # Said in the record: the catalogue could not be asked, its last announced version was used.
            details["procedure_source"] = procedure.source.value
            details["procedure_version"] = version.version
        if external is not None:
            details["external_system"] = external.system.value
            details["external_reference"] = external.reference
        await self.repository.add_timeline(
            entry(
                dossier,
                action="register",
                principal=principal,
                role=role,
                at=now,
                status_before=None,
                details=details or None,
            )
        )
        if receiving:
            decision = data.reception.decision
            if decision == "accept":
                await self.start_clock(dossier, principal, role, now, action="receive")
            elif decision == "incomplete":
                await self.request_supplement_at_reception(
                    dossier, items=data.reception.missing_items, note=None, principal=principal, role=role, now=now
                )
            else:
                self.refuse(dossier, data.reception.reason or "", now)
                await self.repository.add_timeline(
                    entry(
                        dossier,
                        action="refuse",
                        principal=principal,
                        role=role,
                        at=now,
                        status_before=DossierStatus.REGISTERED,
                        note=data.reception.reason,
                    )
                )
        await self.publish(dossier)
        return Reception(dossier, secret)

    async def publish(self, dossier: Dossier) -> None:
        """The request's event: the dossier after its last step, in the same transaction."""
        await self.repository.flush()
        assert self.repository.last_step is not None, "a dossier change writes a timeline entry"
        await self.events.publish(dossier, self.repository.last_step)

    async def start_clock(
        self,
        dossier: Dossier,
        principal: Principal,
        role: str,
        now: dt.datetime,
        *,
        action: str,
        note: str | None = None,
    ) -> TimelineEntry:
        """Valid reception: the clock starts now (or at the next opening) and the due date is set."""
        before = dossier.status
        dossier.status = DossierStatus.RECEIVED
        dossier.received_at = now
        dossier.received_on = local_date(now)
        dossier.received_by = principal.subject
        dossier.clock_started_at = now
        await self.refresh_due_at(dossier, now)
        if self.metrics is not None:
            self.metrics.dossier_received(dossier.agency_code, dossier.channel.value)
        timeline_entry = entry(
            dossier,
            action=action,
            principal=principal,
            role=role,
            at=now,
            status_before=before,
            note=note,
            step_deadline=dossier.due_at,
        )
        await self.repository.add_timeline(timeline_entry)
        return timeline_entry

    async def request_supplement_at_reception(
        self,
        dossier: Dossier,
        *,
        items: Sequence[str],
        note: str | None,
        principal: Principal,
        role: str,
        now: dt.datetime,
    ) -> None:
        """Incomplete at the counter: one request listing everything missing; the clock has not started."""
        before = dossier.status
        dossier.status = DossierStatus.SUPPLEMENT_REQUESTED
        await self.repository.add_supplement(
            SupplementRequest(
                dossier_id=dossier.id,
                at_reception=True,
                items=list(items),
                note=note,
                requested_at=now,
                resume_status=DossierStatus.RECEIVED,
            )
        )
        await self.repository.add_timeline(
            entry(
                dossier,
                action="request_supplement",
                principal=principal,
                role=role,
                at=now,
                status_before=before,
                details={"items": list(items)},
                note=note,
            )
        )

    def refuse(self, dossier: Dossier, reason: str, now: dt.datetime) -> None:
        dossier.status = DossierStatus.REFUSED
        dossier.closing_reason = reason
        dossier.finished_on = local_date(now)

    async def refresh_due_at(self, dossier: Dossier, now: dt.datetime, pauses: Sequence[Pause] | None = None) -> None:
        """Recompute the due date on the agency's calendar in force, and record that calendar's version."""
        calendar = await self.calendars.current(dossier.agency_code)
        if pauses is None:
            pauses = await self.repository.pauses(dossier.id) if dossier.id is not None else []
        dossier.due_at = derive_due_at(dossier, pauses, calendar.calendar, now=now)
        dossier.calendar_version = calendar.version

    # --- reading ---------------------------------------------------------------------------------

    async def get(self, code: str, principal: Principal) -> Dossier:
        dossier = await self.repository.get_by_code(code)
        # Someone who may not read it learns nothing, not even that it exists.
        if dossier is None or not rules.may_read(principal, dossier):
            raise NotFound(f"No dossier {code!r} visible to you.", code="dossier_not_found")
        return dossier

    async def timeline(self, dossier: Dossier) -> Sequence[TimelineEntry]:
        return await self.repository.timeline(dossier.id)

    async def supplements(self, dossier: Dossier) -> Sequence[SupplementRequest]:
        return await self.repository.supplements(dossier.id)

    async def list(
        self,
        filters: DossierFilter,
        principal: Principal,
        *,
        sort: Sequence[SortKey],
        page: PageParams,
        now: dt.datetime | None = None,
    ) -> tuple[Sequence[Dossier], int]:
        """Staff see every dossier; a citizen or an intermediary only their own."""
        if not rules.is_staff(principal):
            filters = replace(
                filters,
                restrict_to_owner=True,
                owner_subject=principal.subject,
                owner_intermediary=principal.agency if Role.INTERMEDIARY in principal.roles else None,
            )
        return await self.repository.list(filters, now=now or utcnow(), sort=sort, page=page)
