"""Which concrete tables a service's events live in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EventStore:
    """The service's mapped classes built from the mixins in :mod:`motcua_kit.events.models`."""

    source: str  # the CloudEvents `source` of this service, e.g. "/dossier-api"
    event: type[Any]
    subscription: type[Any]
    delivery: type[Any]
    processed: type[Any]
