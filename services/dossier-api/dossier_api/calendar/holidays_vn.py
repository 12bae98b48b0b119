"""Vietnam's official days off and swapped working days for the state sector, per year.

Where the data comes from, and why there are two sources:

* The Labor Code 2019 (Art. 112) fixes the paid holidays: 1 January; five days of Tết; Hung Kings'
  day (10th of the 3rd lunar month); 30 April; 1 May; 2 September plus the day before or after it.
  A holiday on the weekly rest day moves to the next working day (Art. 111(3)). The ``holidays``
  package implements those rules, lunar dates included, so it is the source for any year this
  module has no announcement for.
* For cadres, civil servants and public employees (the one-stop unit's staff) the exact days are
  fixed every year by the Prime Minister (through the Government Office, VPCP) and announced by
  the labour ministry (MOLISA until its merger in March 2025, the Ministry of Home Affairs since):
  which five days Tết covers, which day goes with 2 September, and the *swaps*, a weekday off in
  exchange for a Saturday worked. The ``holidays`` package knows some swaps but never exposes the
  Saturdays worked, and it lags the announcements (in version 0.109 it still lacks the swap of
  Friday 2 January 2026 for Saturday 10 January 2026). :data:`ANNOUNCED` below is the committed
  table of what was announced, with the source of each year; it wins over the package for the
  years it covers.

Each year lists the announced *breaks* as announced ("from Saturday 25 January to Sunday
2 February"), weekends inside them included, and the swaps. Years marked ``estimated`` had no
announcement we could find when this table was written: their days follow the Labor Code rules
(the same days the ``holidays`` package computes) and must be checked when the government
announces them. Agencies change their own calendar (closures, an unannounced swap) on top of this
table; see ``default_rules`` in :mod:`dossier_api.calendar.engine`.

Uncertain points, stated once here:

* Vietnam Culture Day (24 November) was chosen as a paid day off by Politburo Resolution
  80-NQ/TW (January 2026); Government Resolution 30/NQ-CP (February 2026) asked for the Labor
  Code amendment that makes it law. The ``holidays`` package counts it from 2026 and so does this
  table, but we found no text confirming that the amendment was in force on 24 November 2026.
* 2019: one press summary says "Saturday May 5" for the Saturday worked; 5 May 2019 was a Sunday.
  The Saturday after the break, 4 May 2019, is the day worked (as in the ``holidays`` package).
* 2027 is estimated (see above).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import holidays

__all__ = [
    "ANNOUNCED",
    "Break",
    "Swap",
    "YearSchedule",
    "vietnam_days_off",
    "vietnam_extra_working_days",
]

NEW_YEAR = "Tết Dương lịch"
TET = "Tết Nguyên đán"
HUNG_KINGS = "Giỗ Tổ Hùng Vương"
REUNIFICATION_AND_LABOUR = "Ngày Chiến thắng 30/4 và Ngày Quốc tế Lao động 1/5"
HUNG_KINGS_REUNIFICATION_LABOUR = "Giỗ Tổ Hùng Vương, Ngày Chiến thắng 30/4 và Ngày Quốc tế Lao động 1/5"
NATIONAL_DAY = "Quốc khánh 2/9"
CULTURE_DAY = "Ngày Văn hóa Việt Nam"


@dataclass(frozen=True, slots=True)
class Break:
    """Consecutive days off as announced, weekends inside them included."""

    name: str
    first: dt.date
    last: dt.date

    def days(self) -> Iterable[dt.date]:
        day = self.first
        while day <= self.last:
            yield day
            day += dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Swap:
    """A weekday given off in exchange for a Saturday worked (hoán đổi ngày làm việc)."""

    day_off: dt.date
    worked: dt.date


@dataclass(frozen=True, slots=True)
class YearSchedule:
    year: int
    breaks: tuple[Break, ...]
    swaps: tuple[Swap, ...]
    sources: tuple[str, ...]
    estimated: bool = False


def _d(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, day)


ANNOUNCED: dict[int, YearSchedule] = {
    schedule.year: schedule
    for schedule in (
        YearSchedule(
            2019,
            breaks=(
                Break(NEW_YEAR, _d(2018, 12, 29), _d(2019, 1, 1)),
                Break(TET, _d(2019, 2, 2), _d(2019, 2, 10)),
                Break(HUNG_KINGS, _d(2019, 4, 13), _d(2019, 4, 15)),
                Break(REUNIFICATION_AND_LABOUR, _d(2019, 4, 27), _d(2019, 5, 1)),
                Break(NATIONAL_DAY, _d(2019, 8, 31), _d(2019, 9, 2)),
            ),
            swaps=(
                Swap(day_off=_d(2018, 12, 31), worked=_d(2019, 1, 5)),
                Swap(day_off=_d(2019, 4, 29), worked=_d(2019, 5, 4)),
            ),
            sources=(
                "Công văn 6519/VPCP-KGVX (2018): swaps of 31/12/2018 and 29/4/2019",
                "MOLISA announcement of the 2019 holidays (6 August 2018), reported by Nhân Dân/VietNamNet",
            ),
        ),
        YearSchedule(
            2020,
            breaks=(
                Break(NEW_YEAR, _d(2020, 1, 1), _d(2020, 1, 1)),
                Break(TET, _d(2020, 1, 23), _d(2020, 1, 29)),
                Break(HUNG_KINGS, _d(2020, 4, 2), _d(2020, 4, 2)),
                Break(REUNIFICATION_AND_LABOUR, _d(2020, 4, 30), _d(2020, 5, 3)),
                Break(NATIONAL_DAY, _d(2020, 9, 2), _d(2020, 9, 2)),
            ),
            swaps=(),
            sources=("MOLISA announcement of Tết 2020 (23/1 to 29/1/2020), Labor Code 2012 Art. 115",),
        ),
        YearSchedule(
            2021,
            breaks=(
                Break(NEW_YEAR, _d(2021, 1, 1), _d(2021, 1, 3)),
                Break(TET, _d(2021, 2, 10), _d(2021, 2, 16)),
                Break(HUNG_KINGS, _d(2021, 4, 21), _d(2021, 4, 21)),
                Break(REUNIFICATION_AND_LABOUR, _d(2021, 4, 30), _d(2021, 5, 3)),
                Break(NATIONAL_DAY, _d(2021, 9, 2), _d(2021, 9, 5)),
            ),
            swaps=(),
            sources=("MOLISA announcement of the 2021 holidays (December 2020), reported by SGGP",),
        ),
        YearSchedule(
            2022,
            breaks=(
                Break(NEW_YEAR, _d(2022, 1, 1), _d(2022, 1, 3)),
                Break(TET, _d(2022, 1, 29), _d(2022, 2, 6)),
                Break(HUNG_KINGS, _d(2022, 4, 9), _d(2022, 4, 11)),
                Break(REUNIFICATION_AND_LABOUR, _d(2022, 4, 30), _d(2022, 5, 3)),
                Break(NATIONAL_DAY, _d(2022, 9, 1), _d(2022, 9, 4)),
            ),
            swaps=(),
            sources=(
                "MOLISA announcement of Tết 2022 (29/1 to 6/2/2022)",
                "Government Office on National Day 2022 (1/9 to 4/9), reported by VGP",
            ),
        ),
        YearSchedule(
            2023,
            breaks=(
                Break(NEW_YEAR, _d(2022, 12, 31), _d(2023, 1, 2)),
                Break(TET, _d(2023, 1, 20), _d(2023, 1, 26)),
                Break(HUNG_KINGS_REUNIFICATION_LABOUR, _d(2023, 4, 29), _d(2023, 5, 3)),
                Break(NATIONAL_DAY, _d(2023, 9, 1), _d(2023, 9, 4)),
            ),
            swaps=(),
            sources=("Deputy Prime Minister's approval of Tết 2023 (20/1 to 26/1/2023), MOLISA announcement",),
        ),
        YearSchedule(
            2024,
            breaks=(
                Break(NEW_YEAR, _d(2023, 12, 30), _d(2024, 1, 1)),
                Break(TET, _d(2024, 2, 8), _d(2024, 2, 14)),
                Break(HUNG_KINGS, _d(2024, 4, 18), _d(2024, 4, 18)),
                Break(REUNIFICATION_AND_LABOUR, _d(2024, 4, 27), _d(2024, 5, 1)),
                Break(NATIONAL_DAY, _d(2024, 8, 31), _d(2024, 9, 3)),
            ),
            swaps=(Swap(day_off=_d(2024, 4, 29), worked=_d(2024, 5, 4)),),
            sources=(
                "Công văn 2450/VPCP-KGVX (2024): swap of Monday 29/4 for Saturday 4/5/2024",
                "MOLISA announcement of the 2024 holidays",
            ),
        ),
        YearSchedule(
            2025,
            breaks=(
                Break(NEW_YEAR, _d(2025, 1, 1), _d(2025, 1, 1)),
                Break(TET, _d(2025, 1, 25), _d(2025, 2, 2)),
                Break(HUNG_KINGS, _d(2025, 4, 5), _d(2025, 4, 7)),
                Break(REUNIFICATION_AND_LABOUR, _d(2025, 4, 30), _d(2025, 5, 4)),
                Break(NATIONAL_DAY, _d(2025, 8, 30), _d(2025, 9, 2)),
            ),
            swaps=(Swap(day_off=_d(2025, 5, 2), worked=_d(2025, 4, 26)),),
            sources=(
                "Công văn 8726/VPCP-KGVX (26/11/2024): the Prime Minister's decision on Tết and holidays of 2025",
                "Thông báo 6150/TB-BLĐTBXH (2024): Tết 25/1 to 2/2/2025; Friday 2/5 off, Saturday 26/4 worked",
                "Ministry of Home Affairs on National Day 2025 (30/8 to 2/9)",
            ),
        ),
        YearSchedule(
            2026,
            breaks=(
                Break(NEW_YEAR, _d(2026, 1, 1), _d(2026, 1, 4)),
                Break(TET, _d(2026, 2, 14), _d(2026, 2, 22)),
                Break(HUNG_KINGS, _d(2026, 4, 25), _d(2026, 4, 27)),
                Break(REUNIFICATION_AND_LABOUR, _d(2026, 4, 30), _d(2026, 5, 3)),
                Break(NATIONAL_DAY, _d(2026, 8, 29), _d(2026, 9, 2)),
                Break(CULTURE_DAY, _d(2026, 11, 24), _d(2026, 11, 24)),
            ),
            swaps=(
                Swap(day_off=_d(2026, 1, 2), worked=_d(2026, 1, 10)),
                Swap(day_off=_d(2026, 8, 31), worked=_d(2026, 8, 22)),
            ),
            sources=(
                "Ministry of Home Affairs announcement (October 2025): Tết 14/2 to 22/2/2026; National Day "
                "29/8 to 2/9/2026 with Monday 31/8 off and Saturday 22/8 worked",
                "Deputy Prime Minister's approval (25/12/2025): Friday 2/1/2026 off, Saturday 10/1/2026 worked",
                "Politburo Resolution 80-NQ/TW and Government Resolution 30/NQ-CP (2026): 24/11 (uncertain, "
                "see the module docstring)",
            ),
        ),
        YearSchedule(
            2027,
            breaks=(
                Break(NEW_YEAR, _d(2027, 1, 1), _d(2027, 1, 3)),
                Break(TET, _d(2027, 2, 4), _d(2027, 2, 10)),
                Break(HUNG_KINGS, _d(2027, 4, 16), _d(2027, 4, 18)),
                Break(REUNIFICATION_AND_LABOUR, _d(2027, 4, 30), _d(2027, 5, 3)),
                Break(NATIONAL_DAY, _d(2027, 9, 2), _d(2027, 9, 5)),
                Break(CULTURE_DAY, _d(2027, 11, 24), _d(2027, 11, 24)),
            ),
            swaps=(),
            sources=("Estimated from Labor Code 2019 Art. 111-112: no announcement found for 2027",),
            estimated=True,
        ),
    )
}


def vietnam_days_off(years: Iterable[int]) -> dict[dt.date, str]:
    """Official days off of the state sector in ``years``, with their Vietnamese names.

    For an announced year: every day of its breaks (a New Year break may start in late December of
    the year before). For another year: the Labor Code days computed by the ``holidays`` package.
    """
    days: dict[dt.date, str] = {}
    for year in years:
        days.update(_days_off(year))
    return days


def vietnam_extra_working_days(years: Iterable[int]) -> dict[dt.date, str]:
    """Saturdays worked in exchange for a weekday off, announced for ``years``.

    Only announced years have them: the ``holidays`` package does not publish the days worked.
    """
    days: dict[dt.date, str] = {}
    for year in years:
        schedule = ANNOUNCED.get(year)
        for swap in schedule.swaps if schedule else ():
            days[swap.worked] = f"Làm bù cho ngày {swap.day_off:%d/%m/%Y}"
    return days


@lru_cache(maxsize=512)
def _days_off(year: int) -> tuple[tuple[dt.date, str], ...]:
    schedule = ANNOUNCED.get(year)
    if schedule is None:
        package = holidays.country_holidays("VN", years=year, language="vi")
        return tuple(sorted((day, str(name)) for day, name in package.items()))
    swapped = {swap.day_off: swap.worked for swap in schedule.swaps}
    days: dict[dt.date, str] = {}
    for period in schedule.breaks:
        for day in period.days():
            worked = swapped.get(day)
            days[day] = f"{period.name} (nghỉ hoán đổi, làm bù {worked:%d/%m/%Y})" if worked else period.name
    return tuple(sorted(days.items()))
