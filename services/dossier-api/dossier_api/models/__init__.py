"""dossier-api's tables. Every model module is imported here so Alembic sees the whole schema."""

from dossier_api.models.base import Base
from dossier_api.models.calendar import CalendarVersion
from dossier_api.models.catalog_copy import CatalogProcedureVersion
from dossier_api.models.dossier import (
    FINISHED_STATUSES,
    IN_PROGRESS_STATUSES,
    ApplicantType,
    Channel,
    Dossier,
    DossierCodeCounter,
    DossierSource,
    DossierStatus,
    ExternalSystem,
    ReturnMethod,
    Timeliness,
)
from dossier_api.models.events import EventDelivery, EventSubscription, OutboxEvent, ProcessedEvent
from dossier_api.models.history import Pause, PauseKind, SupplementRequest, TimelineEntry, Transfer
from dossier_api.models.idempotency import IdempotencyRecord
from dossier_api.models.portal import PortalSync

__all__ = [
    "FINISHED_STATUSES",
    "IN_PROGRESS_STATUSES",
    "ApplicantType",
    "Base",
    "CalendarVersion",
    "CatalogProcedureVersion",
    "Channel",
    "Dossier",
    "DossierCodeCounter",
    "DossierSource",
    "DossierStatus",
    "EventDelivery",
    "EventSubscription",
    "ExternalSystem",
    "IdempotencyRecord",
    "OutboxEvent",
    "Pause",
    "PauseKind",
    "PortalSync",
    "ProcessedEvent",
    "ReturnMethod",
    "SupplementRequest",
    "TimelineEntry",
    "Timeliness",
    "Transfer",
]
