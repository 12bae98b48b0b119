"""The data of each printed slip, taken from the dossier and its timeline (the renderer draws it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from dossier_api.dossiers.repository import DossierRepository
from dossier_api.models import Dossier, DossierStatus, ReturnMethod, TimelineEntry
from dossier_api.slips.render import (
    Agency,
    ApologySlip,
    ProcessControlSlip,
    ProcessStep,
    ReceiptSlip,
    RefusalSlip,
    SlipData,
    SlipKind,
    SubmittedDocument,
    SupplementRequestSlip,
)
from dossier_api.tracking.texts import step_text
from motcua_kit.db import utcnow
from motcua_kit.errors import Conflict

RESULT_DELIVERY = {
    ReturnMethod.IN_PERSON: "Bộ phận Tiếp nhận và Trả kết quả",
    ReturnMethod.POST: "Dịch vụ bưu chính công ích",
    ReturnMethod.ONLINE: "Trực tuyến",
}
UNITS = {"working_days": "ngày làm việc", "working_hours": "giờ làm việc"}


def processing_time_text(dossier: Dossier) -> str:
    value, unit = dossier.processing_time_value, dossier.processing_time_unit
    if value is None or unit is None:
        return "Theo quy định"
    number = f"{value:g}".replace(".", ",")
    return f"{number} {UNITS.get(unit, unit)}"


def _not_available(kind: SlipKind, why: str) -> Conflict:
    return Conflict(f"No {kind.value} slip for this dossier: {why}.", code="slip_not_available", kind=kind.value)


def _actor(entry: TimelineEntry | None, fallback: str) -> str:
    if entry is None:
        return fallback
    return entry.actor_name or entry.actor_subject


class SlipBuilder:
    def __init__(self, repository: DossierRepository, agency: Agency, public_base_url: str) -> None:
        self.repository = repository
        self.agency = agency
        self.public_base_url = public_base_url

    async def build(self, kind: SlipKind, dossier: Dossier) -> SlipData:
        timeline = await self.repository.timeline(dossier.id)
        common = {
            "agency": self.agency,
            "dossier_code": dossier.code,
            "procedure_name": dossier.procedure_name or dossier.procedure_code,
            "applicant_name": dossier.applicant_name,
            "lookup_url": f"{self.public_base_url}/api/v1/tracking/{dossier.code}",
            "issued_at": utcnow(),
        }
        if kind is SlipKind.RECEIPT:
            return self._receipt(dossier, timeline, common)
        if kind is SlipKind.SUPPLEMENT_REQUEST:
            return await self._supplement_request(dossier, timeline, common)
        if kind is SlipKind.REFUSAL:
            return self._refusal(dossier, timeline, common)
        if kind is SlipKind.APOLOGY:
            return self._apology(dossier, timeline, common)
        return self._process_control(dossier, timeline, common)

    def _receipt(self, dossier: Dossier, timeline: Sequence[TimelineEntry], common: dict[str, object]) -> ReceiptSlip:
        if dossier.received_at is None or dossier.due_at is None:
            raise _not_available(SlipKind.RECEIPT, "it has not been received")
        reception = _last(timeline, {"receive", "complete_supplement"})
        documents = tuple(
            SubmittedDocument(
                name=str(d["component"]), originals=int(d.get("originals", 0)), copies=int(d.get("copies", 0))
            )
            for d in dossier.documents or []
        )
        return ReceiptSlip(
            **common,  # type: ignore[arg-type]
            officer_name=_actor(reception, dossier.received_by),
            documents=documents,
            processing_time=processing_time_text(dossier),
            received_at=dossier.received_at,
            due_at=dossier.due_at,
            result_delivery=RESULT_DELIVERY[dossier.return_method or ReturnMethod.IN_PERSON],
            intermediary_name=dossier.intermediary_name,
        )

    async def _supplement_request(
        self, dossier: Dossier, timeline: Sequence[TimelineEntry], common: dict[str, object]
    ) -> SupplementRequestSlip:
        supplements = await self.repository.supplements(dossier.id)
        if not supplements:
            raise _not_available(SlipKind.SUPPLEMENT_REQUEST, "no supplement was requested")
        request = supplements[-1]
        entry = _last(timeline, {"request_supplement"})
        return SupplementRequestSlip(
            **common,  # type: ignore[arg-type]
            officer_name=_actor(entry, dossier.received_by),
            missing_items=tuple(request.items),
            reason=request.note,
            received_at=dossier.received_at,
        )

    def _refusal(self, dossier: Dossier, timeline: Sequence[TimelineEntry], common: dict[str, object]) -> RefusalSlip:
        if dossier.status is not DossierStatus.REFUSED or not dossier.closing_reason:
            raise _not_available(SlipKind.REFUSAL, "it was not refused")
        return RefusalSlip(
            **common,  # type: ignore[arg-type]
            officer_name=_actor(_last(timeline, {"refuse"}), dossier.received_by),
            reasons=(dossier.closing_reason,),
        )

    def _apology(self, dossier: Dossier, timeline: Sequence[TimelineEntry], common: dict[str, object]) -> ApologySlip:
        entry = _last(timeline, {"reschedule"})
        if entry is None or entry.details is None or dossier.received_at is None:
            raise _not_available(SlipKind.APOLOGY, "it was not rescheduled")
        return ApologySlip(
            **common,  # type: ignore[arg-type]
            officer_name=_actor(entry, entry.actor_subject),
            received_at=dossier.received_at,
            due_at=dt.datetime.fromisoformat(str(entry.details["previous_due_at"])),
            new_due_at=dt.datetime.fromisoformat(str(entry.details["new_due_at"])),
            reason=entry.note or "",
        )

    def _process_control(
        self, dossier: Dossier, timeline: Sequence[TimelineEntry], common: dict[str, object]
    ) -> ProcessControlSlip:
        if dossier.received_at is None or dossier.due_at is None:
            raise _not_available(SlipKind.PROCESS_CONTROL, "it has not been received")
        steps = tuple(
            ProcessStep(
                action=step_text(entry.action, "vi"),
                actor=_actor(entry, entry.actor_subject),
                unit=entry.actor_unit or entry.actor_agency or self.agency.unit,
                at=entry.at,
                deadline=entry.step_deadline,
                result=str(entry.details["timeliness"]) if entry.details and entry.details.get("timeliness") else None,
            )
            for entry in timeline
        )
        coordinating = tuple(
            sorted(
                {
                    str(entry.details["to_agency"])
                    for entry in timeline
                    if entry.action == "transfer" and entry.details and entry.details.get("to_agency")
                }
            )
        )
        return ProcessControlSlip(
            **common,  # type: ignore[arg-type]
            officer_name=_actor(_last(timeline, {"receive", "complete_supplement"}), dossier.received_by),
            received_at=dossier.received_at,
            due_at=dossier.due_at,
            processing_unit=dossier.assigned_unit or self.agency.unit,
            steps=steps,
            coordinating_units=coordinating,
        )


def _last(timeline: Sequence[TimelineEntry], actions: set[str]) -> TimelineEntry | None:
    return next((entry for entry in reversed(timeline) if entry.action in actions), None)
