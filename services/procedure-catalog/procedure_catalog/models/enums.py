"""The catalogue's vocabularies. Values are stable: they are stored, exchanged and used in URLs."""

from __future__ import annotations

from enum import StrEnum


class VersionStatus(StrEnum):
    """What a published version says of its procedure during its validity period."""

    PUBLISHED = "published"
    ABOLISHED = "abolished"  # readable, accepts no new dossiers


class ChangeAction(StrEnum):
    """What an announcement decision does to one procedure."""

    CREATE = "create"  # công bố mới
    AMEND = "amend"  # sửa đổi, bổ sung, thay thế
    ABOLISH = "abolish"  # bãi bỏ


class AnnouncementSource(StrEnum):
    DECISION = "decision"  # entered from a signed decision
    IMPORT = "import"  # recorded by an import from the national database


class Channel(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    POSTAL = "postal"


class TimeUnit(StrEnum):
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"


class OnlineLevel(StrEnum):
    """Online public-service level since 2022 (Decree 42/2022): full (toàn trình), partial (một phần)."""

    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"


class ApplicantType(StrEnum):
    CITIZEN = "citizen"
    ORGANISATION = "organisation"


class AuthorityLevel(StrEnum):
    """Level of the authority that decides (cấp thực hiện)."""

    CENTRAL = "central"  # cấp Bộ / trung ương
    PROVINCE = "province"  # cấp tỉnh
    DISTRICT = "district"  # cấp huyện
    COMMUNE = "commune"  # cấp xã
