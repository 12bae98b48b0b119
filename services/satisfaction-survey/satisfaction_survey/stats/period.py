"""Report periods: days are counted in Vietnam (Asia/Ho_Chi_Minh), instants are stored in UTC."""

from __future__ import annotations

import datetime as dt

from motcua_kit.errors import FieldError, UnprocessableContent
from motcua_kit.timezone import VIETNAM

EARLIEST_DAY = dt.date(2000, 1, 1)
LATEST_DAY = dt.date(2199, 12, 31)


def check_period(first: dt.date | None, last: dt.date | None) -> None:
    """A period runs from its first to its last day, both included, within plausible years."""
    problems = [
        FieldError(
            field=name,
            location="query",
            message=f"must be between {EARLIEST_DAY} and {LATEST_DAY}",
            type="out_of_range",
        )
        for name, day in (("from", first), ("to", last))
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY
    ]
    if not problems and first is not None and last is not None and first > last:
        problems.append(
            FieldError(field="to", location="query", message="must not be before `from`", type="before_from")
        )
    if problems:
        raise UnprocessableContent("The period is invalid; see `errors`.", code="validation_error", errors=problems)


def local_day_bounds(first: dt.date | None, last: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The UTC instants where the Vietnamese days ``first`` and ``last`` (inclusive) begin and end."""
    check_period(first, last)
    since = dt.datetime.combine(first, dt.time(), VIETNAM).astimezone(dt.UTC) if first else None
    until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), VIETNAM).astimezone(dt.UTC) if last else None
    return since, until
