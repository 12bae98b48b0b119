"""Read models built from rows: a version, a draft, a list item, each localised."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from sqlalchemy import Row

from procedure_catalog.localisation import Localiser
from procedure_catalog.models import (
    Agency,
    Announcement,
    ApplicantType,
    ChangeAction,
    Channel,
    Field,
    ProcedureDraft,
    ProcedureVersion,
)
from procedure_catalog.procedures.rules import in_force
from procedure_catalog.procedures.schemas import (
    AnnouncementRef,
    DraftRead,
    DraftSummary,
    ProcedureRead,
    ProcedureSummary,
    ReferenceRead,
    VersionSummary,
)


def announcement_ref(announcement: Announcement) -> AnnouncementRef:
    return AnnouncementRef(
        id=announcement.id,
        number=announcement.number,
        issuer=announcement.issuer,
        signed_on=announcement.signed_on,
        effective_on=announcement.effective_on,
    )


def _reference(code: str, name_vi: str, name_en: str | None, localiser: Localiser) -> dict[str, Any]:
    return {"code": code, "name": localiser.text(name_vi, name_en), "name_vi": name_vi, "name_en": name_en}


def version_record(version: ProcedureVersion) -> dict[str, Any]:
    """The record of a version with the names of its field and agency as published (not localised)."""
    data = copy.deepcopy(version.content)
    data["code"] = version.code
    data["field"] = {"code": version.field_code, "name_vi": version.field_name_vi, "name_en": version.field_name_en}
    data["agency"] = {
        "code": version.agency_code,
        "name_vi": version.agency_name_vi,
        "name_en": version.agency_name_en,
    }
    return data


def version_view(version: ProcedureVersion, announcement: Announcement, localiser: Localiser) -> ProcedureRead:
    data = localiser.record(copy.deepcopy(version.content))
    data["code"] = version.code
    data["field"] = _reference(version.field_code, version.field_name_vi, version.field_name_en, localiser)
    data["agency"] = _reference(version.agency_code, version.agency_name_vi, version.agency_name_en, localiser)
    data.update(
        version=version.number,
        status=version.status,
        valid_from=version.valid_from,
        valid_until=version.valid_until,
        announcement=announcement_ref(announcement),
        published_at=version.published_at,
    )
    return ProcedureRead.model_validate(data)


def draft_view(code: str, draft: ProcedureDraft, field: Field, agency: Agency, localiser: Localiser) -> DraftRead:
    data = localiser.record(copy.deepcopy(draft.content))
    data["code"] = code
    data["field"] = _reference(field.code, field.name_vi, field.name_en, localiser)
    data["agency"] = _reference(agency.code, agency.name_vi, agency.name_en, localiser)
    data.update(
        base_version=draft.base_version,
        revision=draft.revision,
        created_at=draft.created_at,
        updated_at=draft.updated_at,
        updated_by=draft.updated_by,
    )
    return DraftRead.model_validate(data)


def draft_summary(code: str, draft: ProcedureDraft) -> DraftSummary:
    return DraftSummary(
        code=code,
        name_vi=str(draft.content.get("name_vi", "")),
        base_version=draft.base_version,
        revision=draft.revision,
        updated_at=draft.updated_at,
        updated_by=draft.updated_by,
    )


def summary_view(version: Row[Any], localiser: Localiser) -> ProcedureSummary:
    """A list item from a row of the repository's summary columns."""
    channels = [
        channel
        for channel, offered in (
            (Channel.IN_PERSON, version.in_person),
            (Channel.ONLINE, version.online),
            (Channel.POSTAL, version.postal),
        )
        if offered
    ]
    applicants = [
        kind
        for kind, allowed in (
            (ApplicantType.CITIZEN, version.for_citizens),
            (ApplicantType.ORGANISATION, version.for_organisations),
        )
        if allowed
    ]
    return ProcedureSummary(
        code=version.code,
        version=version.number,
        status=version.status,
        name=localiser.text(version.name_vi, version.name_en),
        name_vi=version.name_vi,
        name_en=version.name_en,
        field=ReferenceRead.model_validate(
            _reference(version.field_code, version.field_name_vi, version.field_name_en, localiser)
        ),
        agency=ReferenceRead.model_validate(
            _reference(version.agency_code, version.agency_name_vi, version.agency_name_en, localiser)
        ),
        authority_level=version.authority_level,
        online_level=version.online_level,
        legacy_online_level=version.legacy_online_level,
        channels=channels,
        applicant_types=applicants,
        one_stop=version.one_stop,
        inter_agency=version.inter_agency,
        internal=version.internal,
        valid_from=version.valid_from,
        valid_until=version.valid_until,
    )


def version_summary(
    version: ProcedureVersion, announcement: Announcement, action: ChangeAction, today: dt.date
) -> VersionSummary:
    return VersionSummary(
        number=version.number,
        status=version.status,
        valid_from=version.valid_from,
        valid_until=version.valid_until,
        in_force=in_force(version.valid_from, version.valid_until, today),
        action=action,
        announcement=announcement_ref(announcement),
        published_at=version.published_at,
    )
