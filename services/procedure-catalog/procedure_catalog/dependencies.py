"""Request dependencies shared by the catalogue's routers."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, Query, Request

from motcua_kit.db import utcnow
from motcua_kit.i18n import AcceptLanguage
from motcua_kit.timezone import local_date
from procedure_catalog.config import CatalogSettings
from procedure_catalog.constraints import Day, ReferenceCode
from procedure_catalog.localisation import Localiser
from procedure_catalog.models import ApplicantType, AuthorityLevel, Channel, OnlineLevel, VersionStatus
from procedure_catalog.procedures.repository import ProcedureFilters


class StatusFilter(StrEnum):
    """Which versions a list shows: those in force, those marked abolished, or both."""

    PUBLISHED = "published"
    ABOLISHED = "abolished"
    ANY = "any"


async def today() -> dt.date:
    """Today in Vietnam: validity periods are calendar days there."""
    return local_date(utcnow())


Today = Annotated[dt.date, Depends(today)]


async def localiser(request: Request, accept_language: AcceptLanguage = None) -> Localiser:
    settings: CatalogSettings = request.app.state.settings
    return Localiser.negotiate(accept_language, tuple(settings.extra_languages))


Language = Annotated[Localiser, Depends(localiser)]


async def procedure_filters(
    *,
    today: Today,
    valid_on: Annotated[Day | None, Query(description="Versions in force on this day (default today).")] = None,
    status: Annotated[StatusFilter, Query(description="published (default), abolished, or any.")] = (
        StatusFilter.PUBLISHED
    ),
    field: Annotated[ReferenceCode | None, Query(description="Field (lĩnh vực) code.")] = None,
    agency: Annotated[ReferenceCode | None, Query(description="Handling agency code.")] = None,
    authority_level: AuthorityLevel | None = None,
    online_level: OnlineLevel | None = None,
    legacy_online_level: Annotated[int | None, Query(ge=1, le=4, description="Level 1-4 (before 2022).")] = None,
    channel: Annotated[Channel | None, Query(description="Offered through this channel.")] = None,
    applicant_type: Annotated[ApplicantType | None, Query(description="Open to this kind of applicant.")] = None,
    one_stop: bool | None = None,
    inter_agency: bool | None = None,
    internal: bool | None = None,
) -> ProcedureFilters:
    statuses = {
        StatusFilter.PUBLISHED: frozenset({VersionStatus.PUBLISHED}),
        StatusFilter.ABOLISHED: frozenset({VersionStatus.ABOLISHED}),
        StatusFilter.ANY: frozenset(VersionStatus),
    }[status]
    return ProcedureFilters(
        day=valid_on or today,
        statuses=statuses,
        field_code=field,
        agency_code=agency,
        authority_level=authority_level,
        online_level=online_level,
        legacy_online_level=legacy_online_level,
        channel=channel,
        applicant_type=applicant_type,
        one_stop=one_stop,
        inter_agency=inter_agency,
        internal=internal,
    )


Filters = Annotated[ProcedureFilters, Depends(procedure_filters)]
