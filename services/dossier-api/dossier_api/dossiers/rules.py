"""Named rules of dossier reception (domain brief, "Dossier lifecycle")."""

from __future__ import annotations

import datetime as dt

from dossier_api.models import Channel, DossierStatus
from motcua_kit.auth import Principal, Role

SUBMISSION_CLOCK_SKEW = dt.timedelta(minutes=5)

RECEIVING_ROLES = frozenset({Role.RECEPTION_OFFICER, Role.INTEGRATION, Role.ADMIN})
STAFF_READERS = frozenset({Role.RECEPTION_OFFICER, Role.PROCESSING_OFFICER, Role.LEADER, Role.ADMIN})


def format_dossier_code(agency_code: str, reception_day: dt.date, sequence: int) -> str:
    """``<agency>-YYMMDD-NNNN``: a 4-digit sequence per agency per reception day (wider past 9999)."""
    return f"{agency_code}-{reception_day:%y%m%d}-{sequence:04d}"


def initial_status(principal: Principal) -> DossierStatus:
    """Staff (or a trusted system) receive a dossier at once; one filed by an applicant awaits reception."""
    if principal.has_any(RECEIVING_ROLES):
        return DossierStatus.RECEIVED
    return DossierStatus.REGISTERED


def channel_allowed(principal: Principal, channel: Channel) -> bool:
    """Applicants and intermediaries file online themselves; in person and postal dossiers are entered by staff."""
    if principal.has_any(RECEIVING_ROLES):
        return True
    return channel is Channel.ONLINE


def may_read(principal: Principal, applicant_subject: str | None) -> bool:
    """Staff read every dossier; an applicant or intermediary reads only the dossiers they filed."""
    if principal.has_any(STAFF_READERS):
        return True
    return applicant_subject is not None and applicant_subject == principal.subject
