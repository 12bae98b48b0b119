"""Report periods: days are counted in Vietnam (Asia/Ho_Chi_Minh), instants are stored in UTC."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

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


@dataclass(frozen=True, slots=True)
class PeriodSplit:
    """A period read as whole months plus the days at its edges.

    ``months`` is ``(first month start or None, end month start exclusive or None)`` or None when the
    period holds no whole month; ``days`` are inclusive day ranges not covered by whole months.
    """

    months: tuple[dt.date | None, dt.date | None] | None
    days: list[tuple[dt.date, dt.date]] = field(default_factory=list)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def split_period(first: dt.date | None, last: dt.date | None) -> PeriodSplit:
    """Split ``[first, last]`` (either open) into whole months and edge days, so totals are read from
    month rows wherever a whole month is asked for."""
    months_from = None if first is None else (first if first.day == 1 else _next_month(first))
    months_until = (
        None
        if last is None
        else (_next_month(last) if _next_month(last) - dt.timedelta(days=1) == last else last.replace(day=1))
    )
    if months_from is not None and months_until is not None and months_from >= months_until:
        assert first is not None
        assert last is not None
        return PeriodSplit(months=None, days=[(first, last)])
    days = []
    if first is not None and months_from is not None and first < months_from:
        days.append((first, months_from - dt.timedelta(days=1)))
    if last is not None and months_until is not None and months_until <= last:
        days.append((months_until, last))
    return PeriodSplit(months=(months_from, months_until), days=days)
