from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from procedure_catalog.models import AuthorityLevel, Channel, OnlineLevel, VersionStatus


class CountByReference(BaseModel):
    code: str
    name: str
    count: int


class AnnouncementCounts(BaseModel):
    """Decisions that took effect on or before the day, and the changes they made."""

    decisions: int
    created: int
    amended: int
    abolished: int


class PeriodChanges(BaseModel):
    """Decisions that took effect in the period (``since`` to ``as_of``) and the changes they made."""

    model_config = ConfigDict(populate_by_name=True)

    from_: dt.date = Field(alias="from", serialization_alias="from")
    to: dt.date
    decisions: int
    announced_in_time: int = Field(
        description="Of the decisions, those signed at least 20 working days (Monday-Friday) before taking effect."
    )
    created: int
    amended: int
    abolished: int


class CatalogueStats(BaseModel):
    """The catalogue as it stood on ``as_of``. Breakdowns count procedures in force (published)."""

    as_of: dt.date
    total: int = Field(description="Procedures with a version on that day, in force or abolished.")
    by_status: dict[VersionStatus, int]
    in_force: int
    by_online_level: dict[OnlineLevel, int]
    by_legacy_online_level: dict[str, int] = Field(description="`1`-`4`, and `unset` where no legacy level is known.")
    online_submission_legacy: int = Field(description="In force at legacy level 3 or 4 (online submission).")
    by_channel: dict[Channel, int]
    by_authority_level: dict[AuthorityLevel, int]
    by_field: list[CountByReference]
    by_agency: list[CountByReference]
    one_stop: int
    inter_agency: int
    internal: int
    announcements: AnnouncementCounts
    changes_in_period: PeriodChanges | None = Field(
        description="With `since`: the decisions effective from `since` to `as_of`, scoped by field and agency."
    )
