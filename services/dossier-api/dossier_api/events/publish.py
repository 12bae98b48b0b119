"""The events of dossier changes, written in the change's own transaction (the outbox).

Every request that changes a dossier writes timeline entries; it also writes exactly one event,
for its last step, shaped as ``contracts/events/dossier.schema.json``. Events carry no personal
data: the dossier, its procedure, its state and who acted (by account id). A subscriber that needs
the applicant reads the dossier through the API with the right role.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dossier_api.dossiers.repository import DossierRepository
from dossier_api.events import store as types
from dossier_api.events.store import STORE
from dossier_api.models import Dossier, DossierStatus, ReturnMethod, TimelineEntry
from motcua_kit.events.envelope import CloudEvent
from motcua_kit.events.outbox import record_event

# The steps with an event type of their own; every other step is a `dossier.status_changed`.
_OWN_TYPE = {
    "request_supplement": types.SUPPLEMENT_REQUESTED,
    "reschedule": types.RESCHEDULED,
    "resolve": types.RESOLVED,
    "return_result": types.RETURNED,
}
_CLOCK_STARTS = frozenset({"receive", "complete_supplement"})
# The event contract's words where they differ from the timeline's.
_EVENT_ACTION = {"return_result": "return"}
_APPLICANT_ROLES = frozenset({"citizen", "intermediary"})
_RETURN_METHOD = {ReturnMethod.IN_PERSON: "in_person", ReturnMethod.POST: "postal", ReturnMethod.ONLINE: "online"}


def event_name(step: TimelineEntry) -> str:
    """The event a step publishes.

    ``dossier.received`` when the clock starts: a valid reception at the counter, a registered
    (online) dossier received, or the supplement that completes a dossier found incomplete at
    reception. Supplement requests, reschedules, resolutions and returns have their own types; any
    other step (refusal, assignment, fees, payment, pause, transfer, withdrawal, stop, registration of
    a dossier filed online) is a ``dossier.status_changed`` whose ``action`` says which.
    """
    if step.action in _CLOCK_STARTS and step.status_after is DossierStatus.RECEIVED:
        return types.RECEIVED
    return _OWN_TYPE.get(step.action, types.STATUS_CHANGED)


def actor_of(step: TimelineEntry) -> dict[str, Any]:
    """Who acted: an officer or a system by account; an applicant (or intermediary) only as such, since
    a citizen's account id may be their identity number."""
    if step.actor_role in _APPLICANT_ROLES:
        return {"subject": "applicant", "role": step.actor_role, "unit": None}
    return {"subject": step.actor_subject, "role": step.actor_role, "unit": step.actor_unit}


def _iso(instant: dt.datetime | None) -> str | None:
    return instant.astimezone(dt.UTC).isoformat() if instant is not None else None


def dossier_event_data(dossier: Dossier, step: TimelineEntry, *, handled_by: str | None = None) -> dict[str, Any]:
    """The event's ``data``: the dossier's state after ``step``, and the step itself."""
    details = step.details or {}
    data: dict[str, Any] = {
        "code": dossier.code,
        "agency_code": dossier.current_agency or dossier.agency_code,
        "receiving_agency": dossier.agency_code,
        "procedure_code": dossier.procedure_code,
        "procedure_version": dossier.procedure_version,
        "channel": dossier.channel.value,
        "status": dossier.status.value,
        "portal_status": dossier.status.portal_code,
        "action": _EVENT_ACTION.get(step.action, step.action),
        "actor": actor_of(step),
        "occurred_at": _iso(step.at),
        "received_at": _iso(dossier.received_at),
        "due_at": _iso(dossier.due_at),
        "resolved_at": _iso(dossier.resolved_at),
        "returned_at": _iso(dossier.returned_at),
        "timeliness": dossier.timeliness.value if dossier.timeliness else None,
    }
    if "previous_due_at" in details:
        data["previous_due_at"] = details["previous_due_at"]
    if step.action == "request_supplement":
        data["missing_items"] = list(details.get("items") or [])
    if step.action == "return_result":
        data["handled_by"] = handled_by
        data["return_method"] = _RETURN_METHOD[dossier.return_method] if dossier.return_method else None
    return data


class DossierEvents:
    """Records the event of the request's last step; flushes with the change, never commits."""

    def __init__(self, repository: DossierRepository) -> None:
        self.repository = repository

    async def publish(self, dossier: Dossier, step: TimelineEntry) -> CloudEvent:
        handled_by = await self.repository.resolved_by(dossier.id) if step.action == "return_result" else None
        await self.repository.flush()
        return await record_event(
            self.repository.session,
            STORE,
            event_name(step),
            subject=dossier.code,
            data=dossier_event_data(dossier, step, handled_by=handled_by),
            agency=dossier.current_agency or dossier.agency_code,
            time=step.at,
        )
