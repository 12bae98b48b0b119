"""The catalogue's tables. Every model module is imported here so Alembic sees the whole schema."""

from procedure_catalog.models.announcement import Announcement, AnnouncementChange
from procedure_catalog.models.base import Base
from procedure_catalog.models.enums import (
    AnnouncementSource,
    ApplicantType,
    AuthorityLevel,
    ChangeAction,
    Channel,
    OnlineLevel,
    TimeUnit,
    VersionStatus,
)
from procedure_catalog.models.events import EventDelivery, EventSubscription, OutboxEvent, ProcessedEvent
from procedure_catalog.models.procedure import Procedure, ProcedureDraft, ProcedureVersion
from procedure_catalog.models.reference import Agency, Field
from procedure_catalog.models.revision import REVISION_ROW, CatalogueRevision

# The full-text indexes of versions (SQLite: an FTS5 table; PostgreSQL: a generated tsvector column
# and its GIN index) are made by the migrations, not by these models.
SEARCH_INDEX_NAMES = ("procedure_search", "search_vector", "ix_procedure_versions_search")

__all__ = [
    "REVISION_ROW",
    "SEARCH_INDEX_NAMES",
    "Agency",
    "Announcement",
    "AnnouncementChange",
    "AnnouncementSource",
    "ApplicantType",
    "AuthorityLevel",
    "Base",
    "CatalogueRevision",
    "ChangeAction",
    "Channel",
    "EventDelivery",
    "EventSubscription",
    "Field",
    "OnlineLevel",
    "OutboxEvent",
    "Procedure",
    "ProcedureDraft",
    "ProcedureVersion",
    "ProcessedEvent",
    "TimeUnit",
    "VersionStatus",
]
