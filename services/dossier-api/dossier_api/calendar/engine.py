"""The working-day calendar: due dates counted in working time of an agency (domain brief, "Due date").

Semantics, and why:

* **Working time is the working periods of working days.** A working day is a day that is not a
  weekend day (Saturday and Sunday by default) and not a day off (public holiday, compensatory or
  swapped day, agency closure), or an extra working day (a Saturday worked in a swap). A day off
  wins over an extra working day, so an agency can close even on a Saturday it was due to work.
  Days are judged in Vietnam time; instants go in with any offset and come out in UTC.
* **One working day is the total length of the periods** (8 hours with the default 07:00-11:30 and
  13:30-17:00), so N working days are N x 8 working hours counted through the periods, and
  fractional days (0.5 days = 4 hours) and hour-based durations work the same way. This is what the
  Vietnamese one-stop systems do (Thanh Hóa's counts processing time in hours, 8 a day, over the
  same periods): a dossier received on Monday at 14:00 with 1 working day is due on Tuesday at
  14:00, not at the end of Tuesday, and one received at 07:00 is due the same day at 17:00.
* **Reception outside working time starts the clock at the next opening** (the brief: a dossier
  received after closing time counts from the next working morning); a reception during the lunch
  break starts it at 13:30. :meth:`WorkingCalendar.clock_start` names that instant.
* **The due instant is the earliest instant at which the duration is used up**, so it always falls
  inside a working period or at its end (17:00 on the last day, never 07:00 of the day after).
* **Pauses add back the working time they covered** after the clock started: the due instant moves
  by exactly the working time spent paused, so a pause over a weekend moves nothing and a pause
  of a whole working day moves it by one working day. Overlapping pauses count once. A pause still
  open is counted up to ``as_of`` (the caller's "now"). The due date is thus always derived from
  reception, duration, calendar and pauses, never typed in.

Implementation: every instant is mapped to a *working-time coordinate* (integer microseconds of
working time since a fixed origin): the number of working days before its local day, times the
day length, plus the working time already elapsed that day. Days are looked up by bisection in a
sorted table of working-day numbers, built per year on first use, so a due date is two
bisections and a few integer operations. Vietnam time has been UTC+7 without daylight saving since
1975, so local days come from integer arithmetic on the UTC timestamp (checked against the zone
database by the tests). Instants before 1989 or after 2200 are refused with
:class:`CalendarRangeError` (a :class:`ValueError`), like the kit's plausible instants.
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from dossier_api.calendar.holidays_vn import vietnam_days_off, vietnam_extra_working_days

__all__ = [
    "DEFAULT_PERIODS",
    "CalendarRangeError",
    "CalendarRules",
    "Duration",
    "DurationUnit",
    "Pause",
    "WorkingCalendar",
    "WorkingPeriod",
    "default_rules",
    "vietnam_days_off",
    "vietnam_extra_working_days",
]

_US = 1_000_000
_HOUR_US = 3600 * _US
_DAY_US = 86_400 * _US
_ONE_US = dt.timedelta(microseconds=1)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
VIETNAM_OFFSET = dt.timedelta(hours=7)
_OFFSET_US = VIETNAM_OFFSET // _ONE_US

FIRST_YEAR = 1989
LAST_YEAR = 2200
_FIRST_DAY = dt.date(FIRST_YEAR, 1, 1).toordinal() - _EPOCH_ORDINAL
_END_DAY = dt.date(LAST_YEAR + 1, 1, 1).toordinal() - _EPOCH_ORDINAL  # exclusive
_CHUNK_YEARS = 4
_LONGEST_US = (_END_DAY - _FIRST_DAY) * _DAY_US


class CalendarRangeError(ValueError):
    """A computation reached outside the years the calendar supports (1989-2200)."""


class DurationUnit(StrEnum):
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"


_WORKING_DAYS = DurationUnit.WORKING_DAYS  # a module constant is cheaper than the enum lookup per call


@dataclass(frozen=True, slots=True)
class Duration:
    """A processing time: ``value`` working days or working hours (fractions allowed)."""

    value: float
    unit: DurationUnit

    def __post_init__(self) -> None:
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            raise TypeError("duration value must be a number")
        if not math.isfinite(self.value) or self.value <= 0:
            raise ValueError("duration value must be a finite number above 0")
        object.__setattr__(self, "unit", DurationUnit(self.unit))


@dataclass(frozen=True, slots=True)
class WorkingPeriod:
    """A stretch of working time within a day, local time, ``start`` < ``end``."""

    start: dt.time
    end: dt.time

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("working periods are local times without a time zone")
        if self.start >= self.end:
            raise ValueError("a working period must end after it starts")


DEFAULT_PERIODS = (
    WorkingPeriod(dt.time(7, 0), dt.time(11, 30)),
    WorkingPeriod(dt.time(13, 30), dt.time(17, 0)),
)
DEFAULT_WEEKEND = frozenset({5, 6})


@dataclass(frozen=True, slots=True)
class Pause:
    """A suspension of the clock; ``end`` is None while the dossier is still paused."""

    start: dt.datetime
    end: dt.datetime | None = None

    def __post_init__(self) -> None:
        _require_aware(self.start)
        if self.end is not None:
            _require_aware(self.end)
            if self.end < self.start:
                raise ValueError("a pause cannot end before it starts")


@dataclass(frozen=True, slots=True)
class CalendarRules:
    """What makes a day and an hour working time for one agency."""

    weekend: frozenset[int] = DEFAULT_WEEKEND
    days_off: frozenset[dt.date] = frozenset()
    extra_working_days: frozenset[dt.date] = frozenset()
    periods: tuple[WorkingPeriod, ...] = DEFAULT_PERIODS

    def __post_init__(self) -> None:
        object.__setattr__(self, "weekend", frozenset(self.weekend))
        object.__setattr__(self, "days_off", frozenset(self.days_off))
        object.__setattr__(self, "extra_working_days", frozenset(self.extra_working_days))
        object.__setattr__(self, "periods", tuple(self.periods))
        if not self.weekend <= frozenset(range(7)):
            raise ValueError("weekend days are date.weekday() numbers, 0 (Monday) to 6 (Sunday)")
        if len(self.weekend) == 7:
            raise ValueError("a calendar needs at least one working day in the week")
        if not self.periods:
            raise ValueError("a calendar needs at least one working period")
        for before, after in zip(self.periods, self.periods[1:], strict=False):
            if after.start < before.end:
                raise ValueError("working periods must be in order and must not overlap")


def default_rules(
    years: Iterable[int],
    *,
    closures: Iterable[dt.date] = (),
    extra_working_days: Iterable[dt.date] = (),
    periods: Sequence[WorkingPeriod] = DEFAULT_PERIODS,
    weekend: Iterable[int] = DEFAULT_WEEKEND,
) -> CalendarRules:
    """Vietnam's official days off and swaps for ``years``, plus an agency's own closures and extra days.

    Holidays are known only for the years given: cover every year a due date may reach (the year of
    reception and the next one, at least).
    """
    years = tuple(years)
    return CalendarRules(
        weekend=frozenset(weekend),
        days_off=frozenset(vietnam_days_off(years)) | frozenset(closures),
        extra_working_days=frozenset(vietnam_extra_working_days(years)) | frozenset(extra_working_days),
        periods=tuple(periods),
    )


def _require_aware(instant: dt.datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("instants must carry a time zone offset")


def _time_us(moment: dt.time) -> int:
    return ((moment.hour * 60 + moment.minute) * 60 + moment.second) * _US + moment.microsecond


@dataclass(slots=True)
class _Table:
    """Working days (day numbers since 1970-01-01) of the local days ``first`` <= day < ``end``.

    ``base`` is the working-day rank of ``first`` relative to the calendar's fixed origin, so ranks
    (and working-time coordinates) do not move when the table grows.
    """

    first: int
    end: int
    base: int
    days: list[int]


class WorkingCalendar:
    """Working time of one set of :class:`CalendarRules`.

    Logically immutable (only its cache of working days grows on use), so one instance per calendar
    version can be shared by every request.
    """

    __slots__ = ("_day_us", "_extra", "_off", "_periods", "_rules", "_table", "_weekend")

    def __init__(self, rules: CalendarRules) -> None:
        self._rules = rules
        self._weekend = rules.weekend
        self._off = frozenset(day.toordinal() - _EPOCH_ORDINAL for day in rules.days_off)
        self._extra = frozenset(day.toordinal() - _EPOCH_ORDINAL for day in rules.extra_working_days)
        periods: list[tuple[int, int, int]] = []
        elapsed = 0
        for period in rules.periods:
            start, end = _time_us(period.start), _time_us(period.end)
            periods.append((start, end, elapsed))
            elapsed += end - start
        self._periods = tuple(periods)
        self._day_us = elapsed
        known = sorted(self._off | self._extra) or [dt.date(2025, 1, 1).toordinal() - _EPOCH_ORDINAL]
        first = max(_year_start(_year_of(known[0]) - 1), _FIRST_DAY)
        end = min(_year_start(_year_of(known[-1]) + 2), _END_DAY)
        self._table = _Table(first, end, 0, self._working_days(first, end))

    @property
    def rules(self) -> CalendarRules:
        return self._rules

    @property
    def day_length(self) -> dt.timedelta:
        """Working time in one working day: the unit of a working-days duration."""
        return dt.timedelta(microseconds=self._day_us)

    # -- days ---------------------------------------------------------------------------------------

    def is_working_day(self, day: dt.date) -> bool:
        return self._is_working(_day_number(day))

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        return self.nth_working_day_after(day, 1)

    def nth_working_day_after(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``day`` (``n`` >= 1), ``day`` itself not counted."""
        if n < 1:
            raise ValueError("n must be at least 1")
        number = _day_number(day)
        table = self._cover(number)
        index = bisect_right(table.days, number) + n - 1
        return _date_of(self._working_day_at(table.base + index))

    def working_days_between(self, first: dt.date, last: dt.date) -> int:
        """Working days after ``first`` up to and including ``last``; negative when ``last`` < ``first``.

        The day of the event is not counted (Civil Code 2015, Art. 147): reception on Monday and
        a request on Thursday of a plain week are 3 working days apart.
        """
        return self._rank(_day_number(last) + 1) - self._rank(_day_number(first) + 1)

    # -- instants -----------------------------------------------------------------------------------

    def clock_start(self, instant: dt.datetime) -> dt.datetime:
        """``instant`` if it is inside working time, else the next opening (in UTC)."""
        us = _to_us(instant)
        number, time_of_day = divmod(us + _OFFSET_US, _DAY_US)
        if self._is_working(number):
            for start, end, _ in self._periods:
                if time_of_day < start:
                    return _from_us(number * _DAY_US + start - _OFFSET_US)
                if time_of_day < end:
                    return instant.astimezone(dt.UTC)
        table = self._cover(number)
        following = self._working_day_at(table.base + bisect_right(table.days, number))
        return _from_us(following * _DAY_US + self._periods[0][0] - _OFFSET_US)

    def add(self, start: dt.datetime, duration: Duration) -> dt.datetime:
        """The due instant of ``duration`` of working time counted from ``start`` (clock started)."""
        return self._instant_at(self._coordinate(_to_us(start)) + self._duration_us(duration))

    def due_at(
        self,
        received_at: dt.datetime,
        duration: Duration,
        pauses: Sequence[Pause] = (),
        *,
        as_of: dt.datetime | None = None,
    ) -> dt.datetime:
        """The due instant of a dossier: reception, duration and calendar, plus the working time paused.

        An open pause (``end`` None) counts up to ``as_of``, which is then required.
        """
        origin = self._coordinate(_to_us(received_at))
        target = origin + self._duration_us(duration)
        if not pauses:
            return self._instant_at(target)
        covered: list[tuple[int, int]] = []
        for pause in pauses:
            end = pause.end if pause.end is not None else as_of
            if end is None:
                raise ValueError("an open pause needs as_of (the instant the due date is computed at)")
            paused_from = max(self._coordinate(_to_us(pause.start)), origin)
            paused_to = self._coordinate(_to_us(end))
            if paused_to > paused_from:
                covered.append((paused_from, paused_to))
        covered.sort()
        reached = origin
        for began, ended in covered:
            # Only the part not already counted by an overlapping pause, and only if it began
            # before the (moving) due instant: a pause after the due date does not revive it.
            paused_from = max(began, reached)
            if ended <= paused_from:
                continue
            if paused_from >= target:
                break
            target += ended - paused_from
            reached = ended
        return self._instant_at(target)

    def working_time_between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Working time from ``start`` to ``end``; negative when ``end`` is before ``start``."""
        return dt.timedelta(microseconds=self._coordinate(_to_us(end)) - self._coordinate(_to_us(start)))

    def is_working_time(self, instant: dt.datetime) -> bool:
        """Whether ``instant`` falls inside a working period (start included, end excluded)."""
        number, time_of_day = divmod(_to_us(instant) + _OFFSET_US, _DAY_US)
        return self._is_working(number) and any(start <= time_of_day < end for start, end, _ in self._periods)

    # -- internals ----------------------------------------------------------------------------------

    def _duration_us(self, duration: Duration) -> int:
        total = duration.value * (self._day_us if duration.unit is _WORKING_DAYS else _HOUR_US)
        if total > _LONGEST_US:
            raise CalendarRangeError("duration too long for the calendar")
        return max(1, round(total))

    def _coordinate(self, us: int) -> int:
        """Working time (µs) from the calendar's origin to the instant ``us``."""
        number, time_of_day = divmod(us + _OFFSET_US, _DAY_US)
        table = self._cover(number)
        index = bisect_left(table.days, number)
        coordinate = (table.base + index) * self._day_us
        if index < len(table.days) and table.days[index] == number:
            for start, end, elapsed in self._periods:
                if time_of_day < start:
                    return coordinate + elapsed
                if time_of_day < end:
                    return coordinate + elapsed + time_of_day - start
            return coordinate + self._day_us
        return coordinate

    def _instant_at(self, coordinate: int) -> dt.datetime:
        """The earliest instant at ``coordinate``: a period's end rather than the next opening."""
        rank, into_day = divmod(coordinate - 1, self._day_us)
        into_day += 1
        number = self._working_day_at(rank)
        for start, end, elapsed in self._periods:
            if into_day <= elapsed + end - start:
                return _from_us(number * _DAY_US + start + into_day - elapsed - _OFFSET_US)
        raise AssertionError("unreachable: into_day is at most the day length")

    def _rank(self, number: int) -> int:
        """Working days before day ``number``, from the calendar's origin."""
        table = self._cover(number)
        return table.base + bisect_left(table.days, number)

    def _is_working(self, number: int) -> bool:
        table = self._cover(number)
        index = bisect_left(table.days, number)
        return index < len(table.days) and table.days[index] == number

    def _working_day_at(self, rank: int) -> int:
        """The day number of the working day of rank ``rank`` (0 is the origin's first one)."""
        table = self._table
        while True:
            index = rank - table.base
            if 0 <= index < len(table.days):
                return table.days[index]
            # Five working days in seven: grow the table about as far as the day we need.
            if index < 0:
                table = self._grow(table.first + index * 7 // 5 - 7)
            else:
                table = self._grow(table.end + (index - len(table.days)) * 7 // 5 + 7)

    def _cover(self, number: int) -> _Table:
        table = self._table
        if table.first <= number < table.end:
            return table
        if not _FIRST_DAY <= number < _END_DAY:
            raise CalendarRangeError(f"the calendar covers the years {FIRST_YEAR} to {LAST_YEAR}")
        return self._grow(number)

    def _grow(self, number: int) -> _Table:
        """Extend the table to cover day ``number`` (clamped to the supported years)."""
        table = self._table
        first, end, base, days = table.first, table.end, table.base, table.days
        if number < first <= _FIRST_DAY or number >= end >= _END_DAY:
            raise CalendarRangeError(f"the calendar covers the years {FIRST_YEAR} to {LAST_YEAR}")
        if number < first:
            new_first = _year_start(_year_of(number) - _CHUNK_YEARS)
            before = self._working_days(new_first, first)
            first, base, days = new_first, base - len(before), before + days
        if number >= end:
            new_end = _year_start(_year_of(number) + _CHUNK_YEARS)
            days = days + self._working_days(end, new_end)
            end = new_end
        # One assignment: a reader sees the old table or the new one, and both agree on ranks.
        self._table = grown = _Table(first, end, base, days)
        return grown

    def _working_days(self, first: int, end: int) -> list[int]:
        weekend, off, extra = self._weekend, self._off, self._extra
        # 1970-01-01 was a Thursday (weekday 3).
        return [
            number
            for number in range(first, end)
            if number not in off and ((number + 3) % 7 not in weekend or number in extra)
        ]


def _to_us(instant: dt.datetime) -> int:
    try:
        us: int = (instant - _EPOCH) // _ONE_US
    except TypeError:  # a naive datetime cannot be subtracted from an aware one
        raise ValueError("instants must carry a time zone offset") from None
    return us


def _from_us(us: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=us)


def _day_number(day: dt.date) -> int:
    return day.toordinal() - _EPOCH_ORDINAL


def _date_of(number: int) -> dt.date:
    return dt.date.fromordinal(number + _EPOCH_ORDINAL)


def _year_of(number: int) -> int:
    return _date_of(min(max(number, _FIRST_DAY), _END_DAY - 1)).year


def _year_start(year: int) -> int:
    return dt.date(min(max(year, FIRST_YEAR), LAST_YEAR + 1), 1, 1).toordinal() - _EPOCH_ORDINAL
