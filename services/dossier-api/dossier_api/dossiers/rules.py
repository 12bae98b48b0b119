"""Named rules of dossier reception and reading (domain brief, "Dossier lifecycle")."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from dossier_api.models import Channel, Dossier, DossierStatus
from motcua_kit.auth import Principal, Role

SUBMISSION_CLOCK_SKEW = dt.timedelta(minutes=5)

RECEIVING_ROLES = frozenset({Role.RECEPTION_OFFICER, Role.INTEGRATION, Role.ADMIN})
STAFF_READERS = frozenset(
    {Role.RECEPTION_OFFICER, Role.PROCESSING_OFFICER, Role.LEADER, Role.REPORTER, Role.INTEGRATION, Role.ADMIN}
)
# Those whose work needs the applicant's personal data (the portal sync sends the applicant's
# name and phone); leaders and reporters see it masked.
PERSONAL_DATA_ROLES = frozenset({Role.RECEPTION_OFFICER, Role.PROCESSING_OFFICER, Role.INTEGRATION, Role.ADMIN})

# Easy to read aloud and to type from a printed slip: no 0/O, 1/I/L.
_SECRET_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # noqa: S105 - an alphabet, not a secret
TRACKING_SECRET_LENGTH = 10


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


def is_staff(principal: Principal) -> bool:
    return principal.has_any(STAFF_READERS)


def owns(principal: Principal, dossier: Dossier) -> bool:
    """An applicant owns the dossiers they filed; an intermediary those it filed or is named on."""
    if Role.CITIZEN in principal.roles and dossier.applicant_subject == principal.subject:
        return True
    if Role.INTERMEDIARY in principal.roles:
        if dossier.intermediary_subject == principal.subject:
            return True
        if principal.agency is not None and dossier.intermediary_code == principal.agency:
            return True
    return False


def may_read(principal: Principal, dossier: Dossier) -> bool:
    """Staff read every dossier; an applicant or intermediary reads only their own."""
    return is_staff(principal) or owns(principal, dossier)


def sees_personal_data(principal: Principal, dossier: Dossier | None = None) -> bool:
    """Officers who handle dossiers see the applicant's data; leaders and reporters see it masked.

    An applicant or intermediary always sees their own dossier in full.
    """
    if principal.has_any(PERSONAL_DATA_ROLES):
        return True
    return dossier is not None and owns(principal, dossier)


def mask_name(name: str) -> str:
    """Keep the initial of each word: "Nguyễn Văn An" -> "N*** V*** A***"."""
    return " ".join(f"{word[0]}***" for word in name.split() if word)


def mask_digits(value: str | None, keep: int = 3) -> str | None:
    """Keep the last digits only: "0905123456" -> "*******456"."""
    if value is None:
        return None
    return "*" * max(0, len(value) - keep) + value[-keep:]


def new_tracking_secret() -> str:
    """A secret for the public lookup, printed on the receipt: about 49 bits, typeable from paper."""
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(TRACKING_SECRET_LENGTH))


def hash_tracking_secret(code: str, secret: str) -> str:
    """Only this hash is stored; the secret is random enough that a fast hash is safe."""
    return hashlib.sha256(f"{code}:{secret.strip().upper()}".encode()).hexdigest()


def tracking_secret_matches(code: str, secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_tracking_secret(code, secret), stored_hash)


def normalise_phone(phone: str) -> str:
    """``+84905123456`` and ``0905123456`` are the same number."""
    digits = phone.strip().replace(" ", "").replace(".", "").replace("-", "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in {11, 12}:
        digits = "0" + digits[2:]
    return digits


def phone_matches(given: str, stored: str | None) -> bool:
    expected = normalise_phone(stored) if stored else "-"
    return hmac.compare_digest(normalise_phone(given).encode(), expected.encode()) and stored is not None
