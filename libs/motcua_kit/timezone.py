"""Time in the one-stop unit's zone. Instants are stored in UTC; days are counted in Vietnam."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, AwareDatetime

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

EARLIEST = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)


def _plausible(value: dt.datetime) -> dt.datetime:
    # Also keeps conversions to UTC away from the edges of datetime's range (year 1 or 9999).
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"must be between {EARLIEST:%Y} and {LATEST:%Y}")
    return value.astimezone(dt.UTC)


Instant = Annotated[AwareDatetime, AfterValidator(_plausible)]
"""An instant given by a client: with an explicit offset, in a plausible range, normalised to UTC."""

EARLIEST_DAY = EARLIEST.date()
LATEST_DAY = LATEST.date() - dt.timedelta(days=1)


def _plausible_day(day: dt.date) -> dt.date:
    # Day arithmetic (the day before, the end of the day in UTC) fails at year 1 and 9999.
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValueError(f"must be between {EARLIEST_DAY} and {LATEST_DAY}")
    return day


Day = Annotated[dt.date, AfterValidator(_plausible_day)]
"""A calendar day given by a client, in the same plausible range as :data:`Instant`."""


def local_date(instant: dt.datetime) -> dt.date:
    """The calendar day in Vietnam on which ``instant`` falls."""
    return instant.astimezone(VIETNAM).date()


def to_local(instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(VIETNAM)
