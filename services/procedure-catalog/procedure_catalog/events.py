"""The catalogue's events: a procedure published, amended or abolished (contracts/events/procedure.schema.json).

Every version an announcement decision or a national import writes is one event, recorded in the
outbox in the same transaction as the version (``procedures/publishing.py`` writes both), so an event
exists exactly when its version does. Subject: the procedure code; agency: the procedure's agency,
so a subscriber may ask for one agency's procedures only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from motcua_kit.events.outbox import NewEvent
from motcua_kit.events.store import EventStore
from procedure_catalog.models import EventDelivery, EventSubscription, OutboxEvent, ProcessedEvent, VersionStatus

STORE = EventStore(
    source="/procedure-catalog",
    event=OutboxEvent,
    subscription=EventSubscription,
    delivery=EventDelivery,
    processed=ProcessedEvent,
)

PUBLISHED, AMENDED, ABOLISHED = "procedure.published", "procedure.amended", "procedure.abolished"
EVENT_TYPES = (PUBLISHED, AMENDED, ABOLISHED)


def version_event_name(status: VersionStatus, number: int) -> str:
    """Which event a new version is: the abolishing version is ``abolished``; otherwise a procedure's
    first version is ``published`` and every later one ``amended`` (sửa đổi, bổ sung, thay thế)."""
    if status is VersionStatus.ABOLISHED:
        return ABOLISHED
    return PUBLISHED if number == 1 else AMENDED


def _channel(terms: Mapping[str, Any]) -> dict[str, Any]:
    """A channel as the contract has it: its processing time and fees (no notes)."""
    return {
        "channel": terms["channel"],
        "processing_time": {"value": terms["processing_time"]["value"], "unit": terms["processing_time"]["unit"]},
        "fees": [
            {
                "amount_vnd": fee["amount_vnd"],
                "unit": fee.get("unit"),
                "description_vi": fee["description_vi"],
                "description_en": fee.get("description_en"),
            }
            for fee in terms.get("fees", [])
        ],
    }


def version_event(version: Mapping[str, Any], announcement_number: str) -> NewEvent:
    """The event of a version row as ``VersionWriter`` writes it (the columns of ``procedure_versions``)."""
    status = VersionStatus(version["status"])
    valid_until = version["valid_until"]
    data = {
        "code": version["code"],
        "version": version["number"],
        "status": status.value,
        "valid_from": version["valid_from"].isoformat(),
        "valid_until": valid_until.isoformat() if valid_until is not None else None,
        "announcement_number": announcement_number,
        "name_vi": version["name_vi"],
        "name_en": version["name_en"],
        "agency_code": version["agency_code"],
        "field_code": version["field_code"],
        "online_level": str(version["online_level"]),
        "channels": [_channel(terms) for terms in version["content"]["channels"]],
    }
    return NewEvent(
        version_event_name(status, version["number"]),
        subject=version["code"],
        data=data,
        agency=version["agency_code"],
    )
