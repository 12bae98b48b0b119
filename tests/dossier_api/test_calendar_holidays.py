"""The table of announced days off (dossier_api.calendar.holidays_vn) against the rules and the holidays package."""

from __future__ import annotations

import datetime as dt

import holidays

from dossier_api.calendar.engine import WorkingCalendar, default_rules
from dossier_api.calendar.holidays_vn import ANNOUNCED, vietnam_days_off, vietnam_extra_working_days

ANNOUNCED_YEARS = range(2019, 2028)

# Days the government announced that the holidays package (as locked) does not know.
KNOWN_PACKAGE_GAPS = {dt.date(2026, 1, 2)}


def weekdays(days: object) -> set[dt.date]:
    assert isinstance(days, dict | holidays.HolidayBase)
    return {day for day in days if day.weekday() < 5}


def test_every_year_from_2019_to_2027_is_in_the_table() -> None:
    assert set(ANNOUNCED_YEARS) <= set(ANNOUNCED)
    assert [year for year, schedule in ANNOUNCED.items() if schedule.estimated] == [2027]
    assert all(schedule.sources for schedule in ANNOUNCED.values())


def test_the_table_agrees_with_the_labor_code_days_of_the_holidays_package() -> None:
    table = weekdays(vietnam_days_off(ANNOUNCED_YEARS))
    first = min(table)
    package = {
        day
        for day in weekdays(holidays.country_holidays("VN", years=range(2018, 2028)))
        if first <= day <= dt.date(2027, 12, 31)
    }
    assert package - table == set(), "a statutory day off is missing from the table"
    assert table - package <= KNOWN_PACKAGE_GAPS, "an unexpected day off: check its source"


def test_weekday_days_off_per_year() -> None:
    # Labor Code 2019: 11 paid days a year (10 before 2021), plus the weekdays swapped off.
    counts = {year: len(weekdays(vietnam_days_off([year]))) for year in ANNOUNCED_YEARS}
    assert counts == {
        2019: 12,  # 10 + Monday 29 Apr + Monday 31 Dec 2018 (in the 2019 New Year break)
        2020: 10,
        2021: 11,
        2022: 11,
        2023: 11,
        2024: 12,  # + Monday 29 Apr
        2025: 12,  # + Friday 2 May
        2026: 14,  # + Friday 2 Jan, Monday 31 Aug, and Vietnam Culture Day (uncertain)
        2027: 12,  # estimated, with Vietnam Culture Day
    }


def test_swaps_trade_a_weekday_inside_a_break_for_a_saturday_outside_it() -> None:
    for schedule in ANNOUNCED.values():
        break_days = {day for period in schedule.breaks for day in period.days()}
        for swap in schedule.swaps:
            assert swap.day_off.weekday() < 5
            assert swap.day_off in break_days
            assert swap.worked.weekday() == 5
            assert swap.worked not in break_days


def test_breaks_are_in_order_and_do_not_overlap() -> None:
    for schedule in ANNOUNCED.values():
        for period in schedule.breaks:
            assert period.first <= period.last
            assert (period.last - period.first).days < 10
        for before, after in zip(schedule.breaks, schedule.breaks[1:], strict=False):
            assert before.last < after.first


def test_the_2025_swap_and_the_2026_new_year_swap() -> None:
    days_off = vietnam_days_off([2025, 2026])
    worked = vietnam_extra_working_days([2025, 2026])
    assert "26/04/2025" in days_off[dt.date(2025, 5, 2)]
    assert days_off[dt.date(2025, 5, 2)].startswith("Ngày Chiến thắng")
    assert "10/01/2026" in days_off[dt.date(2026, 1, 2)]
    assert worked == {
        dt.date(2025, 4, 26): "Làm bù cho ngày 02/05/2025",
        dt.date(2026, 1, 10): "Làm bù cho ngày 02/01/2026",
        dt.date(2026, 8, 22): "Làm bù cho ngày 31/08/2026",
    }


def test_announced_breaks_include_their_weekends_and_vietnamese_names() -> None:
    days_off = vietnam_days_off([2025])
    tet = [dt.date(2025, 1, 25) + dt.timedelta(days=n) for n in range(9)]
    assert all(days_off[day] == "Tết Nguyên đán" for day in tet)
    assert days_off[dt.date(2025, 4, 7)] == "Giỗ Tổ Hùng Vương"
    assert days_off[dt.date(2025, 9, 1)] == "Quốc khánh 2/9"


def test_a_year_without_an_announcement_follows_the_labor_code() -> None:
    days_off = vietnam_days_off([2030])
    assert days_off[dt.date(2030, 1, 1)] == "Tết Dương lịch"
    assert dt.date(2030, 2, 4) in days_off  # third day of the lunar year 2030
    assert dt.date(2030, 9, 2) in days_off
    assert vietnam_extra_working_days([2030]) == {}
    assert vietnam_days_off([]) == {}


def test_default_rules_combine_official_days_and_agency_days() -> None:
    closure = dt.date(2025, 6, 10)
    saturday = dt.date(2025, 6, 14)
    rules = default_rules([2025], closures=[closure], extra_working_days=[saturday])
    assert {closure, dt.date(2025, 5, 2), dt.date(2025, 1, 29)} <= rules.days_off
    assert rules.extra_working_days == {dt.date(2025, 4, 26), saturday}
    calendar = WorkingCalendar(rules)
    assert not calendar.is_working_day(closure)
    assert calendar.is_working_day(saturday)
