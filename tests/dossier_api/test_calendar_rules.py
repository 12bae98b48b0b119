"""Day-granularity rules on the calendar (dossier_api.calendar.rules)."""

from __future__ import annotations

import datetime as dt

import pytest

from dossier_api.calendar.engine import WorkingCalendar, default_rules
from dossier_api.calendar.rules import (
    Progress,
    Timeliness,
    progress,
    supplement_allowed,
    supplement_deadline,
    timeliness,
)
from motcua_kit.timezone import VIETNAM

CALENDAR = WorkingCalendar(default_rules(range(2024, 2027)))


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=VIETNAM)


DUE = vn(2025, 6, 11, 10)


@pytest.mark.parametrize(
    ("finished", "expected"),
    [
        (vn(2025, 6, 10, 16), Timeliness.EARLY),
        (vn(2025, 6, 11, 7), Timeliness.ON_TIME),
        (vn(2025, 6, 11, 16, 59), Timeliness.ON_TIME),  # after the due hour, same day
        (vn(2025, 6, 12, 7), Timeliness.LATE),
        # 23:30 UTC on 10 June is already 11 June in Vietnam.
        (dt.datetime(2025, 6, 10, 23, 30, tzinfo=dt.UTC), Timeliness.ON_TIME),
        (dt.datetime(2025, 6, 10, 16, 59, tzinfo=dt.UTC), Timeliness.EARLY),
    ],
)
def test_timeliness_compares_days_in_vietnam(finished: dt.datetime, expected: Timeliness) -> None:
    assert timeliness(finished, DUE) is expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (vn(2025, 6, 10, 9), Progress.IN_TIME),
        (vn(2025, 6, 11, 15), Progress.IN_TIME),  # past the due hour, but it can still finish on time
        (vn(2025, 6, 11, 23, 59), Progress.IN_TIME),
        (vn(2025, 6, 12, 0, 0), Progress.OVERDUE),
    ],
)
def test_progress_is_overdue_from_the_day_after_the_due_day(now: dt.datetime, expected: Progress) -> None:
    assert progress(now, DUE) is expected


def test_progress_and_timeliness_agree() -> None:
    for now in (vn(2025, 6, 10, 9), vn(2025, 6, 11, 16), vn(2025, 6, 12, 8)):
        late = timeliness(now, DUE) is Timeliness.LATE
        assert late == (progress(now, DUE) is Progress.OVERDUE)


def test_supplement_within_three_working_days_of_reception() -> None:
    received = vn(2025, 6, 9, 10)  # Monday
    assert supplement_deadline(received, CALENDAR) == dt.date(2025, 6, 12)
    assert supplement_allowed(received, vn(2025, 6, 9, 15), CALENDAR)
    assert supplement_allowed(received, vn(2025, 6, 12, 16, 59), CALENDAR)
    assert supplement_allowed(received, vn(2025, 6, 12, 23, 59), CALENDAR)
    assert not supplement_allowed(received, vn(2025, 6, 13, 7), CALENDAR)
    assert not supplement_allowed(received, vn(2025, 6, 14, 9), CALENDAR)  # the Saturday after


def test_supplement_window_skips_holidays_and_counts_worked_saturdays() -> None:
    # Tuesday 29 April 2025: 30 Apr - 4 May off, so the window runs 5, 6, 7 May.
    assert supplement_deadline(vn(2025, 4, 29, 9), CALENDAR) == dt.date(2025, 5, 7)
    assert supplement_allowed(vn(2025, 4, 29, 9), vn(2025, 5, 7, 16), CALENDAR)
    assert not supplement_allowed(vn(2025, 4, 29, 9), vn(2025, 5, 8, 8), CALENDAR)
    # Thursday 24 April 2025: Friday 25, Saturday 26 (worked), Monday 28.
    assert supplement_deadline(vn(2025, 4, 24, 9), CALENDAR) == dt.date(2025, 4, 28)


def test_supplement_counts_from_the_local_reception_day() -> None:
    # Received online at 20:00 UTC on a Sunday: Monday 03:00 in Vietnam, so Monday is the reception day.
    received = dt.datetime(2025, 6, 8, 20, 0, tzinfo=dt.UTC)
    assert supplement_deadline(received, CALENDAR) == dt.date(2025, 6, 12)


def test_no_supplement_before_reception() -> None:
    received = vn(2025, 6, 9, 10)
    assert not supplement_allowed(received, vn(2025, 6, 9, 9), CALENDAR)
