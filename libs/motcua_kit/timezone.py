"""Time in the one-stop unit's zone. Instants are stored in UTC; days are counted in Vietnam."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def local_date(instant: dt.datetime) -> dt.date:
    """The calendar day in Vietnam on which ``instant`` falls."""
    return instant.astimezone(VIETNAM).date()


def to_local(instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(VIETNAM)
