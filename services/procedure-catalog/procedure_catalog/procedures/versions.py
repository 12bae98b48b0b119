"""What a version row holds besides its record: the columns lists, filters and search read."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from procedure_catalog.models import Agency, ApplicantType, Channel, Field
from procedure_catalog.procedures.schemas import ProcedureContent
from procedure_catalog.procedures.search import fold_all


def content_hash(content: dict[str, Any]) -> str:
    """A fingerprint of a record: equal records, equal hashes (keys sorted, no whitespace)."""
    return hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()


def stored_content(content: ProcedureContent) -> dict[str, Any]:
    return content.model_dump(mode="json")


def version_columns(code: str, content: ProcedureContent, field: Field, agency: Agency) -> dict[str, Any]:
    """The columns copied from the record and its references when a version is written."""
    channels = {terms.channel for terms in content.channels}
    translated_names = [t.name for t in content.translations.values()]
    return {
        "code": code,
        "name_vi": content.name_vi,
        "name_en": content.name_en,
        "field_code": field.code,
        "field_name_vi": field.name_vi,
        "field_name_en": field.name_en,
        "agency_code": agency.code,
        "agency_name_vi": agency.name_vi,
        "agency_name_en": agency.name_en,
        "authority_level": content.authority_level,
        "online_level": content.online_level,
        "legacy_online_level": content.legacy_online_level,
        "in_person": Channel.IN_PERSON in channels,
        "online": Channel.ONLINE in channels,
        "postal": Channel.POSTAL in channels,
        "for_citizens": ApplicantType.CITIZEN in content.applicant_types,
        "for_organisations": ApplicantType.ORGANISATION in content.applicant_types,
        "one_stop": content.one_stop,
        "inter_agency": content.inter_agency,
        "internal": content.internal,
        "search_name": fold_all([code, content.name_vi, content.name_en, *translated_names]),
        "search_body": fold_all(
            [
                field.name_vi,
                field.name_en,
                agency.name_vi,
                agency.name_en,
                content.description_vi,
                content.description_en,
                *(r.name_vi for r in content.results),
                *(r.name_en for r in content.results),
            ]
        ),
    }
