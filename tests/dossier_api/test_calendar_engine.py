"""Golden and property tests of the working-day calendar (dossier_api.calendar.engine).

Golden cases are written in Vietnam local time as an officer would read the receipt; each names
the rule it pins. Default periods: 07:00-11:30 and 13:30-17:00, so one working day is 8 hours.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dossier_api.calendar.engine import (
    DEFAULT_PERIODS,
    CalendarRangeError,
    CalendarRules,
    Duration,
    DurationUnit,
    Pause,
    WorkingCalendar,
    WorkingPeriod,
    default_rules,
)
from motcua_kit.timezone import VIETNAM

CALENDAR = WorkingCalendar(default_rules(range(2018, 2029)))


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=VIETNAM)


def days(value: float) -> Duration:
    return Duration(value, DurationUnit.WORKING_DAYS)


def hours(value: float) -> Duration:
    return Duration(value, DurationUnit.WORKING_HOURS)


def local(instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(VIETNAM)


# (case, received in Vietnam, duration, due in Vietnam)
GOLDEN = [
    # Tết 2025: nine days off, Saturday 25 Jan to Sunday 2 Feb (weekdays 27-31 Jan).
    ("tet 2025, 2 days from Friday afternoon", vn(2025, 1, 24, 14), days(2), vn(2025, 2, 4, 14)),
    ("tet 2025, 1 day from Friday 16:00", vn(2025, 1, 24, 16), days(1), vn(2025, 2, 3, 16)),
    # Tết 2026: Saturday 14 Feb to Sunday 22 Feb.
    ("tet 2026, 1 day across the break", vn(2026, 2, 13, 9), days(1), vn(2026, 2, 23, 9)),
    ("tet 2026, 3 days from Thursday 10:00", vn(2026, 2, 12, 10), days(3), vn(2026, 2, 24, 10)),
    # Hung Kings' day, 10th of the 3rd lunar month.
    ("hung kings 2025 on Monday 7 Apr", vn(2025, 4, 4, 9), days(1), vn(2025, 4, 8, 9)),
    ("hung kings 2026 on Sunday moves to Monday 27 Apr", vn(2026, 4, 24, 9), days(1), vn(2026, 4, 28, 9)),
    ("hung kings 2019 on Sunday moves to Monday 15 Apr", vn(2019, 4, 12, 9), days(1), vn(2019, 4, 16, 9)),
    ("hung kings 2024 on Thursday 18 Apr", vn(2024, 4, 17, 10), days(1), vn(2024, 4, 19, 10)),
    # 30 April and 1 May.
    ("2025 swap: Saturday 26 Apr is worked", vn(2025, 4, 25, 9), days(1), vn(2025, 4, 26, 9)),
    ("2025 swap: Friday 2 May is off", vn(2025, 4, 29, 9), days(1), vn(2025, 5, 5, 9)),
    ("2025: 3 days over 30 Apr - 4 May", vn(2025, 4, 29, 9), days(3), vn(2025, 5, 7, 9)),
    ("2026: Thursday 30 Apr and Friday 1 May", vn(2026, 4, 29, 9), days(1), vn(2026, 5, 4, 9)),
    ("2022: both on the weekend, off Monday and Tuesday", vn(2022, 4, 29, 9), days(1), vn(2022, 5, 4, 9)),
    ("2023: Hung Kings, 30 Apr and 1 May in one break", vn(2023, 4, 28, 9), days(1), vn(2023, 5, 4, 9)),
    ("2024 swap: Monday 29 Apr off, Saturday 4 May worked", vn(2024, 4, 26, 9), days(3), vn(2024, 5, 4, 9)),
    # 2 September with its adjacent day.
    ("national day 2025: Monday 1 and Tuesday 2 Sep", vn(2025, 8, 29, 9), days(1), vn(2025, 9, 3, 9)),
    ("national day 2024: Monday 2 and Tuesday 3 Sep", vn(2024, 8, 30, 9), days(1), vn(2024, 9, 4, 9)),
    ("national day 2021: Thursday 2 and Friday 3 Sep", vn(2021, 9, 1, 9), days(1), vn(2021, 9, 6, 9)),
    ("national day 2023 on Saturday: Friday 1 and Monday 4", vn(2023, 8, 31, 9), days(1), vn(2023, 9, 5, 9)),
    ("national day 2026: swap makes 31 Aug - 2 Sep off", vn(2026, 8, 28, 9), days(1), vn(2026, 9, 3, 9)),
    ("national day 2026 swap: Saturday 22 Aug worked", vn(2026, 8, 21, 9), days(1), vn(2026, 8, 22, 9)),
    # New Year and year boundaries.
    ("new year 2023 on Sunday moves to Monday 2 Jan", vn(2022, 12, 30, 9), days(1), vn(2023, 1, 3, 9)),
    ("new year 2026: Friday 2 Jan swapped off", vn(2025, 12, 31, 9), days(1), vn(2026, 1, 5, 9)),
    ("new year 2026 swap: Saturday 10 Jan worked", vn(2026, 1, 9, 9), days(1), vn(2026, 1, 10, 9)),
    ("year boundary, 2 days from 31 Dec 15:00", vn(2025, 12, 31, 15), days(2), vn(2026, 1, 6, 15)),
    ("2019 swap: Monday 31 Dec 2018 off", vn(2018, 12, 28, 9), days(1), vn(2019, 1, 2, 9)),
    ("2019 swap: Saturday 5 Jan worked", vn(2019, 1, 4, 9), days(1), vn(2019, 1, 5, 9)),
    # Reception outside working time.
    ("after closing: counts from the next morning", vn(2025, 6, 9, 17, 30), days(1), vn(2025, 6, 10, 17)),
    ("at closing time exactly", vn(2025, 6, 9, 17), days(1), vn(2025, 6, 10, 17)),
    ("before opening", vn(2025, 6, 9, 6), days(1), vn(2025, 6, 9, 17)),
    ("at the lunch break: counts from 13:30", vn(2025, 6, 9, 12), hours(4), vn(2025, 6, 10, 7, 30)),
    ("at the lunch break, half a day", vn(2025, 6, 9, 12), days(0.5), vn(2025, 6, 10, 7, 30)),
    ("on Friday evening: counts from Monday", vn(2025, 6, 13, 20), days(1), vn(2025, 6, 16, 17)),
    ("on a holiday: counts from the next working morning", vn(2025, 4, 30, 10), days(1), vn(2025, 5, 5, 17)),
    ("on a plain Saturday", vn(2025, 5, 3, 10), days(1), vn(2025, 5, 5, 17)),
    ("on the worked Saturday 26 Apr 2025", vn(2025, 4, 26, 10), days(1), vn(2025, 4, 28, 10)),
    # Working-hours and fractional durations; the due instant stops at a period's end.
    ("4 working hours from 09:00 cross lunch", vn(2025, 6, 9, 9), hours(4), vn(2025, 6, 9, 15)),
    ("4.5 hours from opening end at 11:30, not 13:30", vn(2025, 6, 9, 7), hours(4.5), vn(2025, 6, 9, 11, 30)),
    ("one day from opening ends at 17:00 the same day", vn(2025, 6, 9, 7), days(1), vn(2025, 6, 9, 17)),
    ("1.5 days from opening", vn(2025, 6, 9, 7), days(1.5), vn(2025, 6, 10, 11)),
    ("15 working days over a normal month", vn(2025, 6, 2, 8), days(15), vn(2025, 6, 23, 8)),
]


@pytest.mark.parametrize(("received", "duration", "due"), [case[1:] for case in GOLDEN], ids=[c[0] for c in GOLDEN])
def test_golden_due_dates(received: dt.datetime, duration: Duration, due: dt.datetime) -> None:
    result = CALENDAR.due_at(received, duration)
    assert result == due
    assert result.tzinfo is dt.UTC
    assert CALENDAR.add(received, duration) == due


def test_instants_in_any_offset_give_the_same_due_instant_in_utc() -> None:
    received_utc = dt.datetime(2025, 1, 24, 7, 0, tzinfo=dt.UTC)  # 14:00 in Hanoi
    received_paris = received_utc.astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert CALENDAR.due_at(received_utc, days(2)) == CALENDAR.due_at(received_paris, days(2)) == vn(2025, 2, 4, 14)
    assert CALENDAR.due_at(received_utc, days(2)).utcoffset() == dt.timedelta(0)


def test_microseconds_are_kept() -> None:
    received = vn(2025, 6, 9, 9).replace(second=12, microsecond=345678)
    assert local(CALENDAR.add(received, hours(1))) == vn(2025, 6, 9, 10).replace(second=12, microsecond=345678)


def test_clock_start() -> None:
    assert CALENDAR.clock_start(vn(2025, 6, 9, 9)) == vn(2025, 6, 9, 9)
    assert CALENDAR.clock_start(vn(2025, 6, 9, 7)) == vn(2025, 6, 9, 7)
    assert CALENDAR.clock_start(vn(2025, 6, 9, 11, 30)) == vn(2025, 6, 9, 13, 30)
    assert CALENDAR.clock_start(vn(2025, 6, 9, 17)) == vn(2025, 6, 10, 7)
    assert CALENDAR.clock_start(vn(2025, 6, 9, 6, 59)) == vn(2025, 6, 9, 7)
    assert CALENDAR.clock_start(vn(2025, 1, 24, 17, 1)) == vn(2025, 2, 3, 7)  # Tết 2025
    assert CALENDAR.clock_start(vn(2025, 4, 25, 18)) == vn(2025, 4, 26, 7)  # the worked Saturday
    assert CALENDAR.clock_start(vn(2025, 6, 9, 9)).tzinfo is dt.UTC


def test_a_pause_of_one_working_day_moves_the_due_date_by_one_working_day() -> None:
    received = vn(2025, 5, 5, 9)
    pause = Pause(vn(2025, 5, 6, 7), vn(2025, 5, 7, 7))
    assert CALENDAR.due_at(received, days(2)) == vn(2025, 5, 7, 9)
    assert CALENDAR.due_at(received, days(2), [pause]) == vn(2025, 5, 8, 9)


def test_a_pause_over_a_weekend_or_a_holiday_moves_nothing() -> None:
    received = vn(2025, 4, 28, 9)
    weekend = Pause(vn(2025, 6, 6, 17), vn(2025, 6, 9, 7))
    holidays = Pause(vn(2025, 4, 29, 17), vn(2025, 5, 5, 7))  # 30 Apr to 4 May 2025
    assert CALENDAR.due_at(vn(2025, 6, 5, 9), days(3), [weekend]) == CALENDAR.due_at(vn(2025, 6, 5, 9), days(3))
    assert CALENDAR.due_at(received, days(3), [holidays]) == CALENDAR.due_at(received, days(3)) == vn(2025, 5, 6, 9)


def test_pauses_count_the_working_time_they_cover_once() -> None:
    received = vn(2025, 6, 9, 9)  # Monday
    first = Pause(vn(2025, 6, 9, 10), vn(2025, 6, 9, 14))  # 1.5 h + 0.5 h = 2 h of working time
    overlapping = Pause(vn(2025, 6, 9, 13), vn(2025, 6, 9, 15))  # adds 14:00-15:00 only
    inside = Pause(vn(2025, 6, 9, 10, 30), vn(2025, 6, 9, 11))
    assert CALENDAR.due_at(received, hours(4)) == vn(2025, 6, 9, 15)
    assert CALENDAR.due_at(received, hours(4), [first]) == vn(2025, 6, 9, 17)
    assert CALENDAR.due_at(received, hours(4), [overlapping, first, inside]) == vn(2025, 6, 10, 8)


def test_pauses_before_reception_or_after_the_due_instant_do_not_count() -> None:
    received = vn(2025, 6, 9, 9)
    before = Pause(vn(2025, 6, 6, 8), vn(2025, 6, 9, 10))  # only 09:00-10:00 counts
    after = Pause(vn(2025, 6, 11, 8), vn(2025, 6, 12, 8))
    assert CALENDAR.due_at(received, days(1), [before]) == vn(2025, 6, 10, 10)
    assert CALENDAR.due_at(received, days(1), [after]) == vn(2025, 6, 10, 9)


def test_a_pause_that_starts_before_and_ends_after_the_due_instant_counts_in_full() -> None:
    received = vn(2025, 6, 9, 9)
    pause = Pause(vn(2025, 6, 10, 8), vn(2025, 6, 12, 8))  # 2 working days, starts before the due 10 Jun 09:00
    assert CALENDAR.due_at(received, days(1), [pause]) == vn(2025, 6, 12, 9)


def test_an_open_pause_counts_up_to_as_of() -> None:
    received = vn(2025, 6, 9, 9)
    pause = Pause(vn(2025, 6, 10, 7))
    assert CALENDAR.due_at(received, days(1), [pause], as_of=vn(2025, 6, 11, 7)) == vn(2025, 6, 11, 9)
    assert CALENDAR.due_at(received, days(1), [pause], as_of=vn(2025, 6, 12, 7)) == vn(2025, 6, 12, 9)
    with pytest.raises(ValueError, match="as_of"):
        CALENDAR.due_at(received, days(1), [pause])


def test_working_time_between() -> None:
    assert CALENDAR.working_time_between(vn(2025, 6, 9, 9), vn(2025, 6, 9, 15)) == dt.timedelta(hours=4)
    assert CALENDAR.working_time_between(vn(2025, 6, 9, 9), vn(2025, 6, 16, 9)) == dt.timedelta(hours=40)
    assert CALENDAR.working_time_between(vn(2025, 1, 24, 17), vn(2025, 2, 3, 7)) == dt.timedelta(0)  # Tết
    assert CALENDAR.working_time_between(vn(2025, 6, 9, 15), vn(2025, 6, 9, 9)) == -dt.timedelta(hours=4)


def test_working_days_between_does_not_count_the_first_day() -> None:
    assert CALENDAR.working_days_between(dt.date(2025, 6, 9), dt.date(2025, 6, 12)) == 3
    assert CALENDAR.working_days_between(dt.date(2025, 6, 9), dt.date(2025, 6, 9)) == 0
    assert CALENDAR.working_days_between(dt.date(2025, 4, 28), dt.date(2025, 5, 5)) == 2
    assert CALENDAR.working_days_between(dt.date(2025, 4, 25), dt.date(2025, 4, 28)) == 2  # Saturday 26 worked
    assert CALENDAR.working_days_between(dt.date(2025, 6, 12), dt.date(2025, 6, 9)) == -3
    # 2025: 261 weekdays, 12 of them off (1 Jan, 27-31 Jan, 7 Apr, 30 Apr, 1-2 May, 1-2 Sep), 1 Saturday worked.
    assert CALENDAR.working_days_between(dt.date(2024, 12, 31), dt.date(2025, 12, 31)) == 250


def test_is_working_day_and_next_working_day() -> None:
    assert not CALENDAR.is_working_day(dt.date(2025, 5, 2))
    assert CALENDAR.is_working_day(dt.date(2025, 4, 26))
    assert not CALENDAR.is_working_day(dt.date(2025, 4, 27))
    assert not CALENDAR.is_working_day(dt.date(2026, 1, 2))
    assert CALENDAR.is_working_day(dt.date(2026, 1, 10))
    assert CALENDAR.next_working_day(dt.date(2025, 1, 24)) == dt.date(2025, 2, 3)
    assert CALENDAR.next_working_day(dt.date(2025, 4, 25)) == dt.date(2025, 4, 26)
    assert CALENDAR.next_working_day(dt.date(2025, 6, 9)) == dt.date(2025, 6, 10)
    assert CALENDAR.nth_working_day_after(dt.date(2025, 4, 29), 2) == dt.date(2025, 5, 6)
    with pytest.raises(ValueError, match="at least 1"):
        CALENDAR.nth_working_day_after(dt.date(2025, 4, 29), 0)


def test_agency_closures_and_extra_working_days() -> None:
    rules = default_rules([2025], closures=[dt.date(2025, 6, 10)], extra_working_days=[dt.date(2025, 6, 14)])
    calendar = WorkingCalendar(rules)
    assert calendar.due_at(vn(2025, 6, 9, 9), days(1)) == vn(2025, 6, 11, 9)
    assert calendar.due_at(vn(2025, 6, 13, 9), days(1)) == vn(2025, 6, 14, 9)
    # A closure wins over an extra working day.
    both = WorkingCalendar(
        CalendarRules(days_off=frozenset({dt.date(2025, 6, 14)}), extra_working_days=rules.extra_working_days)
    )
    assert not both.is_working_day(dt.date(2025, 6, 14))


def test_configurable_periods_and_weekend() -> None:
    rules = CalendarRules(
        weekend=frozenset({6}),
        periods=(WorkingPeriod(dt.time(8), dt.time(12)), WorkingPeriod(dt.time(13), dt.time(17))),
    )
    calendar = WorkingCalendar(rules)
    assert calendar.day_length == dt.timedelta(hours=8)
    assert calendar.due_at(vn(2025, 6, 13, 9), days(1)) == vn(2025, 6, 14, 9)  # Saturday works
    assert calendar.due_at(vn(2025, 6, 14, 9), days(1)) == vn(2025, 6, 16, 9)  # Sunday does not
    assert calendar.clock_start(vn(2025, 6, 9, 7)) == vn(2025, 6, 9, 8)


def test_a_calendar_without_holiday_data_extends_by_weekends_alone() -> None:
    calendar = WorkingCalendar(CalendarRules())
    assert calendar.due_at(vn(2150, 3, 6, 9), days(1)) == vn(2150, 3, 9, 9)
    assert calendar.due_at(vn(1991, 3, 8, 9), days(1)) == vn(1991, 3, 11, 9)
    assert WorkingCalendar(default_rules([])).due_at(vn(2025, 6, 9, 9), days(1)) == vn(2025, 6, 10, 9)


def test_long_durations_cross_many_years() -> None:
    received = vn(2025, 6, 9, 9)
    due = CALENDAR.due_at(received, days(2000))
    assert CALENDAR.working_time_between(received, due) == 2000 * CALENDAR.day_length
    back = WorkingCalendar(CalendarRules())
    assert back.working_days_between(dt.date(1990, 1, 1), dt.date(2199, 12, 31)) > 50_000


@pytest.mark.parametrize(
    "call",
    [
        lambda: CALENDAR.due_at(vn(2200, 12, 29, 9), days(5)),
        lambda: CALENDAR.due_at(vn(2025, 6, 9, 9), days(1e9)),
        lambda: CALENDAR.clock_start(dt.datetime(1900, 1, 1, tzinfo=dt.UTC)),
        lambda: CALENDAR.working_days_between(dt.date(1, 1, 1), dt.date(2025, 1, 1)),
        lambda: CALENDAR.is_working_day(dt.date(9999, 12, 31)),
    ],
)
def test_out_of_range_is_a_value_error(call: object) -> None:
    assert callable(call)
    with pytest.raises(CalendarRangeError):
        call()


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        CALENDAR.due_at(dt.datetime(2025, 6, 9, 9), days(1))  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="time zone"):
        Pause(dt.datetime(2025, 6, 9, 9))  # noqa: DTZ001


@pytest.mark.parametrize("value", [0, -1, float("nan"), float("inf")])
def test_durations_must_be_positive_and_finite(value: float) -> None:
    with pytest.raises(ValueError, match="above 0"):
        Duration(value, DurationUnit.WORKING_DAYS)


def test_duration_unit_and_type_are_checked() -> None:
    with pytest.raises(ValueError, match="fortnights"):
        Duration(1, "fortnights")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Duration(True, DurationUnit.WORKING_DAYS)
    assert Duration(2, "working_hours").unit is DurationUnit.WORKING_HOURS  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weekend": frozenset(range(7))}, "at least one working day"),
        ({"weekend": frozenset({7})}, "weekday"),
        ({"periods": ()}, "at least one working period"),
        ({"periods": tuple(reversed(DEFAULT_PERIODS))}, "must not overlap"),
    ],
)
def test_rules_are_validated(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CalendarRules(**kwargs)  # type: ignore[arg-type]


def test_period_and_pause_validation() -> None:
    with pytest.raises(ValueError, match="end after"):
        WorkingPeriod(dt.time(12), dt.time(8))
    with pytest.raises(ValueError, match="time zone"):
        WorkingPeriod(dt.time(8, tzinfo=dt.UTC), dt.time(12))
    with pytest.raises(ValueError, match="before it starts"):
        Pause(vn(2025, 6, 9, 10), vn(2025, 6, 9, 9))


@pytest.mark.parametrize("year", [1989, 1990, 2000, 2025, 2100, 2200])
def test_vietnam_time_is_a_fixed_utc_plus_7(year: int) -> None:
    # The engine relies on it to find local days with integer arithmetic.
    for month in (1, 7):
        assert dt.datetime(year, month, 1, tzinfo=VIETNAM).utcoffset() == dt.timedelta(hours=7)


# -- properties -------------------------------------------------------------------------------------

instants = st.datetimes(
    min_value=dt.datetime(2018, 1, 1),  # noqa: DTZ001 - hypothesis takes naive bounds
    max_value=dt.datetime(2027, 12, 31),  # noqa: DTZ001
    timezones=st.just(dt.UTC),
)
durations = st.builds(
    Duration,
    st.floats(min_value=0.01, max_value=90, allow_nan=False, allow_infinity=False),
    st.sampled_from(DurationUnit),
)
pauses = st.builds(
    lambda start, length: Pause(start, start + dt.timedelta(hours=length)),
    instants,
    st.floats(min_value=0, max_value=24 * 20),
)


def inside_working_time(instant: dt.datetime, calendar: WorkingCalendar = CALENDAR) -> bool:
    """Inside a period or at its end: where a due instant may fall."""
    moment = local(instant)
    if not calendar.is_working_day(moment.date()):
        return False
    time_of_day = moment.time().replace(tzinfo=None)
    return any(p.start < time_of_day <= p.end for p in calendar.rules.periods)


@settings(deadline=None, max_examples=300)
@given(instants, durations)
def test_the_due_instant_is_always_inside_working_time(received: dt.datetime, duration: Duration) -> None:
    assert inside_working_time(CALENDAR.due_at(received, duration))


@settings(deadline=None, max_examples=300)
@given(instants, instants, durations)
def test_later_reception_is_never_due_earlier(a: dt.datetime, b: dt.datetime, duration: Duration) -> None:
    early, late = sorted((a, b))
    assert CALENDAR.due_at(early, duration) <= CALENDAR.due_at(late, duration)


@settings(deadline=None, max_examples=300)
@given(instants, durations, durations)
def test_longer_durations_are_never_due_earlier(received: dt.datetime, a: Duration, b: Duration) -> None:
    short, long = sorted((a, b), key=lambda d: d.value * (8 if d.unit is DurationUnit.WORKING_DAYS else 1))
    assert CALENDAR.due_at(received, short) <= CALENDAR.due_at(received, long)


@settings(deadline=None, max_examples=300)
@given(instants, st.integers(min_value=1, max_value=400), st.integers(min_value=1, max_value=400))
def test_durations_add_up(received: dt.datetime, first_hours: int, then_hours: int) -> None:
    step = CALENDAR.add(CALENDAR.add(received, hours(first_hours)), hours(then_hours))
    assert step == CALENDAR.add(received, hours(first_hours + then_hours))


@settings(deadline=None, max_examples=300)
@given(instants, durations)
def test_the_working_time_to_the_due_instant_is_the_duration(received: dt.datetime, duration: Duration) -> None:
    unit = CALENDAR.day_length if duration.unit is DurationUnit.WORKING_DAYS else dt.timedelta(hours=1)
    elapsed = CALENDAR.working_time_between(received, CALENDAR.due_at(received, duration))
    assert abs(elapsed - duration.value * unit) <= dt.timedelta(microseconds=1)


@settings(deadline=None, max_examples=300)
@given(instants, durations, st.lists(pauses, max_size=4))
def test_pauses_add_back_exactly_the_working_time_they_cover(
    received: dt.datetime, duration: Duration, paused: list[Pause]
) -> None:
    plain = CALENDAR.due_at(received, duration)
    due = CALENDAR.due_at(received, duration, paused)
    assert due >= plain
    assert inside_working_time(due)
    # The working time from reception to the due instant, minus what pauses covered in it, is the duration.
    covered = _merged_working_time(received, due, paused)
    expected = CALENDAR.working_time_between(received, plain)
    assert CALENDAR.working_time_between(received, due) - covered == expected


def _merged_working_time(start: dt.datetime, end: dt.datetime, paused: list[Pause]) -> dt.timedelta:
    spans = sorted((max(p.start, start), min(p.end or end, end)) for p in paused)
    total, reached = dt.timedelta(0), start
    for began, ended in spans:
        began = max(began, reached)  # noqa: PLW2901 - clip to what earlier spans already counted
        if ended > began:
            total += CALENDAR.working_time_between(began, ended)
            reached = ended
    return total


@settings(deadline=None, max_examples=300)
@given(instants)
def test_clock_start_is_the_next_working_instant(instant: dt.datetime) -> None:
    started = CALENDAR.clock_start(instant)
    assert started >= instant
    assert CALENDAR.is_working_time(started)
    assert CALENDAR.clock_start(started) == started
    assert CALENDAR.working_time_between(instant, started) == dt.timedelta(0)


@settings(deadline=None, max_examples=300)
@given(st.dates(min_value=dt.date(2018, 1, 1), max_value=dt.date(2027, 12, 31)))
def test_next_working_day_is_one_working_day_later(day: dt.date) -> None:
    following = CALENDAR.next_working_day(day)
    assert following > day
    assert CALENDAR.is_working_day(following)
    assert CALENDAR.working_days_between(day, following) == 1
    assert CALENDAR.working_days_between(following, day) == -1
