"""dossier-api's tables. Every model module is imported here so Alembic sees the whole schema."""

from dossier_api.models.base import Base
from dossier_api.models.calendar import CalendarVersion
from dossier_api.models.dossier import (
    FINISHED_STATUSES,
    IN_PROGRESS_STATUSES,
    ApplicantType,
    Channel,
    Dossier,
    DossierCodeCounter,
    DossierSource,
    DossierStatus,
    ReturnMethod,
    Timeliness,
)
from dossier_api.models.history import Pause, PauseKind, SupplementRequest, TimelineEntry, Transfer
from dossier_api.models.idempotency import IdempotencyRecord

__all__ = [
    "FINISHED_STATUSES",
    "IN_PROGRESS_STATUSES",
    "ApplicantType",
    "Base",
    "CalendarVersion",
    "Channel",
    "Dossier",
    "DossierCodeCounter",
    "DossierSource",
    "DossierStatus",
    "IdempotencyRecord",
    "Pause",
    "PauseKind",
    "ReturnMethod",
    "SupplementRequest",
    "TimelineEntry",
    "Timeliness",
    "Transfer",
]
