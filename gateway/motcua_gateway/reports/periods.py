"""Report periods: any range of days for a live overview; a month, a quarter or a year to close.

Days are Vietnamese calendar days (Asia/Ho_Chi_Minh), as every service counts them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from motcua_kit.errors import FieldError, UnprocessableContent

EARLIEST_DAY = dt.date(2000, 1, 1)
LATEST_DAY = dt.date(2199, 12, 31)
# The services' own limit (dossier-api refuses longer periods).
MAX_PERIOD_DAYS = 366 * 20

_KEY = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>0[1-9]|1[0-2])|Q(?P<quarter>[1-4])))?$")


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class Period:
    first: dt.date
    last: dt.date


@dataclass(frozen=True, slots=True)
class ClosablePeriod:
    """A month (``2025-03``), a quarter (``2025-Q1``) or a year (``2025``)."""

    key: str
    kind: PeriodKind
    first: dt.date
    last: dt.date

    @property
    def period(self) -> Period:
        return Period(self.first, self.last)


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return following - dt.timedelta(days=1)


def parse_period_key(key: str, *, field: str = "period", location: str = "body") -> ClosablePeriod:
    """``2025-03``, ``2025-Q1`` or ``2025``, in the years reports cover; anything else is a 422 naming ``field``."""
    match = _KEY.match(key)
    year = int(match["year"]) if match else 0
    if match is None or not EARLIEST_DAY.year <= year <= LATEST_DAY.year:
        raise UnprocessableContent(
            "A period is a month (2025-03), a quarter (2025-Q1) or a year (2025), from 2000 to 2199.",
            code="invalid_period",
            errors=[FieldError(field=field, location=location, message="not a month, quarter or year", type="period")],
        )
    if match["month"]:
        month = int(match["month"])
        return ClosablePeriod(key, PeriodKind.MONTH, dt.date(year, month, 1), _month_end(year, month))
    if match["quarter"]:
        quarter = int(match["quarter"])
        first_month = 3 * quarter - 2
        return ClosablePeriod(key, PeriodKind.QUARTER, dt.date(year, first_month, 1), _month_end(year, first_month + 2))
    return ClosablePeriod(key, PeriodKind.YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31))


def overview_period(first: dt.date | None, last: dt.date | None, today: dt.date) -> Period:
    """The period of an overview: by default from 1 January to today; at most 20 years, from 2000 to 2199."""
    last = last or today
    first = first or last.replace(month=1, day=1)
    problems = [
        FieldError(field=name, location="query", message=f"must be between {EARLIEST_DAY} and {LATEST_DAY}")
        for name, day in (("from", first), ("to", last))
        if not EARLIEST_DAY <= day <= LATEST_DAY
    ]
    if not problems and first > last:
        problems.append(FieldError(field="to", location="query", message="must not be before `from`"))
    if not problems and (last - first).days > MAX_PERIOD_DAYS:
        problems.append(FieldError(field="to", location="query", message="at most 20 years after `from`"))
    if problems:
        raise UnprocessableContent("The period is invalid; see `errors`.", code="invalid_period", errors=problems)
    return Period(first, last)


def period_over(period: ClosablePeriod, today: dt.date) -> bool:
    """A period can be closed once its last day has ended (in Vietnam): its figures can no longer grow."""
    return period.last < today


def months_of(period: Period) -> list[str]:
    """Every ``YYYY-MM`` the period touches, in order."""
    months: list[str] = []
    year, month = period.first.year, period.first.month
    while (year, month) <= (period.last.year, period.last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
