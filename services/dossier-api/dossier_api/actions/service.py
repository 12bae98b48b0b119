"""Processing actions: each checked against the state machine, each writing one timeline entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dossier_api.actions import rules
from dossier_api.actions.schemas import (
    AssignBody,
    FeesBody,
    NoteBody,
    PaymentBody,
    PaymentMethod,
    ReasonBody,
    RescheduleBody,
    ResolveBody,
    ReturnBody,
    SupplementCompleteBody,
    SupplementRequestBody,
    TransferBody,
)
from dossier_api.actions.state_machine import TRANSITIONS, Action, transition
from dossier_api.calendar.engine import Duration, DurationUnit
from dossier_api.calendar.rules import timeliness
from dossier_api.dossiers import rules as dossier_rules
from dossier_api.dossiers.service import DossierService
from dossier_api.dossiers.timeline import acting_role, entry
from dossier_api.dossiers.views import dossier_etag
from dossier_api.models import (
    Dossier,
    DossierStatus,
    Pause,
    PauseKind,
    ReturnMethod,
    SupplementRequest,
    Timeliness,
    Transfer,
)
from motcua_kit.auth import Principal
from motcua_kit.concurrency import check_if_match
from motcua_kit.db import utcnow
from motcua_kit.errors import Conflict, NotFound, UnprocessableContent
from motcua_kit.timezone import local_date


class ActionService:
    def __init__(self, dossiers: DossierService) -> None:
        self.dossiers = dossiers
        self.repository = dossiers.repository

    async def _load(self, code: str, principal: Principal, if_match: str | None) -> Dossier:
        dossier = await self.repository.get_by_code(code, for_update=True)
        if dossier is None or not dossier_rules.may_read(principal, dossier):
            raise NotFound(f"No dossier {code!r} visible to you.", code="dossier_not_found")
        check_if_match(if_match, dossier_etag(dossier))
        return dossier

    async def _record(
        self,
        dossier: Dossier,
        action: Action,
        principal: Principal,
        before: DossierStatus,
        now: dt.datetime,
        *,
        note: str | None = None,
        details: dict[str, Any] | None = None,
        step_deadline: dt.datetime | None = None,
    ) -> Dossier:
        dossier.updated_at = now
        role = acting_role(principal, TRANSITIONS[action].roles)
        await self.repository.add_timeline(
            entry(
                dossier,
                action=action.value,
                principal=principal,
                role=role,
                at=now,
                status_before=before,
                note=note,
                details=details,
                step_deadline=step_deadline,
            )
        )
        await self.repository.flush()
        return dossier

    async def _close_pause(self, dossier: Dossier, now: dt.datetime, kind: PauseKind | None = None) -> Pause | None:
        pause = await self.repository.open_pause(dossier.id)
        if pause is not None and (kind is None or pause.kind is kind):
            pause.ended_at = now
            dossier.paused_since = None
            return pause
        return None

    async def _open_pause(self, dossier: Dossier, kind: PauseKind, reason: str, now: dt.datetime) -> None:
        await self.repository.add_pause(Pause(dossier_id=dossier.id, kind=kind, reason=reason, started_at=now))
        dossier.paused_since = now

    async def perform(
        self, action: Action, code: str, principal: Principal, if_match: str | None, body: Any
    ) -> Dossier:
        now = utcnow()
        dossier = await self._load(code, principal, if_match)
        handler = getattr(self, f"_{action.value}")
        result: Dossier = await handler(dossier, principal, body, now)
        await self.dossiers.publish(result)
        return result

    # --- reception -------------------------------------------------------------------------------

    async def _receive(self, dossier: Dossier, principal: Principal, body: NoteBody, now: dt.datetime) -> Dossier:
        transition(Action.RECEIVE, dossier.status)
        role = acting_role(principal, TRANSITIONS[Action.RECEIVE].roles)
        await self.dossiers.start_clock(dossier, principal, role, now, action=Action.RECEIVE.value, note=body.note)
        dossier.updated_at = now
        await self.repository.flush()
        return dossier

    async def _refuse(self, dossier: Dossier, principal: Principal, body: ReasonBody, now: dt.datetime) -> Dossier:
        before = dossier.status
        transition(Action.REFUSE, before)
        if dossier.received_at is not None:
            raise Conflict(
                "A dossier already received cannot be refused; stop its processing.", code="already_received"
            )
        self.dossiers.refuse(dossier, body.reason, now)
        return await self._record(dossier, Action.REFUSE, principal, before, now, note=body.reason)

    async def _request_supplement(
        self, dossier: Dossier, principal: Principal, body: SupplementRequestBody, now: dt.datetime
    ) -> Dossier:
        before = dossier.status
        target = transition(Action.REQUEST_SUPPLEMENT, before)
        rules.require_single_supplement(len(await self.repository.supplements(dossier.id)))
        if before is DossierStatus.REGISTERED:
            role = acting_role(principal, TRANSITIONS[Action.REQUEST_SUPPLEMENT].roles)
            await self.dossiers.request_supplement_at_reception(
                dossier, items=body.items, note=body.note, principal=principal, role=role, now=now
            )
            dossier.updated_at = now
            await self.repository.flush()
            return dossier
        rules.require_not_paused(dossier)
        calendar = await self.dossiers.calendars.current(dossier.agency_code)
        assert dossier.received_at is not None
        rules.require_supplement_in_time(dossier.received_at, now, calendar.calendar)
        await self.repository.add_supplement(
            SupplementRequest(
                dossier_id=dossier.id,
                at_reception=False,
                items=list(body.items),
                note=body.note,
                requested_at=now,
                previous_due_at=dossier.due_at,
                resume_status=DossierStatus.PROCESSING,
            )
        )
        await self._open_pause(dossier, PauseKind.SUPPLEMENT, "; ".join(body.items), now)
        dossier.status = target
        return await self._record(
            dossier, Action.REQUEST_SUPPLEMENT, principal, before, now, note=body.note, details={"items": body.items}
        )

    async def _complete_supplement(
        self, dossier: Dossier, principal: Principal, body: SupplementCompleteBody, now: dt.datetime
    ) -> Dossier:
        before = dossier.status
        supplements = await self.repository.supplements(dossier.id)
        request = supplements[-1] if supplements else None
        target = transition(
            Action.COMPLETE_SUPPLEMENT, before, resume_status=request.resume_status if request else None
        )
        if request is None:
            raise Conflict("No supplement was requested for this dossier.", code="no_supplement_requested")
        request.completed_at = now
        dossier.documents = [*(dossier.documents or []), *(d.model_dump(mode="json") for d in body.documents)]
        if request.at_reception:
            # The dossier is now complete: this is its valid reception, and the clock starts.
            role = acting_role(principal, TRANSITIONS[Action.COMPLETE_SUPPLEMENT].roles)
            await self.dossiers.start_clock(
                dossier, principal, role, now, action=Action.COMPLETE_SUPPLEMENT.value, note=body.note
            )
            request.new_due_at = dossier.due_at
            dossier.updated_at = now
            await self.repository.flush()
            return dossier
        # The deadline is recounted from the new reception: the clock restarts now.
        await self._close_pause(dossier, now, PauseKind.SUPPLEMENT)
        dossier.clock_started_at = now
        dossier.status = target
        await self.dossiers.refresh_due_at(dossier, now)
        request.new_due_at = dossier.due_at
        return await self._record(
            dossier,
            Action.COMPLETE_SUPPLEMENT,
            principal,
            before,
            now,
            note=body.note,
            details={"previous_due_at": _iso(request.previous_due_at), "new_due_at": _iso(dossier.due_at)},
            step_deadline=dossier.due_at,
        )

    # --- processing ------------------------------------------------------------------------------

    async def _assign(self, dossier: Dossier, principal: Principal, body: AssignBody, now: dt.datetime) -> Dossier:
        before = dossier.status
        target = transition(Action.ASSIGN, before)
        rules.require_not_paused(dossier)
        dossier.assigned_unit = body.unit
        dossier.assigned_officer = body.officer
        dossier.status = target
        step_deadline = dossier.due_at
        if body.step_working_days is not None:
            calendar = await self.dossiers.calendars.current(dossier.agency_code)
            step_deadline = calendar.calendar.add(
                calendar.calendar.clock_start(now), Duration(body.step_working_days, DurationUnit.WORKING_DAYS)
            )
        return await self._record(
            dossier,
            Action.ASSIGN,
            principal,
            before,
            now,
            note=body.note,
            details={"unit": body.unit, "officer": body.officer},
            step_deadline=step_deadline,
        )

    async def _pause(self, dossier: Dossier, principal: Principal, body: ReasonBody, now: dt.datetime) -> Dossier:
        before = dossier.status
        transition(Action.PAUSE, before)
        if dossier.paused_since is not None:
            raise Conflict("The dossier is already paused.", code="already_paused")
        await self._open_pause(dossier, PauseKind.OTHER, body.reason, now)
        return await self._record(dossier, Action.PAUSE, principal, before, now, note=body.reason)

    async def _resume(self, dossier: Dossier, principal: Principal, body: NoteBody, now: dt.datetime) -> Dossier:
        before = dossier.status
        transition(Action.RESUME, before)
        previous_due = dossier.due_at
        if await self._close_pause(dossier, now, PauseKind.OTHER) is None:
            raise Conflict("The dossier is not paused.", code="not_paused")
        await self.dossiers.refresh_due_at(dossier, now)
        return await self._record(
            dossier,
            Action.RESUME,
            principal,
            before,
            now,
            note=body.note,
            details={"previous_due_at": _iso(previous_due), "new_due_at": _iso(dossier.due_at)},
            step_deadline=dossier.due_at,
        )

    async def _transfer(self, dossier: Dossier, principal: Principal, body: TransferBody, now: dt.datetime) -> Dossier:
        before = dossier.status
        target = transition(Action.TRANSFER, before)
        rules.require_not_paused(dossier)
        if await self.repository.open_transfer(dossier.id) is not None:
            raise Conflict("The dossier is already with another agency.", code="already_transferred")
        holder = dossier.current_agency or dossier.agency_code
        if body.to_agency == holder:
            raise UnprocessableContent("The dossier is already with that agency.", code="transfer_to_self")
        calendar = await self.dossiers.calendars.current(body.to_agency)
        share_due = calendar.calendar.add(
            calendar.calendar.clock_start(now), Duration(body.share_working_days, DurationUnit.WORKING_DAYS)
        )
        rules.require_share_within_deadline(share_due, dossier.due_at)
        await self.repository.add_transfer(
            Transfer(
                dossier_id=dossier.id,
                from_agency=holder,
                to_agency=body.to_agency,
                share_working_days=body.share_working_days,
                note=body.note,
                sent_at=now,
                step_deadline=share_due,
            )
        )
        dossier.current_agency = body.to_agency
        dossier.status = target
        return await self._record(
            dossier,
            Action.TRANSFER,
            principal,
            before,
            now,
            note=body.note,
            details={"from_agency": holder, "to_agency": body.to_agency, "share_working_days": body.share_working_days},
            step_deadline=share_due,
        )

    async def _transfer_return(
        self, dossier: Dossier, principal: Principal, body: NoteBody, now: dt.datetime
    ) -> Dossier:
        before = dossier.status
        transition(Action.TRANSFER_RETURN, before)
        transfer = await self.repository.open_transfer(dossier.id)
        if transfer is None:
            raise Conflict("The dossier is not with another agency.", code="not_transferred")
        transfer.returned_at = now
        dossier.current_agency = transfer.from_agency
        return await self._record(
            dossier,
            Action.TRANSFER_RETURN,
            principal,
            before,
            now,
            note=body.note,
            details={
                "from_agency": transfer.to_agency,
                "late": transfer.step_deadline is not None and now > transfer.step_deadline,
            },
            step_deadline=dossier.due_at,
        )

    async def _reschedule(
        self, dossier: Dossier, principal: Principal, body: RescheduleBody, now: dt.datetime
    ) -> Dossier:
        before = dossier.status
        transition(Action.RESCHEDULE, before)
        rules.require_reschedule_allowed(dossier, now)
        previous_due = dossier.due_at
        dossier.extension_working_days += body.additional_working_days
        dossier.rescheduled_at = now
        await self.dossiers.refresh_due_at(dossier, now)
        return await self._record(
            dossier,
            Action.RESCHEDULE,
            principal,
            before,
            now,
            note=body.apology,
            details={
                "previous_due_at": _iso(previous_due),
                "new_due_at": _iso(dossier.due_at),
                "additional_working_days": body.additional_working_days,
            },
            step_deadline=dossier.due_at,
        )

    async def _request_fees(self, dossier: Dossier, principal: Principal, body: FeesBody, now: dt.datetime) -> Dossier:
        before = dossier.status
        target = transition(Action.REQUEST_FEES, before)
        rules.require_not_paused(dossier)
        if dossier.paid_at is not None:
            raise Conflict("The fees of this dossier are already paid.", code="fees_already_paid")
        fees = [fee.model_dump(mode="json") for fee in body.fees] if body.fees is not None else list(dossier.fees or [])
        total = sum(int(fee["amount_vnd"]) for fee in fees)
        if total <= 0:
            raise UnprocessableContent("There is nothing to pay for this dossier.", code="no_fees")
        dossier.fees = fees
        dossier.fees_amount_vnd = total
        await self._open_pause(dossier, PauseKind.FEES, "awaiting the financial obligation", now)
        dossier.status = target
        return await self._record(
            dossier, Action.REQUEST_FEES, principal, before, now, note=body.note, details={"amount_vnd": total}
        )

    async def _record_payment(
        self, dossier: Dossier, principal: Principal, body: PaymentBody, now: dt.datetime
    ) -> Dossier:
        before = dossier.status
        target = transition(Action.RECORD_PAYMENT, before)
        await self._close_pause(dossier, now, PauseKind.FEES)
        dossier.paid_at = now
        dossier.payment_method = body.method.value
        dossier.paid_online = body.method is PaymentMethod.ONLINE
        dossier.status = target
        await self.dossiers.refresh_due_at(dossier, now)
        return await self._record(
            dossier,
            Action.RECORD_PAYMENT,
            principal,
            before,
            now,
            note=body.note,
            details={"method": body.method.value, "receipt_number": body.receipt_number},
            step_deadline=dossier.due_at,
        )

    async def _resolve(self, dossier: Dossier, principal: Principal, body: ResolveBody, now: dt.datetime) -> Dossier:
        before = dossier.status
        target = transition(Action.RESOLVE, before)
        rules.require_not_paused(dossier)
        if await self.repository.open_transfer(dossier.id) is not None:
            raise Conflict("The other agency has not returned its part yet.", code="transfer_not_returned")
        rules.require_result_date_plausible(body.result_date, dossier.received_on, local_date(now))
        dossier.status = target
        dossier.resolved_at = now
        dossier.resolved_on = local_date(now)
        dossier.finished_on = dossier.resolved_on
        dossier.result_number = body.result_number
        dossier.result_date = body.result_date
        dossier.timeliness = Timeliness(timeliness(now, dossier.due_at).value) if dossier.due_at else None
        return await self._record(
            dossier,
            Action.RESOLVE,
            principal,
            before,
            now,
            note=body.note,
            details={"result_number": body.result_number, "timeliness": dossier.timeliness},
        )

    async def _return_result(
        self, dossier: Dossier, principal: Principal, body: ReturnBody, now: dt.datetime
    ) -> Dossier:
        before = dossier.status
        dossier.status = transition(Action.RETURN_RESULT, before)
        address = body.address or dossier.return_address
        if body.method is ReturnMethod.POST and address is None:
            raise UnprocessableContent(
                "A result sent by post needs the applicant's postal address.", code="return_address_required"
            )
        dossier.returned_at = now
        dossier.return_method = body.method
        dossier.return_address = address
        dossier.return_tracking_number = body.tracking_number
        return await self._record(
            dossier,
            Action.RETURN_RESULT,
            principal,
            before,
            now,
            note=body.note,
            details={"method": body.method.value, "tracking_number": body.tracking_number},
        )

    async def _close(
        self, dossier: Dossier, action: Action, principal: Principal, reason: str, now: dt.datetime
    ) -> Dossier:
        before = dossier.status
        dossier.status = transition(action, before)
        await self._close_pause(dossier, now)
        dossier.paused_since = None
        dossier.closing_reason = reason
        dossier.finished_on = local_date(now)
        return await self._record(dossier, action, principal, before, now, note=reason)

    async def _withdraw(self, dossier: Dossier, principal: Principal, body: ReasonBody, now: dt.datetime) -> Dossier:
        return await self._close(dossier, Action.WITHDRAW, principal, body.reason, now)

    async def _stop(self, dossier: Dossier, principal: Principal, body: ReasonBody, now: dt.datetime) -> Dossier:
        return await self._close(dossier, Action.STOP, principal, body.reason, now)


def _iso(instant: dt.datetime | None) -> str | None:
    return instant.isoformat() if instant else None
