"""Every emitted event is checked against its committed JSON Schema (contracts/events/)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from motcua_kit.events.envelope import CloudEvent

EVENTS = Path(__file__).resolve().parents[1] / "contracts" / "events"

SCHEMA_OF_TYPE = {
    "vn.motcua.procedure.published": "procedure",
    "vn.motcua.procedure.amended": "procedure",
    "vn.motcua.procedure.abolished": "procedure",
    "vn.motcua.dossier.received": "dossier",
    "vn.motcua.dossier.status_changed": "dossier",
    "vn.motcua.dossier.supplement_requested": "dossier",
    "vn.motcua.dossier.rescheduled": "dossier",
    "vn.motcua.dossier.resolved": "dossier",
    "vn.motcua.dossier.returned": "dossier",
    "vn.motcua.survey.answered": "survey",
    "vn.motcua.feedback.opened": "feedback",
}


@cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((EVENTS / f"{name}.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def validate_event(event: CloudEvent | dict[str, Any]) -> dict[str, Any]:
    """Raise if the event's envelope or its data breaks the contract; return it as JSON."""
    document: dict[str, Any] = json.loads(event.to_json()) if isinstance(event, CloudEvent) else event
    _validator("envelope").validate(document)
    schema = SCHEMA_OF_TYPE.get(document["type"])
    assert schema is not None, f"no schema for event type {document['type']}: add it to contracts/events"
    _validator(schema).validate(document["data"])
    return document
