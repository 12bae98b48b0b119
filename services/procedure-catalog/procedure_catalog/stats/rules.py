"""Named rules of the catalogue's statistics."""

from __future__ import annotations

import datetime as dt

ANNOUNCEMENT_LEAD_WORKING_DAYS = 20


def weekdays_after(first: dt.date, last: dt.date) -> int:
    """Monday-Friday days in ``(first, last]``: after ``first``, up to and including ``last``."""
    if last <= first:
        return 0
    days = (last - first).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(1, rest + 1):
        if (first + dt.timedelta(days=weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


def announced_in_time(signed_on: dt.date, effective_on: dt.date) -> bool:
    """A decision is announced in time when signed at least 20 working days before it takes effect.

    Decree 63/2010/NĐ-CP, Art. 15 (as amended by Decree 92/2017/NĐ-CP): the announcing decision is
    issued at the latest 20 working days before the legal text it announces takes effect; Decision
    766/QĐ-TTg scores that share under "publicity". The catalogue keeps no holiday calendar, so
    working days are counted as Monday-Friday: a decision signed just before Tết may be counted in
    time although it was not. The effective day is the 20th working day at the earliest.
    """
    return weekdays_after(signed_on, effective_on) >= ANNOUNCEMENT_LEAD_WORKING_DAYS
