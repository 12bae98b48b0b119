"""The gateway's route table: which public path prefix goes to which service. Kept in one place.

A request goes to the upstream of the longest prefix that matches at a path-segment boundary;
anything else is the gateway's own (docs, health, ``OWN_PREFIXES``) or a 404. Which methods and roles
each path admits is the policy's business (``policy.py``), checked before a request is forwarded.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class UpstreamName(StrEnum):
    CATALOG = "procedure-catalog"
    DOSSIER = "dossier-api"
    SURVEY = "satisfaction-survey"


@dataclass(frozen=True, slots=True)
class RouteEntry:
    prefix: str
    upstream: UpstreamName

    @property
    def path(self) -> str:
        """The label of this route in logs and metrics."""
        return self.prefix + "/**"


ROUTE_TABLE: tuple[RouteEntry, ...] = (
    RouteEntry("/api/v1/procedures", UpstreamName.CATALOG),
    RouteEntry("/api/v1/fields", UpstreamName.CATALOG),
    RouteEntry("/api/v1/announcements", UpstreamName.CATALOG),
    RouteEntry("/api/v1/agencies", UpstreamName.CATALOG),
    RouteEntry("/api/v1/authority-levels", UpstreamName.CATALOG),
    RouteEntry("/api/v1/subscriptions/procedures", UpstreamName.CATALOG),
    RouteEntry("/api/v1/dossiers", UpstreamName.DOSSIER),
    RouteEntry("/api/v1/tracking", UpstreamName.DOSSIER),
    RouteEntry("/api/v1/calendars", UpstreamName.DOSSIER),
    RouteEntry("/api/v1/integrations", UpstreamName.DOSSIER),
    RouteEntry("/api/v1/subscriptions/dossiers", UpstreamName.DOSSIER),
    RouteEntry("/api/v1/surveys", UpstreamName.SURVEY),
    RouteEntry("/api/v1/subscriptions/surveys", UpstreamName.SURVEY),
)


# The gateway's own API: answered by the gateway itself, never forwarded (the policy table lists each route).
OWN_PREFIXES: tuple[str, ...] = (
    "/api/v1/api-clients",  # system clients and their keys
    "/api/v1/reports",  # reports composed from the services' statistics, frozen periods
)


class RouteTable:
    def __init__(self, entries: tuple[RouteEntry, ...] = ROUTE_TABLE) -> None:
        # Longest prefix first, so a more specific entry wins.
        self._entries = sorted(entries, key=lambda e: len(e.prefix), reverse=True)

    def match(self, path: str) -> RouteEntry | None:
        for entry in self._entries:
            if path == entry.prefix or path.startswith(entry.prefix + "/"):
                return entry
        return None

    def prefixes(self, upstream: UpstreamName) -> list[str]:
        return [e.prefix for e in self._entries if e.upstream is upstream]
